#pragma once
// Reading YAML (and JSON, which YAML reads too) files whose mistakes are
// reported at their line and column: experiment files and model specs.
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <map>
#include <string>
#include <vector>

#include "shipml/core/error.hpp"
#include "shipml/core/names.hpp"

namespace shipml {

// Reads YAML nodes, naming the file, line and column of anything wrong.
class Reader {
 public:
  explicit Reader(std::string file) : file_(std::move(file)) {}

  [[noreturn]] void fail(const YAML::Node& at, const std::string& message) const {
    const YAML::Mark m = at.Mark();
    if (m.is_null()) throw UsageError(file_ + ": " + message);
    throw UsageError(file_ + ": line " + std::to_string(m.line + 1) + ", column " + std::to_string(m.column + 1) +
                     ": " + message);
  }

  void keys(const YAML::Node& map, const std::vector<std::string>& allowed, const std::string& where) const {
    if (!map.IsMap()) fail(map, where + " must be a mapping of keys to values");
    for (const auto& kv : map) {
      const std::string key = kv.first.Scalar();
      if (std::find(allowed.begin(), allowed.end(), key) == allowed.end())
        fail(kv.first, "unknown key '" + key + "' in " + where + " (keys: " + join(allowed) + ")");
    }
  }

  std::string text(const YAML::Node& n, const std::string& what) const {
    if (!n.IsScalar()) fail(n, what + " must be a single value");
    return n.Scalar();
  }

  double number(const YAML::Node& n, const std::string& what) const {
    const std::string t = text(n, what);
    try {
      std::size_t used = 0;
      const double v = std::stod(t, &used);
      if (used == t.size()) return v;
    } catch (const std::exception&) {
    }
    fail(n, what + " must be a number, not '" + t + "'");
  }

  std::size_t count(const YAML::Node& n, const std::string& what) const {
    const double v = number(n, what);
    if (v < 0 || v != static_cast<double>(static_cast<std::size_t>(v))) fail(n, what + " must be a whole number >= 0");
    return static_cast<std::size_t>(v);
  }

  bool boolean(const YAML::Node& n, const std::string& what) const {
    const std::string t = text(n, what);
    if (t == "true" || t == "yes" || t == "on") return true;
    if (t == "false" || t == "no" || t == "off") return false;
    fail(n, what + " must be true or false, not '" + t + "'");
  }

  // A value or a list of values.
  std::vector<std::string> list(const YAML::Node& n, const std::string& what) const {
    if (n.IsScalar()) return {n.Scalar()};
    if (!n.IsSequence()) fail(n, what + " must be a value or a list of values");
    std::vector<std::string> out;
    for (const auto& item : n) out.push_back(text(item, what + " item"));
    return out;
  }

  std::map<std::string, std::string> params(const YAML::Node& n, const std::string& what) const {
    if (!n.IsMap()) fail(n, what + " must map parameter names to values");
    std::map<std::string, std::string> out;
    for (const auto& kv : n) out[kv.first.Scalar()] = text(kv.second, what + "." + kv.first.Scalar());
    return out;
  }

  // Runs `check` and moves any UsageError it raises to `at`'s line.
  template <typename F>
  void at(const YAML::Node& n, F&& check) const {
    try {
      check();
    } catch (const UsageError& e) {
      fail(n, e.what());
    }
  }

 private:
  std::string file_;
};

/// The file's top node; a UsageError at the line and column of a syntax error.
YAML::Node load_yaml(const std::string& path);

}  // namespace shipml
