#pragma once
// Where rows end in a stream of CSV bytes, without tokenizing them: a state
// machine that follows the tokenizer's rules (a quote opens a quoted cell only
// at the cell's start; "" inside is a literal quote) and counts lines as the
// tokenizer counts them (\n, \r\n or a lone \r outside quotes; \n inside).
#include <cstddef>
#include <cstring>
#include <string_view>

namespace shipml::csv {

class RowEnds {
 public:
  explicit RowEnds(char delimiter, std::size_t line = 1) : delimiter_(delimiter), line_(line) {}

  /// Follows data[from, to). Stops after the first row end when `first_only`.
  /// A row end is just after a '\n' that is not inside a quoted cell.
  void scan(std::string_view data, std::size_t from, std::size_t to, bool first_only) {
    std::size_t bytewise_until = from;  // bytes before this go through step() one by one
    for (std::size_t i = from; i < to;) {
      if (i >= bytewise_until && state_ != State::quoted && state_ != State::quote) {
        // Up to the next line break, a stretch without quotes or \r changes
        // nothing but whether it ends at a cell's start: skip it at memchr's
        // speed (most lines of most files are such stretches).
        const char* begin = data.data() + i;
        const auto* line_break = static_cast<const char*>(std::memchr(begin, '\n', to - i));
        const std::size_t end = line_break ? static_cast<std::size_t>(line_break - data.data()) : to;
        if (end > i && !std::memchr(begin, '"', end - i) && !std::memchr(begin, '\r', end - i)) {
          state_ = data[end - 1] == delimiter_ ? State::cell : State::unquoted;
          after_cr_ = false;
          i = end;
          continue;
        }
        bytewise_until = end;
      }
      if (step(data[i], i) && first_only) return;
      ++i;
    }
  }
  /// Just after the last row end scanned since start(); 0 when none.
  std::size_t cut() const { return cut_; }
  /// The tokenizer's line there, and the rows (with any content) that ended before it.
  std::size_t cut_line() const { return cut_line_; }
  std::size_t cut_rows() const { return cut_rows_; }

  /// Forgets the last cut (so that the next one found is told apart), keeping
  /// the state: for a caller that moves on to another buffer of the same stream.
  void forget_cut() { cut_ = 0; }

  /// Starts again at the last cut, whose position becomes 0.
  void restart_at_cut() {
    state_ = State::row;
    after_cr_ = false;
    line_ = cut_line_;
    rows_ = cut_rows_;
    cut_ = 0;
  }

 private:
  // Follows one byte at position i; true when a row ends after it.
  bool step(char c, std::size_t i) {
    if (state_ == State::quoted) {
      if (c == '"') state_ = State::quote;
      else if (c == '\n') ++line_;
      return false;
    }
    if (c == '\n' || c == '\r') {
      if (c == '\r' || !after_cr_) {
        ++line_;
        if (state_ != State::row) ++rows_;
        state_ = State::row;
      }
      after_cr_ = c == '\r';
      if (c != '\n') return false;
      cut_ = i + 1;
      cut_line_ = line_;
      cut_rows_ = rows_;
      return true;
    }
    after_cr_ = false;
    if (c == '"' && (state_ == State::row || state_ == State::cell)) state_ = State::quoted;
    else if (c == '"' && state_ == State::quote) state_ = State::quoted;  // "" inside quotes
    else if (c == delimiter_) state_ = State::cell;
    else state_ = State::unquoted;
    return false;
  }

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
