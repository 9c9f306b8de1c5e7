#include "shipml/io/csv.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <optional>
#include <unordered_map>

#include "shipml/core/error.hpp"
#include "shipml/core/names.hpp"
#include "shipml/io/file.hpp"

namespace shipml {

std::optional<double> parse_number(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  if (!s.empty() && s.front() == '+') s.remove_prefix(1);
  if (s.empty()) return std::nullopt;
  double value;
  const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), value);
  if (end != s.data() + s.size()) return std::nullopt;
  // Out of range is still a number: beyond the largest double it is infinite
  // (which readers then refuse, naming it), below the smallest it is 0.
  if (ec == std::errc::result_out_of_range) return std::strtod(std::string(s).c_str(), nullptr);
  if (ec != std::errc()) return std::nullopt;
  return value;
}

namespace {

// Line and column (1-based) of byte `pos`, for errors.
std::string where(std::string_view data, std::size_t pos) {
  const std::size_t line = 1 + static_cast<std::size_t>(std::count(data.begin(), data.begin() + pos, '\n'));
  const std::size_t start = data.rfind('\n', pos == 0 ? 0 : pos - 1);
  return std::to_string(line) + ":" + std::to_string(pos - (start == std::string_view::npos ? 0 : start + 1) + 1);
}

// CSV is read as UTF-8 (or ASCII). Other encodings would come out as columns
// named in junk and errors far from the cause: refuse them at the first byte
// that shows it, saying what the file seems to be and how to convert it.
void check_encoding(std::string_view data, const std::string& source) {
  const auto convert = [&](const std::string& from) {
    return " (shipml reads UTF-8; convert it: iconv -f " + from + " -t UTF-8 " + source + " > converted.csv)";
  };
  if (data.starts_with(std::string_view("\xFF\xFE\0\0", 4)) || data.starts_with(std::string_view("\0\0\xFE\xFF", 4)))
    throw DataError(source + ": the file is UTF-32 (it starts with a UTF-32 byte-order mark)" + convert("UTF-32"));
  if (data.starts_with("\xFF\xFE") || data.starts_with("\xFE\xFF"))
    throw DataError(source + ": the file is UTF-16 (it starts with a UTF-16 byte-order mark)" + convert("UTF-16"));
  if (const void* nul = std::memchr(data.data(), 0, data.size()))
    throw DataError(source + ":" + where(data, static_cast<std::size_t>(static_cast<const char*>(nul) - data.data())) +
                    ": a NUL byte: this is not a text CSV file (binary data, or UTF-16 without a byte-order mark)");
  for (std::size_t i = 0; i < data.size();) {
    std::uint64_t word;  // eight ASCII bytes at a time: the common case costs little
    if (i + 8 <= data.size() && (std::memcpy(&word, data.data() + i, 8), (word & 0x8080808080808080ULL) == 0)) {
      i += 8;
      continue;
    }
    const auto c = static_cast<unsigned char>(data[i]);
    if (c < 0x80) {
      ++i;
      continue;
    }
    const std::size_t length = utf8_sequence_at(data, i);
    if (length == 0)
      throw DataError(source + ":" + where(data, i) + ": bytes that are not UTF-8 ('" + echoed(data.substr(i, 4), 16) +
                      "'): the file may be Latin-1 or Windows-1252" + convert("WINDOWS-1252"));
    i += length;
  }
}

struct Cell {
  std::string_view text;
  std::size_t column;  // 1-based character position in its line, for errors
};

// Splits the input into rows of cells. Quoted cells are unquoted; a cell with
// doubled quotes inside is rebuilt in a scratch string that lives until the next row.
class Tokenizer {
 public:
  Tokenizer(std::string_view data, char delimiter, const std::string& source)
      : data_(data), delimiter_(delimiter), source_(source) {
    if (data_.starts_with("\xEF\xBB\xBF")) pos_ = 3;
  }

  /// Reads the next non-blank row into `cells`; false at the end of the data.
  bool next(std::vector<Cell>& cells) {
    cells.clear();
    scratch_.clear();
    while (pos_ < data_.size() && (data_[pos_] == '\n' || data_[pos_] == '\r')) skip_newline();
    if (pos_ >= data_.size()) return false;
    row_start_ = pos_;
    row_line_ = line_;
    for (;;) {
      cells.push_back(read_cell());
      if (pos_ >= data_.size()) return true;
      const char c = data_[pos_];
      if (c == delimiter_) {
        ++pos_;
        if (pos_ >= data_.size()) {  // a trailing delimiter ends with an empty cell
          cells.push_back({std::string_view(), pos_ - line_start_ + 1});
          return true;
        }
        continue;
      }
      skip_newline();
      return true;
    }
  }

