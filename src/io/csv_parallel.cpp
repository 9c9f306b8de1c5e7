// The whole-file parse over pieces in parallel. The frame must be the one the
// sequential parse gives, bit for bit: every piece starts with the header's
// types, a column that turns categorical in any piece is categorical in all
// (pieces that kept it numeric read its cells again as text), and
// dictionaries are the sorted union, so codes match. Anything unusual (an
// error, a cut inside a quoted cell) falls back to the sequential parse.
#include <algorithm>
#include <cstring>
#include <memory>
#include <optional>

#include "io/csv_parallel.hpp"
#include "io/csv_rows.hpp"
#include "io/csv_tokenizer.hpp"
#include "shipml/core/error.hpp"
#include "shipml/core/parallel.hpp"

namespace shipml::csv {
namespace {

// Quotes in [from, to): memchr skips the long runs without one.
std::size_t count_quotes(std::string_view text, std::size_t from, std::size_t to) {
  std::size_t n = 0;
  const char* p = text.data() + from;
  const char* const end = text.data() + to;
  while (p < end && (p = static_cast<const char*>(std::memchr(p, '"', static_cast<std::size_t>(end - p))))) {
    ++n;
    ++p;
  }
  return n;
}

// Piece boundaries in [begin, end): each is just after a '\n' with an even
// number of quotes before it (from `begin`), which is outside quotes unless
// a quote stands inside an unquoted cell; the stitch check catches that.
std::vector<std::size_t> cut_points(std::string_view text, std::size_t begin, std::size_t pieces, int threads) {
  const std::size_t size = text.size() - begin;
  std::vector<std::size_t> nominal(pieces + 1), quotes(pieces, 0);
  for (std::size_t i = 0; i <= pieces; ++i) nominal[i] = begin + size * i / pieces;
  parallel_for(pieces, threads, [&](std::size_t i) { quotes[i] = count_quotes(text, nominal[i], nominal[i + 1]); });
  std::vector<std::size_t> cuts(pieces + 1);
  cuts[0] = begin;
  cuts[pieces] = text.size();
  std::size_t parity = 0;
  for (std::size_t i = 1; i < pieces; ++i) {
    parity += quotes[i - 1];
    std::size_t pos = std::max(nominal[i], cuts[i - 1]);
    bool odd = (parity + count_quotes(text, nominal[i], pos)) & 1;
    while (pos < text.size() && !(text[pos] == '\n' && !odd)) odd ^= text[pos++] == '"';
    cuts[i] = std::min(pos + 1, text.size());
  }
  return cuts;
}

// The most rows that can start in [from, to): one per line break in it (a
// lone '\r' ends a row too), plus one when it does not end with a break.
std::size_t rows_at_most(std::string_view text, std::size_t from, std::size_t to) {
  const auto count = [&](char c, bool lone) {
    std::size_t n = 0;
    for (std::size_t i = from; i < to; ++i) {
      const void* found = std::memchr(text.data() + i, c, to - i);
      if (!found) break;
      i = static_cast<std::size_t>(static_cast<const char*>(found) - text.data());
      n += !lone || i + 1 >= text.size() || text[i + 1] != '\n';
    }
    return n;
  };
  const bool ends_in_break = to > from && (text[to - 1] == '\n' || text[to - 1] == '\r');
  return count('\n', false) + count('\r', true) + !ends_in_break;
}

// One numeric column for the whole file, which the pieces fill in place:
// piece p writes from start[p], so nothing is copied unless a piece read
// fewer rows than it could hold (blank lines, line breaks in quoted cells).
Column numeric_column(std::vector<RowReader>& pieces, std::size_t j, const std::vector<std::size_t>& start,
                      const std::shared_ptr<double[]>& values) {
  std::size_t rows = 0;
  for (std::size_t p = 0; p < pieces.size(); ++p) {
    const std::size_t n = pieces[p].rows();
    if (rows != start[p] && n > 0) std::memmove(values.get() + rows, values.get() + start[p], n * sizeof(double));
    rows += n;
  }
  return Column::numeric_view(pieces[0].columns[j].name, {values.get(), rows}, values);
}

void merge_categorical(std::vector<RowReader>& pieces, std::size_t j, std::size_t total, int threads) {
  std::vector<std::string> dictionary;
  for (auto& piece : pieces)
    for (auto& c : piece.columns[j].categories) dictionary.push_back(c);
  std::sort(dictionary.begin(), dictionary.end());
  dictionary.erase(std::unique(dictionary.begin(), dictionary.end()), dictionary.end());
  std::vector<std::size_t> offset(pieces.size() + 1, 0);
  for (std::size_t p = 0; p < pieces.size(); ++p) offset[p + 1] = offset[p] + pieces[p].columns[j].codes.size();
  std::vector<std::int32_t> codes(total);
  parallel_for(pieces.size(), threads, [&](std::size_t p) {
    const auto& column = pieces[p].columns[j];
    std::vector<std::int32_t> remap(column.categories.size());
    for (std::size_t k = 0; k < remap.size(); ++k)
      remap[k] = static_cast<std::int32_t>(
          std::lower_bound(dictionary.begin(), dictionary.end(), column.categories[k]) - dictionary.begin());
    std::int32_t* out = codes.data() + offset[p];
    for (const std::int32_t c : column.codes) *out++ = c == kMissingCode ? kMissingCode : remap[c];
  });
  // finish() sorts the dictionary; it already is, so the codes stay as they are.
  auto& first = pieces[0].columns[j];
  first.codes = std::move(codes);
  first.categories = std::move(dictionary);
  first.index.clear();
}

// Parses in pieces; nullopt when the pieces do not fit together or a column
// stays numeric with an infinite value (the sequential parse says where).
std::optional<Frame> try_pieces(std::string_view text, const CsvOptions& options, const std::string& source,
                                std::size_t count, int threads) {
  Tokenizer tokens(text, options.delimiter, source);
  const Layout layout = read_layout(tokens, options, source);
  check_encoding(text.substr(0, layout.data_begin), source);  // the pieces check the rest
  const MissingTokens missing(options.missing_values);
  const auto cuts = cut_points(text, layout.data_begin, count, threads);
  std::vector<std::size_t> start(count + 1, 0);
  parallel_for(count, threads, [&](std::size_t p) { start[p + 1] = rows_at_most(text, cuts[p], cuts[p + 1]); });
  for (std::size_t p = 0; p < count; ++p) start[p + 1] += start[p];

  // Columns that may be numeric get their final storage now, uninitialized:
  // its pages are first touched by the thread that parses into them.
  const std::size_t fields = layout.columns.size();
  std::vector<std::shared_ptr<double[]>> numbers(fields);
  for (std::size_t j = 0; j < fields; ++j)
    if (layout.columns[j].keep && !layout.columns[j].text)
      numbers[j] = std::make_shared_for_overwrite<double[]>(start[count]);
  std::vector<RowReader> pieces;
  pieces.reserve(count);
  for (std::size_t p = 0; p < count; ++p) {
    auto& piece = pieces.emplace_back(text, layout, options, missing, source);
    for (std::size_t j = 0; j < fields; ++j)
      if (numbers[j]) piece.columns[j].slice = numbers[j].get() + start[p];
  }
  std::vector<char> fits(count, 1);
  parallel_for(count, threads, [&](std::size_t p) {
    const std::string_view piece = text.substr(cuts[p], cuts[p + 1] - cuts[p]);
    check_encoding(piece, source, 1, false);
    fits[p] = pieces[p].read(cuts[p], p == 0 ? layout.data_line : 1, cuts[p + 1], start[p + 1] - start[p]);
  });
  if (std::count(fits.begin(), fits.end(), 0) > 0) return std::nullopt;

  std::vector<bool> text_column(fields, false);
  for (const auto& piece : pieces)
    for (std::size_t j = 0; j < fields; ++j) text_column[j] = text_column[j] || piece.columns[j].text;
  for (std::size_t j = 0; j < fields; ++j)
    if (!text_column[j] && layout.columns[j].keep)
      for (const auto& piece : pieces)
        if (!piece.columns[j].first_infinite.empty()) return std::nullopt;
  parallel_for(count, threads, [&](std::size_t p) { pieces[p].as_text(text_column); });

  std::size_t total = 0;
  for (const auto& piece : pieces) total += piece.rows();
  Frame frame;
  for (std::size_t j = 0; j < fields; ++j) {
    if (!layout.columns[j].keep) continue;
    if (!text_column[j]) {
      frame.add(numeric_column(pieces, j, start, numbers[j]));
      continue;
    }
    merge_categorical(pieces, j, total, threads);
    frame.add(pieces[0].columns[j].finish());
  }
  return frame;
}

}  // namespace

Frame parse_in_pieces(std::string_view text, const CsvOptions& options, const std::string& source, std::size_t pieces,
                      int threads) {
  std::optional<Frame> frame;
  try {
    frame = try_pieces(text, options, source, std::max<std::size_t>(pieces, 1), threads);
  } catch (const Error&) {
    // Parsed again on one thread, so the error is the first in the file, as
    // the sequential parse names it.
  }
  if (!frame) return parse_sequential(text, options, source);
  return std::move(*frame);
}

}  // namespace shipml::csv
