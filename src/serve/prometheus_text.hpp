#pragma once
// Pieces of Prometheus' text exposition format, shared by everything /metrics shows.
#include <string>

#include "request_table.hpp"

namespace shipml::serve {

/// A label value, escaped as the exposition format requires.
inline std::string prometheus_label(const std::string& value) {
  std::string out;
  for (char c : value) {
    if (c == '\\' || c == '"') out += '\\';
    if (c == '\n') {
      out += "\\n";
      continue;
    }
    out += c;
  }
  return out;
}

/// A sample value: the shortest text that reads back as `v`.
inline std::string prometheus_number(double v) {
  std::string out;
  append_json_number(out, v);
  return out;
}

}  // namespace shipml::serve
