#pragma once
/// \file
/// CSV reading (RFC 4180): header row, quoted fields with commas, quotes and line
/// breaks inside, CRLF or LF, UTF-8 with or without BOM, configurable missing-value
/// tokens, per-column type inference with explicit overrides. Every error names
/// the source, the line and the column.
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "shipml/core/export.hpp"
#include "shipml/core/frame.hpp"
#include "shipml/data/dataset.hpp"

namespace shipml {

/// How read_csv() reads a file.
struct SHIPML_API CsvOptions {
  char delimiter = ',';  ///< the field separator
  /// Cells equal to one of these (quoted or not) are missing.
  std::vector<std::string> missing_values = {"", "NA", "N/A", "NaN", "nan", "null", "NULL", "None"};
  /// Columns read as categories even when every value is a number.
  std::vector<std::string> categorical;
  /// Columns that must be numbers; a value that is not one is an error.
  std::vector<std::string> numeric;
  /// Columns that must be present (for example the target).
  std::vector<std::string> required;
  /// Read only these columns, in the file's order (empty: every column). A
  /// name the file does not have is an error, as for `required`.
  std::vector<std::string> columns;
  /// Threads that parse (0: all cores). The result does not depend on it.
  int threads = 0;
};

/// Reads a CSV file into a Frame. Columns are numeric unless a non-missing value
/// is not a number, then categorical (overridable in `options`).
SHIPML_API Frame read_csv(const std::string& path, const CsvOptions& options = {});

/// Reads a CSV whose `target` column must exist, as the data to learn from.
SHIPML_API Dataset read_dataset(const std::string& path, const std::string& target, CsvOptions options = {});

/// The same from text in memory; `source` names it in error messages.
SHIPML_API Frame parse_csv(std::string_view text, const CsvOptions& options = {}, const std::string& source = "<csv>");

/// A cell as the reader reads a number (blanks around it and a leading '+'
/// allowed, nothing else); nullopt when it is not one. A number beyond the
/// double range reads as infinite (and one too small as 0), as strtod reads it.
SHIPML_API std::optional<double> parse_number(std::string_view cell);

/// Writes a frame as CSV (quoting where needed, missing as empty), atomically.
SHIPML_API void write_csv(const std::string& path, const Frame& frame);
/// A frame as CSV text, as write_csv() writes it.
SHIPML_API std::string to_csv(const Frame& frame);

}  // namespace shipml
