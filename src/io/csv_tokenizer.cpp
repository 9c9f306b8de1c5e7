#include "io/csv_tokenizer.hpp"

#include <cstring>

#include "shipml/core/error.hpp"
#include "shipml/core/names.hpp"

namespace shipml::csv {

std::string where(std::string_view data, std::size_t pos, std::size_t first_line) {
  const std::size_t line = first_line + static_cast<std::size_t>(std::count(data.begin(), data.begin() + pos, '\n'));
  const std::size_t start = data.rfind('\n', pos == 0 ? 0 : pos - 1);
  return std::to_string(line) + ":" + std::to_string(pos - (start == std::string_view::npos ? 0 : start + 1) + 1);
}

// CSV is read as UTF-8 (or ASCII). Other encodings would come out as columns
// named in junk and errors far from the cause: refuse them at the first byte
// that shows it, saying what the file seems to be and how to convert it.
void check_encoding(std::string_view data, const std::string& source, std::size_t first_line, bool at_file_start) {
  const auto convert = [&](const std::string& from) {
    return " (shipml reads UTF-8; convert it: iconv -f " + from + " -t UTF-8 " + source + " > converted.csv)";
  };
  if (at_file_start) {
    if (data.starts_with(std::string_view("\xFF\xFE\0\0", 4)) || data.starts_with(std::string_view("\0\0\xFE\xFF", 4)))
      throw DataError(source + ": the file is UTF-32 (it starts with a UTF-32 byte-order mark)" + convert("UTF-32"));
    if (data.starts_with("\xFF\xFE") || data.starts_with("\xFE\xFF"))
      throw DataError(source + ": the file is UTF-16 (it starts with a UTF-16 byte-order mark)" + convert("UTF-16"));
  }
  if (const void* nul = std::memchr(data.data(), 0, data.size()))
    throw DataError(source + ":" +
                    where(data, static_cast<std::size_t>(static_cast<const char*>(nul) - data.data()), first_line) +
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
      throw DataError(source + ":" + where(data, i, first_line) + ": bytes that are not UTF-8 ('" +
                      echoed(data.substr(i, 4), 16) + "'): the file may be Latin-1 or Windows-1252" +
                      convert("WINDOWS-1252"));
    i += length;
  }
}

Tokenizer::Tokenizer(std::string_view data, char delimiter, const std::string& source)
    : data_(data), delimiter_(delimiter), source_(source) {
  stops_[static_cast<unsigned char>(delimiter)] = stops_['\n'] = stops_['\r'] = true;
  if (data_.starts_with("\xEF\xBB\xBF")) pos_ = 3;
}

Cell Tokenizer::read_quoted(std::size_t column) {
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

MissingTokens::MissingTokens(const std::vector<std::string>& tokens) : tokens_(tokens) {
  for (const auto& t : tokens) {
    if (t.empty()) empty_ = true;
    else if (t.size() >= 64) long_ = true;
    else {
      lengths_ |= std::uint64_t{1} << t.size();
      first_[static_cast<unsigned char>(t[0])] = true;
    }
  }
}

}  // namespace shipml::csv
