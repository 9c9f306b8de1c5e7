#include "tree_params.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>

#include "shipml/core/error.hpp"

namespace shipml::builtin {

ParamSpec max_features_param(std::string default_value, std::string doc) {
  ParamSpec p{.name = "max_features",
              .type = ParamType::text,
              .default_value = std::move(default_value),
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

ParamSpec criterion_param() {
  return choice_param("criterion", "auto", {"auto", "gini", "entropy", "squared_error"},
                      "split quality; auto = gini for classes, squared_error for values");
}

std::string resolve_criterion(const std::string& owner, const std::string& criterion, int n_classes) {
  if (criterion == "auto") return n_classes ? "gini" : "squared_error";
  if ((criterion == "squared_error") != (n_classes == 0))
    throw UsageError(owner + ": criterion=" + criterion + " does not fit a " +
                     (n_classes ? "classification" : "regression") + " target");
  return criterion;
}

ParamSpec max_bins_param() {
  ParamSpec p = int_param("max_bins", 255, 2, "bins per numeric feature (at most 255)");
  p.max = 255;
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
