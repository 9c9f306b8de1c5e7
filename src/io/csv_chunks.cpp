// CSV in chunks of bounded rows, and a rank's share of a file or of files.
// A chunk is cut where the tokenizer's rules say a row ends (RowEnds), counting
// lines, so its errors name the file's line; a shard's byte range starts at a
// row start found the same way, so a quoted line break never splits a row.
#include "shipml/io/csv_chunks.hpp"

#include <glob.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <memory>
#include <set>

#include "io/csv_row_ends.hpp"
#include "io/csv_rows.hpp"
#include "io/csv_tokenizer.hpp"
#include "shipml/core/binary.hpp"
#include "shipml/core/error.hpp"
#include "shipml/io/byte_stream.hpp"

namespace shipml {
namespace {

constexpr std::uint64_t kAll = std::numeric_limits<std::uint64_t>::max();
constexpr std::size_t kReadBytes = std::size_t{1} << 20;

// A file's bytes from an offset: a plain file seeks there, a compressed one
// is read and the bytes before it dropped (it is only ever read whole).
class OffsetReader {
 public:
  OffsetReader(const std::string& path, std::uint64_t from) : path_(path) {
    if (detect_compression(path) == Compression::none) {
      file_.reset(std::fopen(path.c_str(), "rb"));
      if (!file_ || ::fseeko(file_.get(), static_cast<off_t>(from), SEEK_SET) != 0)
        throw FileError(path + ": cannot read from byte " + std::to_string(from) + ": " + std::strerror(errno), errno);
      return;
    }
    decoded_ = open_byte_reader(path);
    std::string skip(kReadBytes, '\0');
    for (std::uint64_t left = from; left > 0;) {
      const std::size_t got =
          decoded_->read(skip.data(), static_cast<std::size_t>(std::min<std::uint64_t>(left, kReadBytes)));
      if (got == 0) break;
      left -= got;
    }
  }
  std::size_t read(char* into, std::size_t n) {
    if (decoded_) return decoded_->read(into, n);
    const std::size_t got = std::fread(into, 1, n, file_.get());
    if (got == 0 && std::ferror(file_.get())) throw FileError(path_ + ": read failed: " + std::strerror(errno), errno);
    return got;
  }

