#pragma once
// Frames as CSV and JSON-lines text, appended to a buffer the caller reuses:
// to_csv() and the file sinks write through these, so they agree byte for byte.
#include <charconv>
#include <cstddef>
#include <string>
#include <string_view>

#include "shipml/core/frame.hpp"

namespace shipml::csv {

/// A number the shortest way that reads back exactly, as format_number() writes it.
inline void append_number(std::string& out, double value) {
  char buffer[32];
  const auto [end, ec] = std::to_chars(buffer, buffer + sizeof buffer, value);
  out.append(buffer, end);
}

/// A CSV cell, quoted when it holds a delimiter, a quote, a line break or a
/// leading byte-order mark (which a reader would strip).
void append_cell(std::string& out, std::string_view cell);

/// The header row of `frame`'s names.
void append_header(std::string& out, const Frame& frame);

/// Rows [begin, end) of `frame`, missing values as empty cells.
void append_rows(std::string& out, const Frame& frame, std::size_t begin, std::size_t end);

/// A JSON string literal, escaped.
void append_json_string(std::string& out, std::string_view text);

/// Rows [begin, end) as JSON lines: one object per row, numbers as numbers,
/// categories as strings, missing (and non-finite) values as null.
void append_json_lines(std::string& out, const Frame& frame, std::size_t begin, std::size_t end);

}  // namespace shipml::csv
