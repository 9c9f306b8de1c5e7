#pragma once
// Hyperparameters are declared once (name, type, default, allowed values, doc).
// Validation, `shipml estimators NAME`, and the parameter record in model files
// all read the same declaration.
#include <cstdint>
#include <functional>
#include <limits>
#include <map>
#include <string>
#include <vector>

#include "shipml/core/export.hpp"

namespace shipml {

enum class ParamType { integer, real, boolean, choice, text };

struct SHIPML_API ParamSpec {
  std::string name;
  ParamType type = ParamType::real;
  std::string default_value;
  std::string doc;
  double min = -std::numeric_limits<double>::infinity();
  double max = std::numeric_limits<double>::infinity();
  bool min_exclusive = false;
  std::vector<std::string> choices;  // for ParamType::choice
  /// For ParamType::text: returns true when the value is acceptable.
  std::function<bool(const std::string&)> accepts;
  /// For ParamType::text: what is accepted, in words.
  std::string allowed_text;

  /// What values are allowed, in words ("integer >= 0", "one of gini, entropy").
  std::string allowed() const;
  /// Empty when `value` is acceptable, otherwise why not.
  std::string check(const std::string& value) const;
};

// Declaration helpers, so a parameter list reads as a table.
SHIPML_API ParamSpec int_param(std::string name, std::int64_t def, std::int64_t min, std::string doc);
SHIPML_API ParamSpec real_param(std::string name, double def, double min, std::string doc, bool min_exclusive = false,
                     double max = std::numeric_limits<double>::infinity());
SHIPML_API ParamSpec bool_param(std::string name, bool def, std::string doc);
SHIPML_API ParamSpec choice_param(std::string name, std::string def, std::vector<std::string> choices, std::string doc);

/// Validated parameter values: every declared parameter, defaults filled in, in
/// canonical text form (so they print, compare and save exactly).
class SHIPML_API Params {
 public:
  Params() = default;
  /// Checks `given` against `specs`; a UsageError naming `owner`, the parameter,
  /// the value and what is allowed when something is wrong.
  static Params validate(const std::string& owner, const std::vector<ParamSpec>& specs,
                         const std::map<std::string, std::string>& given);

  std::int64_t integer(const std::string& name) const;
  double real(const std::string& name) const;
  bool boolean(const std::string& name) const;
  const std::string& text(const std::string& name) const;
  const std::map<std::string, std::string>& values() const { return values_; }

 private:
  std::map<std::string, std::string> values_;
};

/// Parses "k=v" into a key and a value; UsageError when there is no '='.
SHIPML_API std::pair<std::string, std::string> parse_assignment(const std::string& text);

}  // namespace shipml