  std::size_t row_start() const { return row_start_; }
  std::size_t row_line() const { return row_line_; }
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
    while (pos_ < data_.size()) {
      const char c = data_[pos_];
      if (c == delimiter_ || c == '\n' || c == '\r') break;
      ++pos_;
    }
    return {data_.substr(begin, pos_ - begin), column};
  }

  Cell read_quoted(std::size_t column) {
    const std::size_t open_line = line_;
    const std::size_t begin = ++pos_;
    std::string* rebuilt = nullptr;
    std::size_t piece = begin;
    for (;;) {
      const std::size_t quote = data_.find('"', pos_);
      if (quote == std::string_view::npos)
        throw DataError(source_ + ":" + std::to_string(open_line) + ":" + std::to_string(column) +
                        ": unterminated quoted field");
      count_lines(pos_, quote);
      if (quote + 1 < data_.size() && data_[quote + 1] == '"') {  // "" is a literal quote
        if (!rebuilt) rebuilt = scratch_.emplace_back(std::make_unique<std::string>()).get();
        rebuilt->append(data_.substr(piece, quote + 1 - piece));
        pos_ = piece = quote + 2;
        continue;
      }
      pos_ = quote + 1;
      if (pos_ < data_.size()) {
        const char c = data_[pos_];
        if (c != delimiter_ && c != '\n' && c != '\r')
          throw DataError(source_ + ":" + std::to_string(line_) + ":" + std::to_string(pos_ - line_start_ + 1) +
                          ": unexpected character '" + std::string(1, c) + "' after a closing quote");
      }
      if (!rebuilt) return {data_.substr(begin, quote - begin), column};
      rebuilt->append(data_.substr(piece, quote - piece));
      return {*rebuilt, column};
    }
  }

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
  std::size_t pos_ = 0, line_ = 1, line_start_ = 0;
  std::size_t row_start_ = 0, row_line_ = 1;
  std::vector<std::unique_ptr<std::string>> scratch_;
};

enum class Declared { inferred, numeric, categorical };

// Collects one column's cells. Starts numeric (unless declared categorical) and
// turns categorical at the first cell that is not a number; the reader then
// replays the rows before it.
struct ColumnBuilder {
  std::string name;
  Declared declared = Declared::inferred;
  bool text = false;
  std::vector<double> numbers;
  std::vector<std::int32_t> codes;
  std::unordered_map<std::string, std::int32_t> index;
  std::vector<std::string> categories;
  std::string first_infinite;  // "file:line:col: 'inf'", refused if the column stays numeric

  void add_missing() {
    if (text) codes.push_back(kMissingCode);
    else numbers.push_back(std::nan(""));
  }
  void add_text(std::string_view s) {
    auto [it, added] = index.try_emplace(std::string(s), static_cast<std::int32_t>(categories.size()));
    if (added) categories.emplace_back(s);
    codes.push_back(it->second);
  }
  Column finish() {
    if (!text && !first_infinite.empty())
      throw DataError(first_infinite + " in column '" + name +
                      "' is not a finite number; shipml reads finite numbers only (an empty cell is missing)");
    if (!text) return Column::numeric(std::move(name), std::move(numbers));
    // Sorted dictionaries make the codes independent of row order.
    std::vector<std::int32_t> order(categories.size());
    for (std::size_t i = 0; i < order.size(); ++i) order[i] = static_cast<std::int32_t>(i);
    std::sort(order.begin(), order.end(), [&](auto a, auto b) { return categories[a] < categories[b]; });
    std::vector<std::int32_t> remap(order.size());
    auto sorted = std::make_shared<Categories>();
    for (std::size_t i = 0; i < order.size(); ++i) {
      remap[order[i]] = static_cast<std::int32_t>(i);
      sorted->push_back(std::move(categories[order[i]]));
    }
    for (auto& c : codes)
      if (c != kMissingCode) c = remap[c];
    return Column::categorical(std::move(name), std::move(codes), std::move(sorted));
  }
};

}  // namespace

