#pragma once
// From rows of cells to columns: what the header says (names, declared types,
// columns to read) and the builders that collect a range of rows. The
// whole-file parse reads one range or several in parallel; a CSV source's
// block is one range with every type declared.
#include <cstdint>
#include <limits>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "io/csv_tokenizer.hpp"
#include "shipml/core/frame.hpp"
#include "shipml/io/csv.hpp"

namespace shipml::csv {

enum class Declared { inferred, numeric, categorical };

// Collects one column's cells. Starts numeric (unless declared categorical) and
// turns categorical at the first cell that is not a number; the reader then
// replays the rows before it. Categories are kept in the order first seen
// until finish() sorts them.
struct ColumnBuilder {
  struct Hash {
    using is_transparent = void;
    std::size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };
  std::string name;
  Declared declared = Declared::inferred;
  bool keep = true;  // read (a column not in CsvOptions::columns is skipped)
  bool text = false;
  std::vector<double> numbers;
  // The parallel parse writes numbers straight into the file's column, each
  // range into its own slice, long enough for every row the range can hold;
  // `numbers` then stays empty.
  double* slice = nullptr;
  std::size_t sliced = 0;
  std::vector<std::int32_t> codes;
  std::unordered_map<std::string, std::int32_t, Hash, std::equal_to<>> index;
  std::vector<std::string> categories;
  std::string first_infinite;  // "file:line:col: 'inf'", refused if the column stays numeric

  void add_number(double value) {
    if (slice) slice[sliced++] = value;
    else numbers.push_back(value);
  }
  void add_missing() {
    if (text) codes.push_back(kMissingCode);
    else add_number(std::numeric_limits<double>::quiet_NaN());
  }
  void add_text(std::string_view s) {
    auto it = index.find(s);
    if (it == index.end()) {
      it = index.emplace(std::string(s), static_cast<std::int32_t>(categories.size())).first;
      categories.emplace_back(s);
    }
    codes.push_back(it->second);
  }
  // Starts over as text (the replay then adds every row again).
  void become_text() {
    text = true;
    numbers = {};
    slice = nullptr;
    sliced = 0;
  }
  /// The column, dictionary sorted; a DataError for an infinite number in a numeric column.
  Column finish();
};

// What the header row says, shared by every range of a file.
struct Layout {
  std::vector<ColumnBuilder> columns;  // one per field, empty, typed as declared
  std::size_t data_begin = 0;          // where the first data row may start
  std::size_t data_line = 1;           // the line there
};

/// Reads the header with `tokens` (at the start of the text) and applies
/// `options`: declared types, required and selected columns.
Layout read_layout(Tokenizer& tokens, const CsvOptions& options, const std::string& source);

// One range's rows into column builders.
class RowReader {
 public:
  RowReader(std::string_view text, const Layout& layout, const CsvOptions& options, const MissingTokens& missing,
            const std::string& source);

  /// Reads the rows that start in [begin, limit) (begin on line `line`);
  /// false when the last one runs past `limit` (a cut inside a quoted cell)
  /// or there are more than `max_rows`.
  bool read(std::size_t begin, std::size_t line, std::size_t limit = std::string_view::npos,
            std::size_t max_rows = std::string_view::npos);
  /// Reads the rows again for the columns that are numeric here but text in
  /// the file as a whole.
  void as_text(const std::vector<bool>& text_columns);

  std::vector<ColumnBuilder> columns;
  std::size_t rows() const { return rows_.size(); }

 private:
  struct RowStart {
    std::size_t pos, line;
  };
  bool add(ColumnBuilder& column, const Cell& cell, std::size_t line, std::size_t field);
  void replay(const std::vector<std::size_t>& fields, std::size_t rows);

  std::string_view text_;
  const CsvOptions& options_;
  const MissingTokens& missing_;
  const std::string& source_;
  std::vector<RowStart> rows_;
};

/// The frame of finished columns (those kept).
Frame finish(std::vector<ColumnBuilder>& columns);

}  // namespace shipml::csv
