#pragma once
// The plain text tables `runs list`, `runs compare` and `registry history` print.
#include <algorithm>
#include <iostream>
#include <string>
#include <vector>

namespace shipml::cli {

/// A header row, then rows; columns as wide as their widest cell, two spaces apart.
inline void print_table(const std::vector<std::vector<std::string>>& rows) {
  std::vector<std::size_t> width;
  for (const auto& r : rows)
    for (std::size_t c = 0; c < r.size(); ++c) {
      width.resize(std::max(width.size(), r.size()));
      width[c] = std::max(width[c], r[c].size());
    }
  for (const auto& r : rows) {
    std::string line;
    for (std::size_t c = 0; c < r.size(); ++c) {
      line += r[c];
      if (c + 1 < r.size()) line += std::string(width[c] - r[c].size() + 2, ' ');
    }
    line.erase(line.find_last_not_of(' ') + 1);  // an empty last cell leaves no trailing spaces
    std::cout << line << '\n';
  }
}

}  // namespace shipml::cli
