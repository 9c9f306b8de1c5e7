#pragma once
/// \file
/// CSV read in chunks of a bounded number of rows, as often as asked: the way
/// to train on a file larger than memory (out-of-core) and on one rank's share
/// of a file or of many files (data-parallel). A first pass learns what each
/// column holds (CsvProfile); later passes read every column with one fixed
/// type, so every chunk, on every rank, is typed alike. Errors name the file,
/// the line and the column, as read_csv() does.
#include <cstddef>
#include <cstdint>
#include <functional>
#include <limits>
#include <string>
#include <vector>

#include "shipml/core/export.hpp"
#include "shipml/core/frame.hpp"
#include "shipml/io/csv.hpp"

namespace shipml {

/// Part of one CSV file: the data rows that start in bytes [begin, end). The
/// header is read from the file's start whatever the part.
struct SHIPML_API CsvPiece {
  std::string path;                                               ///< the file (a byte range needs it uncompressed)
  std::uint64_t begin = 0;                                        ///< 0: from the first data row
  std::uint64_t end = std::numeric_limits<std::uint64_t>::max();  ///< past the last byte (max: the file's end)
  std::size_t line = 0;                                           ///< the line at `begin` (0: found from the header)
};

/// The files `location` names: a pattern with *, ? or [...] gives every file
/// it matches, sorted by name (a UsageError when none does); any other
/// location is the one file.
SHIPML_API std::vector<std::string> data_files(const std::string& location);

/// Rank `rank`'s share of `location` among `ranks`, so that every row is read
/// by exactly one rank and rank order is row order. Several files: a
/// contiguous block of them in sorted order (rank r takes files r*n/ranks up
/// to (r+1)*n/ranks). One file: the rows that start in bytes
/// [r*size/ranks, (r+1)*size/ranks); a quoted line break does not start a row.
/// A rank may get no rows (a tiny file, fewer files than ranks).
SHIPML_API std::vector<CsvPiece> csv_shard(const std::string& location, int rank, int ranks, char delimiter = ',');

/// What a first pass over some rows learned about each column: whether it
/// holds text, its texts, whether a number is infinite, and (for the one
/// column asked about, the target) its distinct numbers.
struct SHIPML_API CsvProfile {
  /// Distinct numbers kept for the target: one more than a classification target may have.
  static constexpr std::size_t kDistinct = 21;
  /// What the pass learned about one column.
  struct SHIPML_API ColumnProfile {
    std::string name;   ///< the column's name in the header
    bool text = false;  ///< a cell is not a number, or the column is declared categorical
    /// `categories` holds every text of the column (false: the column was
    /// numbers for some rows, whose texts were not kept).
    bool complete = true;
    std::vector<std::string> categories;  ///< sorted, distinct
    std::string first_infinite;           ///< "file:line:col: 'inf'" of the first infinite number, if any
    std::vector<double> distinct;         ///< the target: up to kDistinct distinct numbers, sorted
    bool integers = true;                 ///< the target: every number is an integer
  };
  std::vector<ColumnProfile> columns;  ///< in the file's order (those read)
  std::uint64_t rows = 0;              ///< data rows

  /// Adds what `later` rows (the next chunk, the next rank's) learned.
  void merge(const CsvProfile& later);
  /// The profile as bytes (what ranks exchange), and back.
  std::string to_bytes() const;
  /// Reads what to_bytes() wrote.
  static CsvProfile from_bytes(const std::string& bytes);
};

/// Rows of CSV pieces in chunks of at most `chunk_rows` rows, read as often as
/// asked. Every piece's header must name the same columns.
class SHIPML_API CsvChunks {
 public:
  /// `options` says how cells read (delimiter, missing tokens, declared types,
  /// required and selected columns). No piece: no rows.
  CsvChunks(std::vector<CsvPiece> pieces, CsvOptions options, std::size_t chunk_rows);

  /// The first pass: each column's profile over every row; `target` (may be
  /// empty) also gets its distinct numbers.
  CsvProfile profile(const std::string& target) const;
  /// The sorted texts of the named columns over every row (numbers as written).
  std::vector<std::vector<std::string>> texts(const std::vector<std::string>& columns) const;
  /// Calls `each(first_row, chunk)` for every chunk in order. Every column
  /// must be declared (`numeric` or `categorical` in `typed`): chunks are then
  /// typed alike. `typed` also chooses the columns.
  void for_each(const CsvOptions& typed, const std::function<void(std::size_t first_row, const Frame&)>& each) const;

  /// The pieces read.
  const std::vector<CsvPiece>& pieces() const { return pieces_; }
  /// The options given.
  const CsvOptions& options() const { return options_; }
  /// The pieces' files, for messages and records ("a.csv" or "a.csv bytes 0-100").
  std::string describe() const;

 private:
  std::vector<CsvPiece> pieces_;
  CsvOptions options_;
  std::size_t chunk_rows_;
};

}  // namespace shipml
