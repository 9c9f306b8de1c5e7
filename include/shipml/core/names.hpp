#pragma once
/// \file
/// Small helpers for things looked up by name, so every "unknown X" error reads
/// the same and lists what would have been accepted.
#include <string>
#include <vector>

#include "shipml/core/error.hpp"

namespace shipml {

/// "a, b, c".
inline std::string join(const std::vector<std::string>& items, const std::string& separator = ", ") {
  std::string out;
  for (const auto& s : items) {
    if (!out.empty()) out += separator;
    out += s;
  }
  return out;
}

/// The item whose `.name` is `name`; otherwise a UsageError such as
/// "unknown metric 'x' (metrics: a, b)".
template <class Item>
const Item& find_named(const std::vector<Item>& items, const std::string& name, const std::string& kind) {
  std::vector<std::string> known;
  for (const auto& item : items) {
    if (item.name == name) return item;
    known.push_back(item.name);
  }
  throw UsageError("unknown " + kind + " '" + name + "' (" + kind + "s: " + join(known) + ")");
}

}  // namespace shipml
