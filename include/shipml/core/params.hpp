#pragma once
/// \file
/// Hyperparameters are declared once (name, type, default, allowed values, doc).
/// Validation, `shipml estimators NAME`, and the parameter record in model files
/// all read the same declaration.
#include <cstdint>
#include <functional>
#include <limits>
#include <map>
#include <string>
#include <vector>

#include "shipml/core/export.hpp"

namespace shipml {

/// The type of a hyperparameter's value.
enum class ParamType {
  integer,  ///< a whole number
  real,     ///< a number
  boolean,  ///< true or false
  choice,   ///< one of a list of words
  text      ///< free text, checked by ParamSpec::accepts
};

/// The declaration of one hyperparameter: name, type, default, allowed values, doc.
struct SHIPML_API ParamSpec {
  std::string name;                  ///< as set on the command line (`--set name=value`) and in spec files
  ParamType type = ParamType::real;  ///< what kind of value it takes
  std::string default_value;         ///< the default, in canonical text form
  std::string doc;                   ///< one line for `shipml estimators NAME`
  /// Integer and real: the smallest allowed value (-inf: none).
  double min = -std::numeric_limits<double>::infinity();
  /// Integer and real: the largest allowed value, inclusive (inf: none).
  double max = std::numeric_limits<double>::infinity();
  bool min_exclusive = false;        ///< whether `min` itself is excluded
  std::vector<std::string> choices;  ///< for ParamType::choice
  /// For ParamType::text: returns true when the value is acceptable.
  std::function<bool(const std::string&)> accepts;
  /// For ParamType::text: what is accepted, in words.
  std::string allowed_text;

  /// What values are allowed, in words ("an integer >= 0", "one of gini, entropy").
  std::string allowed() const;
  /// Empty when `value` is acceptable, otherwise why not.
  std::string check(const std::string& value) const;
};

// Declaration helpers, so a parameter list reads as a table.
/// An integer parameter of at least `min`.
SHIPML_API ParamSpec int_param(std::string name, std::int64_t def, std::int64_t min, std::string doc);
/// A real parameter of at least `min` (more than `min` when `min_exclusive`) and at most `max`.
SHIPML_API ParamSpec real_param(std::string name, double def, double min, std::string doc, bool min_exclusive = false,
                                double max = std::numeric_limits<double>::infinity());
/// A true or false parameter.
SHIPML_API ParamSpec bool_param(std::string name, bool def, std::string doc);
/// A parameter that takes one of `choices`.
SHIPML_API ParamSpec choice_param(std::string name, std::string def, std::vector<std::string> choices, std::string doc);

/// Validated parameter values: every declared parameter, defaults filled in, in
/// canonical text form (so they print, compare and save exactly).
class SHIPML_API Params {
 public:
  /// No parameters; validate() makes the real ones.
  Params() = default;
  /// Checks `given` against `specs`; a UsageError naming `owner`, the parameter,
  /// the value and what is allowed when something is wrong.
  static Params validate(const std::string& owner, const std::vector<ParamSpec>& specs,
                         const std::map<std::string, std::string>& given);

  /// A parameter's value as an integer.
  std::int64_t integer(const std::string& name) const;
  /// A parameter's value as a number.
  double real(const std::string& name) const;
  /// A parameter's value as true or false.
  bool boolean(const std::string& name) const;
  /// A parameter's value as text (choices and text parameters).
  const std::string& text(const std::string& name) const;
  /// Every parameter's value by name, in canonical text form.
  const std::map<std::string, std::string>& values() const { return values_; }

 private:
  std::map<std::string, std::string> values_;
};

/// Parses "k=v" into a key and a value; UsageError when there is no '='.
SHIPML_API std::pair<std::string, std::string> parse_assignment(const std::string& text);

}  // namespace shipml
