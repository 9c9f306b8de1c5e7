#include "max_features.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>

namespace shipml::builtin {

ParamSpec max_features_param(std::string default_value, std::string doc) {
  ParamSpec p{.name = "max_features", .type = ParamType::text, .default_value = std::move(default_value),
              .doc = std::move(doc)};
  p.accepts = [](const std::string& s) {
    if (s == "all" || s == "sqrt" || s == "log2" || s == "auto") return true;
    double v = 0;
    const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (ec != std::errc() || end != s.data() + s.size()) return false;
    if (s.find('.') != std::string::npos) return v > 0 && v <= 1;
    return v >= 1;
  };
  p.allowed_text = "all, sqrt, log2, a fraction in (0, 1] such as 0.5, or a count >= 1";
  return p;
}

int features_to_try(const std::string& spec, int d) {
  if (spec == "all" || spec == "auto") return d;
  if (spec == "sqrt") return std::max(1, static_cast<int>(std::sqrt(d)));
  if (spec == "log2") return std::max(1, static_cast<int>(std::log2(d)));
  if (spec.find('.') != std::string::npos) return std::clamp(static_cast<int>(std::stod(spec) * d), 1, d);
  return std::clamp(std::stoi(spec), 1, d);
}

}  // namespace shipml::builtin