 private:
  struct Closer {
    void operator()(std::FILE* f) const { std::fclose(f); }
  };
  std::string path_;
  std::unique_ptr<std::FILE, Closer> file_;
  std::unique_ptr<ByteReader> decoded_;
};

// The header row of a file: its columns as `options` declare them, and where
// the data rows start.
struct Header {
  csv::Layout layout;
  std::vector<std::string> names;
};

Header read_header(const std::string& path, const CsvOptions& options) {
  OffsetReader in(path, 0);
  std::string text;
  std::vector<csv::Cell> cells;
  for (bool eof = false;;) {
    const std::size_t had = text.size();
    text.resize(had + (1 << 16));
    const std::size_t got = in.read(text.data() + had, text.size() - had);
    text.resize(had + got);
    eof = got == 0;
    csv::Tokenizer probe(text, options.delimiter, path);
    // A row that ends before the bytes read is whole (a quoted cell may hold line breaks).
    if ((probe.next(cells) && probe.pos() < text.size()) || eof) break;
  }
  csv::Tokenizer tokens(text, options.delimiter, path);
  Header h{csv::read_layout(tokens, options, path), {}};
  // The header's bytes only: a multi-byte character may be cut at the end of what was read.
  csv::check_encoding(std::string_view(text).substr(0, h.layout.data_begin), path);
  for (const auto& c : h.layout.columns) h.names.push_back(c.name);
  return h;
}

// For each of the sorted offsets `targets`, the first row start at or after it
// (and its line); a row start is just after a line break outside quotes. An
// offset past the last row start gives the file's size. Reads the file from
// its data rows up to the last answer, scanning, not parsing.
std::vector<std::pair<std::uint64_t, std::size_t>> row_starts(const std::string& path, const csv::Layout& layout,
                                                              char delimiter,
                                                              const std::vector<std::uint64_t>& targets) {
  const std::uint64_t size = std::filesystem::file_size(path);
  std::vector<std::pair<std::uint64_t, std::size_t>> out(targets.size(), {size, 0});
  std::size_t k = 0;
  const std::uint64_t data_begin = layout.data_begin;
  while (k < targets.size() && targets[k] <= data_begin) out[k++] = {data_begin, layout.data_line};
  if (k == targets.size()) return out;
  OffsetReader in(path, data_begin);
  csv::RowEnds ends(delimiter, layout.data_line);
  std::string buffer(kReadBytes, '\0');
  std::uint64_t base = data_begin;
  bool searching = false;  // past targets[k] - 1: the next row end answers it
  for (std::size_t len; k < targets.size() && (len = in.read(buffer.data(), buffer.size())) > 0; base += len) {
    const std::string_view data(buffer.data(), len);
    std::size_t pos = 0;
    while (k < targets.size()) {
      if (!searching) {
        // A row end at byte targets[k] - 1 or later starts a row at targets[k] or later.
        const std::uint64_t from = targets[k] - 1;
        if (from >= base + len) {
          ends.scan(data, pos, len, false);
          break;
        }
        const auto at = static_cast<std::size_t>(from - base);
        if (at > pos) ends.scan(data, pos, at, false);
        pos = std::max(pos, at);
        searching = true;
      }
      ends.forget_cut();
      ends.scan(data, pos, len, true);
      if (ends.cut() == 0) break;
      pos = ends.cut();
      const std::uint64_t start = base + pos;
      while (k < targets.size() && targets[k] <= start) out[k++] = {start, ends.cut_line()};
      searching = false;
    }
  }
  return out;
}

std::string describe_piece(const CsvPiece& p) {
  if (p.begin == 0 && p.end == kAll) return p.path;
  return p.path + " (bytes " + std::to_string(p.begin) + "-" + (p.end == kAll ? "end" : std::to_string(p.end)) + ")";
}

// Calls `each(text, first_line)` for runs of at most `chunk_rows` whole rows
// of the piece, in order.
void read_piece(const CsvPiece& piece, const Header& header, char delimiter, std::size_t chunk_rows,
                const std::function<void(const std::string&, std::size_t)>& each) {
  const std::uint64_t begin = std::max<std::uint64_t>(piece.begin, header.layout.data_begin);
  if (begin >= piece.end) return;
  OffsetReader in(piece.path, begin);
  std::uint64_t left = piece.end - begin;
  const std::size_t line = piece.line && piece.begin >= header.layout.data_begin ? piece.line : header.layout.data_line;
  csv::RowEnds ends(delimiter, line);
  std::string pending;
  std::size_t scanned = 0, chunk_line = line, rows_before = 0;
  bool eof = false;
  const auto give = [&](std::size_t cut) {
    const std::string text = pending.substr(0, cut);
    if (text.find_first_not_of("\r\n") != std::string::npos) each(text, chunk_line);
  };
  for (;;) {
    if (scanned < pending.size()) {
      ends.forget_cut();
      ends.scan(pending, scanned, pending.size(), true);
      if (ends.cut() != 0) {
        scanned = ends.cut();
        if (ends.cut_rows() - rows_before < chunk_rows) continue;
        give(scanned);
        pending.erase(0, scanned);
        chunk_line = ends.cut_line();
        rows_before = ends.cut_rows();
        ends.restart_at_cut();
        scanned = 0;
        continue;
      }
      scanned = pending.size();
    }
    if (eof) break;
    const std::size_t had = pending.size();
    const std::size_t want = static_cast<std::size_t>(std::min<std::uint64_t>(left, kReadBytes));
    pending.resize(had + want);
    const std::size_t got = want ? in.read(pending.data() + had, want) : 0;
    pending.resize(had + got);
    left -= got;
    eof = got == 0;
  }
  // The rows left: the last chunk (the file may not end with a line break).
  give(pending.size());
}

}  // namespace

std::vector<std::string> data_files(const std::string& location) {
  if (location.find_first_of("*?[") == std::string::npos) return {location};
  glob_t found{};
  const int status = ::glob(location.c_str(), 0, nullptr, &found);
  std::vector<std::string> files;
  for (std::size_t i = 0; status == 0 && i < found.gl_pathc; ++i)
    if (std::filesystem::is_regular_file(found.gl_pathv[i])) files.emplace_back(found.gl_pathv[i]);
  ::globfree(&found);
  if (files.empty()) throw UsageError("--data " + location + ": no file matches the pattern");
  std::sort(files.begin(), files.end());
  return files;
}

std::vector<CsvPiece> csv_shard(const std::string& location, int rank, int ranks, char delimiter) {
  if (ranks < 1 || rank < 0 || rank >= ranks)
    throw UsageError("rank " + std::to_string(rank) + " of " + std::to_string(ranks) + " does not exist");
  const std::vector<std::string> files = data_files(location);
  std::vector<CsvPiece> pieces;
  if (files.size() > 1 || ranks == 1) {
    const auto n = static_cast<std::uint64_t>(files.size());
    for (auto i = n * static_cast<std::uint64_t>(rank) / ranks; i < n * (rank + 1ull) / ranks; ++i)
      pieces.push_back({files[i]});
    return pieces;
  }
  const std::string& path = files.front();
  if (detect_compression(path) != Compression::none)
    throw UsageError(path + " is compressed, so its rows cannot be shared out by byte ranges: give the ranks "
                            "several files with a pattern (--data 'parts/*.csv.gz'), or an uncompressed file");
  const std::uint64_t size = std::filesystem::file_size(path);
  CsvOptions header_only;
  header_only.delimiter = delimiter;
  const Header header = read_header(path, header_only);
  const auto r = static_cast<std::uint64_t>(rank);
  const auto starts = row_starts(path, header.layout, delimiter, {size * r / ranks, size * (r + 1) / ranks});
  CsvPiece piece{path, starts[0].first, rank + 1 == ranks ? kAll : starts[1].first, starts[0].second};
  if (piece.begin < piece.end) pieces.push_back(piece);
  return pieces;
}

// ---- profiles ----

void CsvProfile::merge(const CsvProfile& later) {
  if (later.columns.empty() && later.rows == 0) return;  // a rank with no data at all
  if (columns.empty() && rows == 0) {
    *this = later;
    return;
  }
  if (later.columns.size() != columns.size())
    throw DataError("rows with different columns cannot be profiled together");
  rows += later.rows;
  for (std::size_t j = 0; j < columns.size(); ++j) {
    ColumnProfile& a = columns[j];
    const ColumnProfile& b = later.columns[j];
    a.text = a.text || b.text;
    a.complete = a.complete && b.complete;
    std::vector<std::string> both;
    std::set_union(a.categories.begin(), a.categories.end(), b.categories.begin(), b.categories.end(),
                   std::back_inserter(both));
    a.categories = std::move(both);
    if (a.first_infinite.empty()) a.first_infinite = b.first_infinite;
    std::vector<double> distinct;
    std::set_union(a.distinct.begin(), a.distinct.end(), b.distinct.begin(), b.distinct.end(),
                   std::back_inserter(distinct));
    if (distinct.size() > kDistinct) distinct.resize(kDistinct);
    a.distinct = std::move(distinct);
    a.integers = a.integers && b.integers;
  }
}

std::string CsvProfile::to_bytes() const {
  BinaryWriter out;
  out.u64(rows);
  out.u64(columns.size());
  for (const auto& c : columns) {
    out.text(c.name);
    out.u8(c.text);
    out.u8(c.complete);
    out.texts(c.categories);
    out.text(c.first_infinite);
    out.array(c.distinct);
    out.u8(c.integers);
  }
  return out.data();
}

CsvProfile CsvProfile::from_bytes(const std::string& bytes) {
  BinaryReader in(bytes);
  CsvProfile p;
  p.rows = in.u64();
  p.columns.resize(in.count(8));
  for (auto& c : p.columns) {
    c.name = in.text();
    c.text = in.u8();
    c.complete = in.u8();
    c.categories = in.texts();
    c.first_infinite = in.text();
    c.distinct = in.array<double>();
    c.integers = in.u8();
  }
  return p;
}

// ---- chunks ----

CsvChunks::CsvChunks(std::vector<CsvPiece> pieces, CsvOptions options, std::size_t chunk_rows)
    : pieces_(std::move(pieces)), options_(std::move(options)), chunk_rows_(std::max<std::size_t>(chunk_rows, 1)) {}

std::string CsvChunks::describe() const {
  if (pieces_.empty()) return "(no rows)";
  if (pieces_.size() == 1) return describe_piece(pieces_.front());
  return std::to_string(pieces_.size()) + " files (" + pieces_.front().path + " to " + pieces_.back().path + ")";
}

namespace {

// Every piece's header under `options`, checked to name the same columns as the first.
std::vector<Header> headers(const std::vector<CsvPiece>& pieces, const CsvOptions& options) {
  std::vector<Header> out;
  for (const auto& p : pieces) {
    out.push_back(read_header(p.path, options));
    if (out.back().names != out.front().names)
      throw DataError(p.path + ": its header names other columns than " + pieces.front().path +
                      "'s; every file of the data must have the same columns in the same order");
  }
  return out;
}

// Rows of every piece as column builders, chunk by chunk.
void read_builders(const std::vector<CsvPiece>& pieces, const CsvOptions& options, std::size_t chunk_rows,
                   const std::function<void(csv::RowReader&)>& each) {
  const std::vector<Header> all = headers(pieces, options);
  const csv::MissingTokens missing(options.missing_values);
  for (std::size_t i = 0; i < pieces.size(); ++i)
    read_piece(pieces[i], all[i], options.delimiter, chunk_rows, [&](const std::string& text, std::size_t line) {
      csv::check_encoding(text, pieces[i].path, line, false);
      csv::RowReader rows(text, all[i].layout, options, missing, pieces[i].path);
      rows.read(0, line);
      each(rows);
    });
}

CsvProfile::ColumnProfile profile_of(csv::ColumnBuilder& b, bool distinct) {
  CsvProfile::ColumnProfile c;
  c.name = b.name;
  c.text = b.text;
  if (b.text) {
    c.categories = b.categories;
    std::sort(c.categories.begin(), c.categories.end());
    return c;
  }
  std::set<double> seen;
  for (const double v : b.numbers) {
    if (std::isnan(v)) continue;
    c.complete = false;  // these cells' texts are not kept
    if (!distinct) break;
    c.integers = c.integers && v == std::floor(v);
    if (seen.size() < CsvProfile::kDistinct) seen.insert(v);
  }
  c.distinct.assign(seen.begin(), seen.end());
  c.first_infinite = b.first_infinite;
  return c;
}

}  // namespace

CsvProfile CsvChunks::profile(const std::string& target) const {
  CsvProfile all;
  read_builders(pieces_, options_, chunk_rows_, [&](csv::RowReader& rows) {
    CsvProfile chunk;
    chunk.rows = rows.rows();
    for (auto& b : rows.columns)
      if (b.keep) chunk.columns.push_back(profile_of(b, b.name == target));
    all.merge(chunk);
  });
  if (all.columns.empty() && !pieces_.empty()) {  // no rows: the columns, from the header
    for (auto& b : headers(pieces_, options_).front().layout.columns)
      if (b.keep) all.columns.push_back({.name = b.name, .text = b.text});
  }
  return all;
}

std::vector<std::vector<std::string>> CsvChunks::texts(const std::vector<std::string>& columns) const {
  std::vector<std::set<std::string>> found(columns.size());
  if (columns.empty()) return {};
  CsvOptions as_text = options_;
  as_text.columns = {};
  as_text.numeric = {};
  as_text.categorical = columns;
  const std::vector<Header> all = headers(pieces_, as_text);
  if (!all.empty())
    for (const auto& c : all.front().layout.columns)
      if (std::find(columns.begin(), columns.end(), c.name) != columns.end()) as_text.columns.push_back(c.name);
  read_builders(pieces_, as_text, chunk_rows_, [&](csv::RowReader& rows) {
    for (auto& b : rows.columns) {
      if (!b.keep) continue;
      const auto at = std::find(columns.begin(), columns.end(), b.name) - columns.begin();
      found[static_cast<std::size_t>(at)].insert(b.categories.begin(), b.categories.end());
    }
  });
  std::vector<std::vector<std::string>> out;
  for (auto& s : found) out.emplace_back(s.begin(), s.end());
  return out;
}

void CsvChunks::for_each(const CsvOptions& typed,
                         const std::function<void(std::size_t first_row, const Frame&)>& each) const {
  std::size_t first_row = 0;
  bool checked = false;
  read_builders(pieces_, typed, chunk_rows_, [&](csv::RowReader& rows) {
    if (!checked) {
      for (const auto& b : rows.columns)
        if (b.keep && b.declared == csv::Declared::inferred)
          throw UsageError("CsvChunks::for_each: column '" + b.name + "' needs a declared type");
      checked = true;
    }
    const std::size_t n = rows.rows();
    const Frame frame = csv::finish(rows.columns);
    each(first_row, frame);
    first_row += n;
  });
}

}  // namespace shipml