Frame parse_csv(std::string_view text, const CsvOptions& options, const std::string& source) {
  check_encoding(text, source);
  Tokenizer tokens(text, options.delimiter, source);
  std::vector<Cell> cells;
  if (!tokens.next(cells)) throw DataError(source + ": empty file (no header row)");

  std::vector<ColumnBuilder> columns(cells.size());
  std::unordered_map<std::string, std::size_t> by_name;
  for (std::size_t i = 0; i < cells.size(); ++i) {
    std::string name(cells[i].text);
    if (name.empty()) name = "column_" + std::to_string(i + 1);
    if (auto [it, added] = by_name.emplace(name, i); !added)
      throw DataError(source + ":" + std::to_string(tokens.row_line()) + ": duplicate column name '" + echoed(name) +
                      "' (fields " + std::to_string(it->second + 1) + " and " + std::to_string(i + 1) + ")");
    columns[i].name = std::move(name);
  }
  std::vector<std::string> header;
  for (const auto& c : columns) header.push_back(c.name);
  auto declare = [&](const std::vector<std::string>& names, Declared how, const char* what) {
    for (const auto& n : names) {
      auto it = by_name.find(n);
      if (it == by_name.end())
        throw UsageError(source + ": cannot declare '" + n + "' " + what +
                         ": no such column (columns: " + listed(header) + ")");
      columns[it->second].declared = how;
      columns[it->second].text = how == Declared::categorical;
    }
  };
  declare(options.categorical, Declared::categorical, "categorical");
  declare(options.numeric, Declared::numeric, "numeric");
  for (const auto& n : options.required)
    if (!by_name.count(n))
      throw DataError(source + ": no column named '" + echoed(n) + "' (columns: " + listed(header) + ")");

  auto is_missing = [&](std::string_view s) {
    for (const auto& token : options.missing_values)
      if (s == token) return true;
    return false;
  };
  auto add = [&](ColumnBuilder& column, const Cell& cell, std::size_t line, std::size_t field) -> bool {
    if (is_missing(cell.text)) {
      column.add_missing();
      return true;
    }
    if (column.text) {
      column.add_text(cell.text);
      return true;
    }
    if (auto value = parse_number(cell.text)) {
      if (std::isinf(*value) && column.first_infinite.empty())
        column.first_infinite =
            source + ":" + std::to_string(line) + ":" + std::to_string(cell.column) + ": '" + echoed(cell.text) + "'";
      column.numbers.push_back(*value);
      return true;
    }
    if (column.declared == Declared::numeric)
      throw DataError(source + ":" + std::to_string(line) + ":" + std::to_string(cell.column) + ": column '" +
                      column.name + "' (field " + std::to_string(field + 1) + ") is declared numeric, but '" +
                      echoed(cell.text) + "' is not a number");
    return false;
  };

  struct RowStart {
    std::size_t pos, line;
  };
  std::vector<RowStart> rows;
  std::vector<Cell> replay;
  while (tokens.next(cells)) {
    const std::size_t line = tokens.row_line();
    if (cells.size() != columns.size())
      throw DataError(source + ":" + std::to_string(line) + ": expected " + std::to_string(columns.size()) +
                      " fields (as in the header), found " + std::to_string(cells.size()));
    rows.push_back({tokens.row_start(), line});
    for (std::size_t j = 0; j < cells.size(); ++j) {
      if (add(columns[j], cells[j], line, j)) continue;
      // First text in a numeric-looking column: it is categorical after all.
      ColumnBuilder& column = columns[j];
      column.text = true;
      column.numbers = {};
      Tokenizer again(text, options.delimiter, source);
      for (std::size_t r = 0; r + 1 < rows.size(); ++r) {
        again.seek(rows[r].pos, rows[r].line);
        again.next(replay);
        add(column, replay[j], rows[r].line, j);
      }
      add(column, cells[j], line, j);
    }
  }

  Frame frame;
  for (auto& c : columns) frame.add(c.finish());
  return frame;
}

Frame read_csv(const std::string& path, const CsvOptions& options) { return parse_csv(read_file(path), options, path); }

namespace {
void put_cell(std::string& out, const std::string& s) {
  // Quoted: delimiters, quotes, line breaks, and a leading BOM a reader would strip.
  if (s.find_first_of(",\"\r\n") == std::string::npos && !s.starts_with("\xEF\xBB\xBF")) {
    out += s;
    return;
  }
  out += '"';
  for (char c : s) {
    if (c == '"') out += '"';
    out += c;
  }
  out += '"';
}
}  // namespace

std::string to_csv(const Frame& frame) {
  std::string out;
  for (std::size_t j = 0; j < frame.cols(); ++j) {
    if (j) out += ',';
    put_cell(out, frame[j].name());
  }
  out += '\n';
  for (std::size_t i = 0; i < frame.rows(); ++i) {
    for (std::size_t j = 0; j < frame.cols(); ++j) {
      if (j) out += ',';
      put_cell(out, frame[j].text(i));
    }
    // A lone empty cell would be a blank line, which readers skip.
    if (frame.cols() == 1 && frame[0].is_missing(i)) out += "\"\"";
    out += '\n';
  }
  return out;
}

void write_csv(const std::string& path, const Frame& frame) { write_file_atomic(path, to_csv(frame)); }

Dataset read_dataset(const std::string& path, const std::string& target, CsvOptions options) {
  options.required.push_back(target);
  return {read_csv(path, options), target, path};
}

}  // namespace shipml
