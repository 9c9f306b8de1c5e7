// The whole-file parse over pieces in parallel. The frame must be the one the
// sequential parse gives, bit for bit: every piece starts with the header's
// types, a column that turns categorical in any piece is categorical in all
// (pieces that kept it numeric read its cells again as text), and
// dictionaries are the sorted union, so codes match. Anything unusual (an
// error, a cut inside a quoted cell) falls back to the sequential parse.
#include <algorithm>
#include <cstring>
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

// Merges the pieces' builders of column j into `out` (the first piece's).
void merge_numeric(std::vector<RowReader>& pieces, std::size_t j, std::size_t total, int threads) {
  std::vector<std::size_t> offset(pieces.size() + 1, 0);
  for (std::size_t p = 0; p < pieces.size(); ++p) offset[p + 1] = offset[p] + pieces[p].columns[j].numbers.size();
  std::vector<double> all(total);
  parallel_for(pieces.size(), threads, [&](std::size_t p) {
    const auto& numbers = pieces[p].columns[j].numbers;
    if (!numbers.empty()) std::memcpy(all.data() + offset[p], numbers.data(), numbers.size() * sizeof(double));
  });
  pieces[0].columns[j].numbers = std::move(all);
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
  std::vector<RowReader> pieces;
  pieces.reserve(count);
  for (std::size_t p = 0; p < count; ++p) pieces.emplace_back(text, layout, options, missing, source);
  std::vector<char> fits(count, 1);
  parallel_for(count, threads, [&](std::size_t p) {
    const std::string_view piece = text.substr(cuts[p], cuts[p + 1] - cuts[p]);
    check_encoding(piece, source, 1, false);
    fits[p] = pieces[p].read(cuts[p], p == 0 ? layout.data_line : 1, cuts[p + 1]);
  });
  if (std::count(fits.begin(), fits.end(), 0) > 0) return std::nullopt;

  const std::size_t fields = layout.columns.size();
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
  for (std::size_t j = 0; j < fields; ++j) {
    if (!layout.columns[j].keep) continue;
    if (text_column[j]) merge_categorical(pieces, j, total, threads);
    else merge_numeric(pieces, j, total, threads);
  }
  return finish(pieces[0].columns);
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
