#pragma once
// Where rows end in a stream of CSV bytes, without tokenizing them: a state
// machine that follows the tokenizer's rules (a quote opens a quoted cell only
// at the cell's start; "" inside is a literal quote) and counts lines as the
// tokenizer counts them (\n, \r\n or a lone \r outside quotes; \n inside).
#include <cstddef>
#include <string_view>

namespace shipml::csv {

class RowEnds {
 public:
  explicit RowEnds(char delimiter, std::size_t line = 1) : delimiter_(delimiter), line_(line) {}

  /// Follows data[from, to). Stops after the first row end when `first_only`.
  /// A row end is just after a '\n' that is not inside a quoted cell.
  void scan(std::string_view data, std::size_t from, std::size_t to, bool first_only) {
    for (std::size_t i = from; i < to; ++i) {
      const char c = data[i];
      if (state_ == State::quoted) {
        if (c == '"') state_ = State::quote;
        else if (c == '\n') ++line_;
        continue;
      }
      if (c == '\n' || c == '\r') {
        if (c == '\r' || !after_cr_) {
          ++line_;
          if (state_ != State::row) ++rows_;
          state_ = State::row;
        }
        after_cr_ = c == '\r';
        if (c == '\n') {
          cut_ = i + 1;
          cut_line_ = line_;
          cut_rows_ = rows_;
          if (first_only) return;
        }
        continue;
      }
      after_cr_ = false;
      if (c == '"' && (state_ == State::row || state_ == State::cell)) state_ = State::quoted;
      else if (c == '"' && state_ == State::quote) state_ = State::quoted;  // "" inside quotes
      else if (c == delimiter_) state_ = State::cell;
      else state_ = State::unquoted;
    }
  }

  /// Just after the last row end scanned since start(); 0 when none.
  std::size_t cut() const { return cut_; }
  /// The tokenizer's line there, and the rows (with any content) that ended before it.
  std::size_t cut_line() const { return cut_line_; }
  std::size_t cut_rows() const { return cut_rows_; }

  /// Starts again at the last cut, whose position becomes 0.
  void restart_at_cut() {
    state_ = State::row;
    after_cr_ = false;
    line_ = cut_line_;
    rows_ = cut_rows_;
    cut_ = 0;
  }

 private:
  // row: nothing of the row yet; cell: at a cell's start; quote: a quote in a
  // quoted cell, which closes it unless another follows.
  enum class State { row, cell, unquoted, quoted, quote };
  char delimiter_;
  State state_ = State::row;
  bool after_cr_ = false;  // the last byte was a \r that ended a row
  std::size_t line_, rows_ = 0;
  std::size_t cut_ = 0, cut_line_ = 1, cut_rows_ = 0;
};

}  // namespace shipml::csv
