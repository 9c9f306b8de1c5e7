#include "shipml/core/params.hpp"

#include <charconv>
#include <cmath>

#include "shipml/core/error.hpp"
#include "shipml/core/frame.hpp"
#include "shipml/core/names.hpp"

namespace shipml {
namespace {

bool parse_int(const std::string& s, std::int64_t& out) {
  const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  return ec == std::errc() && end == s.data() + s.size();
}

bool parse_real(const std::string& s, double& out) {
  const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  return ec == std::errc() && end == s.data() + s.size() && std::isfinite(out);
}

bool parse_bool(const std::string& s, bool& out) {
  if (s == "true" || s == "1" || s == "yes") return out = true, true;
  if (s == "false" || s == "0" || s == "no") return out = false, true;
  return false;
}

// The canonical text of a valid value: "1e1" and "10.0" are both saved as "10".
std::string canonical(const ParamSpec& spec, const std::string& value) {
  switch (spec.type) {
    case ParamType::integer: {
      std::int64_t v = 0;
      parse_int(value, v);
      return std::to_string(v);
    }
    case ParamType::real: {
      double v = 0;
      parse_real(value, v);
      return format_number(v);
    }
    case ParamType::boolean: {
      bool v = false;
      parse_bool(value, v);
      return v ? "true" : "false";
    }
    default: return value;
  }
}

}  // namespace

std::string ParamSpec::allowed() const {
  auto bounds = [&](const char* kind) {
    std::string out = kind;
    if (std::isfinite(min)) out += std::string(min_exclusive ? " > " : " >= ") + format_number(min);
    if (std::isfinite(max)) out += (std::isfinite(min) ? " and <= " : " <= ") + format_number(max);
    return out;
  };
  switch (type) {
    case ParamType::integer: return bounds("an integer");
    case ParamType::real: return bounds("a number");
    case ParamType::boolean: return "true or false";
    case ParamType::choice: return "one of " + join(choices);
    case ParamType::text: return allowed_text;
  }
  return {};
}

std::string ParamSpec::check(const std::string& value) const {
  double number = 0;
  switch (type) {
    case ParamType::integer: {
      std::int64_t v = 0;
      if (!parse_int(value, v)) return "not an integer";
      number = static_cast<double>(v);
      break;
    }
    case ParamType::real:
      if (!parse_real(value, number)) return "not a number";
      break;
    case ParamType::boolean: {
      bool v;
      return parse_bool(value, v) ? "" : "not true or false";
    }
    case ParamType::choice:
      for (const auto& c : choices)
        if (c == value) return "";
      return "not a known choice";
    case ParamType::text: return !accepts || accepts(value) ? "" : "not accepted";
  }
  if (number < min || (min_exclusive && number == min) || number > max) return "out of range";
  return "";
}

ParamSpec int_param(std::string name, std::int64_t def, std::int64_t min, std::string doc) {
  ParamSpec s{
      .name = std::move(name), .type = ParamType::integer, .default_value = std::to_string(def), .doc = std::move(doc)};
  s.min = static_cast<double>(min);
  return s;
}

ParamSpec real_param(std::string name, double def, double min, std::string doc, bool min_exclusive, double max) {
  ParamSpec s{
      .name = std::move(name), .type = ParamType::real, .default_value = format_number(def), .doc = std::move(doc)};
  s.min = min;
  s.max = max;
  s.min_exclusive = min_exclusive;
  return s;
}

ParamSpec bool_param(std::string name, bool def, std::string doc) {
  return {.name = std::move(name),
          .type = ParamType::boolean,
          .default_value = def ? "true" : "false",
          .doc = std::move(doc)};
}

ParamSpec choice_param(std::string name, std::string def, std::vector<std::string> choices, std::string doc) {
  return {.name = std::move(name),
          .type = ParamType::choice,
          .default_value = std::move(def),
          .doc = std::move(doc),
          .choices = std::move(choices)};
}

Params Params::validate(const std::string& owner, const std::vector<ParamSpec>& specs,
                        const std::map<std::string, std::string>& given) {
  Params out;
  for (const auto& [name, value] : given) {
    const ParamSpec* spec = nullptr;
    for (const auto& s : specs)
      if (s.name == name) spec = &s;
    if (!spec) {
      std::vector<std::string> known;
      for (const auto& s : specs) known.push_back(s.name);
      throw UsageError(owner + ": unknown parameter '" + name +
                       "' (parameters: " + (known.empty() ? "none" : join(known)) + ")");
    }
    if (std::string why = spec->check(value); !why.empty())
      throw UsageError(owner + ": parameter " + name + "='" + value + "' is " + why + " (allowed: " + spec->allowed() +
                       ")");
    out.values_[name] = canonical(*spec, value);
  }
  for (const auto& s : specs) out.values_.try_emplace(s.name, s.default_value);
  return out;
}

const std::string& Params::text(const std::string& name) const {
  auto it = values_.find(name);
  if (it == values_.end()) throw UsageError("no parameter '" + name + "'");
  return it->second;
}

std::int64_t Params::integer(const std::string& name) const {
  std::int64_t v = 0;
  if (!parse_int(text(name), v)) throw UsageError("parameter '" + name + "' is not an integer");
  return v;
}

double Params::real(const std::string& name) const {
  double v = 0;
  if (!parse_real(text(name), v)) throw UsageError("parameter '" + name + "' is not a number");
  return v;
}

bool Params::boolean(const std::string& name) const {
  bool v = false;
  if (!parse_bool(text(name), v)) throw UsageError("parameter '" + name + "' is not true or false");
  return v;
}

std::pair<std::string, std::string> parse_assignment(const std::string& text) {
  const auto eq = text.find('=');
  if (eq == std::string::npos || eq == 0) throw UsageError("expected NAME=VALUE, got '" + text + "'");
  return {text.substr(0, eq), text.substr(eq + 1)};
}

}  // namespace shipml
