#pragma once
// CSV text into rows of cells (RFC 4180), shared by the whole-file parse (one
// thread or several) and the block reader of CSV sources.
#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace shipml::csv {

/// Line and column (1-based) of byte `pos` of `data`, whose first byte is on `first_line`.
std::string where(std::string_view data, std::size_t pos, std::size_t first_line = 1);

/// Refuses text that is not UTF-8, at the first byte that shows it. `at_file_start`:
/// `data` begins the file, so byte-order marks of other encodings can be told.
void check_encoding(std::string_view data, const std::string& source, std::size_t first_line = 1,
                    bool at_file_start = true);

struct Cell {
  std::string_view text;
  std::size_t column;  // 1-based character position in its line, for errors
};

// Splits the input into rows of cells. A quote opens a quoted cell only at the
// cell's start; inside one, "" is a literal quote. Quoted cells are unquoted; a
// cell with doubled quotes inside is rebuilt in a scratch string that lives
// until the next row.
class Tokenizer {
 public:
  Tokenizer(std::string_view data, char delimiter, const std::string& source);

  /// Reads the next non-blank row into `cells`; false at the end of the data,
  /// or when the row would start at or after `limit`.
  bool next(std::vector<Cell>& cells, std::size_t limit = std::string_view::npos) {
    if (!scratch_.empty()) scratch_.clear();
    while (pos_ < data_.size() && (data_[pos_] == '\n' || data_[pos_] == '\r')) skip_newline();
    if (pos_ >= data_.size() || pos_ >= limit) {
      cells.clear();
      return false;
    }
    row_start_ = pos_;
    row_line_ = line_;
    // The cells overwrite the last row's in place: rows are mostly as long as
    // the one before, and then nothing is allocated or resized.
    std::size_t n = 0;
    const auto put = [&](Cell cell) {
      if (n < cells.size()) cells[n] = cell;
      else cells.push_back(cell);
      ++n;
    };
    for (;;) {
      put(read_cell());
      if (pos_ >= data_.size()) break;
      if (data_[pos_] == delimiter_) {
        ++pos_;
        if (pos_ >= data_.size()) {  // a trailing delimiter ends with an empty cell
          put({std::string_view(), pos_ - line_start_ + 1});
          break;
        }
        continue;
      }
      skip_newline();
      break;
    }
    if (n != cells.size()) cells.resize(n);
    return true;
  }

  std::size_t row_start() const { return row_start_; }
  std::size_t row_line() const { return row_line_; }
  /// Where reading stands: after the last row read (and its line break).
  std::size_t pos() const { return pos_; }
  std::size_t line() const { return line_; }
  void seek(std::size_t pos, std::size_t line) {
    pos_ = pos;
    line_ = line;
    line_start_ = pos;
  }

 private:
  Cell read_cell() {
    const std::size_t column = pos_ - line_start_ + 1;
    if (pos_ < data_.size() && data_[pos_] == '"') return read_quoted(column);
    const std::size_t begin = pos_;
    const char* p = data_.data() + pos_;
    const char* end = data_.data() + data_.size();
    while (p != end && !stops_[static_cast<unsigned char>(*p)]) ++p;
    pos_ = static_cast<std::size_t>(p - data_.data());
    return {data_.substr(begin, pos_ - begin), column};
  }

  Cell read_quoted(std::size_t column);

  void count_lines(std::size_t from, std::size_t to) {
    for (std::size_t i = from; i < to; ++i)
      if (data_[i] == '\n') {
        ++line_;
        line_start_ = i + 1;
      }
  }

  void skip_newline() {
    if (data_[pos_] == '\r' && pos_ + 1 < data_.size() && data_[pos_ + 1] == '\n') ++pos_;
    ++pos_;
    ++line_;
    line_start_ = pos_;
  }

  std::string_view data_;
  char delimiter_;
  const std::string& source_;
  std::array<bool, 256> stops_{};  // the bytes that end an unquoted cell
  std::size_t pos_ = 0, line_ = 1, line_start_ = 0;
  std::size_t row_start_ = 0, row_line_ = 1;
  std::vector<std::unique_ptr<std::string>> scratch_;
};

/// The missing-value tokens, checked cheaply: most cells have a length, or a
/// first byte, that no token has.
class MissingTokens {
 public:
  explicit MissingTokens(const std::vector<std::string>& tokens);
  bool operator()(std::string_view cell) const {
    if (cell.empty()) return empty_;
    if (cell.size() >= 64 || !(lengths_ >> cell.size() & 1) || !first_[static_cast<unsigned char>(cell[0])])
      return cell.size() >= 64 && long_ && any_equal(cell);
    return any_equal(cell);
  }

 private:
  bool any_equal(std::string_view cell) const {
    return std::any_of(tokens_.begin(), tokens_.end(), [&](const std::string& t) { return t == cell; });
  }
  std::vector<std::string> tokens_;
  std::uint64_t lengths_ = 0;  // bit n: a token of n bytes (n < 64)
  std::array<bool, 256> first_{};
  bool empty_ = false, long_ = false;
};

}  // namespace shipml::csv
