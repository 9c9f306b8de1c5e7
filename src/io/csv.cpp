#include "shipml/io/csv.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <optional>

#include "io/csv_format.hpp"
#include "io/csv_parallel.hpp"
#include "io/csv_rows.hpp"
#include "io/csv_tokenizer.hpp"
#include "shipml/core/parallel.hpp"
#include "shipml/io/byte_stream.hpp"
#include "shipml/io/file.hpp"

namespace shipml {

namespace {

// Plain decimals ("-12", "0.48213"), the most common cells, without the general
// parser: at most 15 significant digits and no exponent make the value m / 10^k
// with m and 10^k exact doubles, so the one division rounds correctly and the
// result is the general parser's, bit for bit. Anything else returns false.
bool parse_plain_decimal(std::string_view s, double& value) {
  static constexpr double kPowers[] = {1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,  1e8,  1e9,  1e10, 1e11,
                                       1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};
  const char* p = s.data();
  const char* const end = p + s.size();
  const bool negative = p != end && *p == '-';
  p += negative;
  std::uint64_t mantissa = 0;
  int digits = 0, decimals = 0;
  bool point = false;
  for (; p != end; ++p) {
    const unsigned d = static_cast<unsigned char>(*p) - '0';
    if (d < 10) {
      if (++digits > 15) return false;
      mantissa = mantissa * 10 + d;
      decimals += point;
    } else if (*p == '.' && !point) {
      point = true;
    } else {
      return false;
    }
  }
  if (digits == 0) return false;
  value = static_cast<double>(mantissa) / kPowers[decimals];
  if (negative) value = -value;
  return true;
}

}  // namespace

std::optional<double> parse_number(std::string_view s) {
  double value;
  if (parse_plain_decimal(s, value)) return value;
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  if (!s.empty() && s.front() == '+') s.remove_prefix(1);
  if (s.empty()) return std::nullopt;
  const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), value);
  if (end != s.data() + s.size()) return std::nullopt;
  // Out of range is still a number: beyond the largest double it is infinite
  // (which readers then refuse, naming it), below the smallest it is 0.
  if (ec == std::errc::result_out_of_range) return std::strtod(std::string(s).c_str(), nullptr);
  if (ec != std::errc()) return std::nullopt;
  return value;
}

namespace csv {

Frame parse_sequential(std::string_view text, const CsvOptions& options, const std::string& source) {
  check_encoding(text, source);
  Tokenizer tokens(text, options.delimiter, source);
  const Layout layout = read_layout(tokens, options, source);
  const MissingTokens missing(options.missing_values);
  RowReader rows(text, layout, options, missing, source);
  rows.read(layout.data_begin, layout.data_line);
  return finish(rows.columns);
}

}  // namespace csv

Frame parse_csv(std::string_view text, const CsvOptions& options, const std::string& source) {
  const int threads = options.threads > 0 ? options.threads : default_threads();
  // Below a few hundred kilobytes, starting threads costs more than it saves.
  if (threads == 1 || text.size() < (std::size_t{1} << 18)) return csv::parse_sequential(text, options, source);
  return csv::parse_in_pieces(text, options, source, 2 * static_cast<std::size_t>(threads), threads);
}

Frame read_csv(const std::string& path, const CsvOptions& options) { return parse_csv(read_text(path), options, path); }

std::string to_csv(const Frame& frame) {
  std::string out;
  csv::append_header(out, frame);
  csv::append_rows(out, frame, 0, frame.rows());
  return out;
}

void write_csv(const std::string& path, const Frame& frame) { write_file_atomic(path, to_csv(frame)); }

Dataset read_dataset(const std::string& path, const std::string& target, CsvOptions options) {
  options.required.push_back(target);
  return {read_csv(path, options), target, path};
}

}  // namespace shipml
