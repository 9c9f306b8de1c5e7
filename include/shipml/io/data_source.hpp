#pragma once
/// \file
/// Where rows come from and where they go, whatever holds them: a CSV file
/// (plain, .gz or .zst), JSON lines, a SQLite or PostgreSQL table or query.
/// Training reads a source whole; batch scoring reads it block by block and
/// writes each scored block to a sink, in order, so memory stays bounded.
/// Files are handled here (the runtime needs nothing else to score CSV to CSV);
/// databases and JSON lines are in sources/open.hpp.
#include <cstddef>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "shipml/core/export.hpp"
#include "shipml/core/frame.hpp"
#include "shipml/io/csv.hpp"

namespace shipml {

/// Where to read rows from.
struct SHIPML_API SourceSpec {
  /// A file path (CSV, optionally .gz or .zst; JSON lines as .jsonl or .ndjson)
  /// or a database URI: `sqlite:///path.db`, `postgresql://user@host/db`.
  std::string location;
  std::string table;  ///< a database table to read whole (databases only)
  std::string query;  ///< or a SELECT whose rows to read (databases only)
  CsvOptions read;    ///< type overrides, missing-value tokens, required columns
};

/// A run of a source's rows, in order. Reading a block is sequential and cheap;
/// decoding it (parsing, type conversion) can run on any thread, so it spreads
/// over cores while the source is read by one.
struct SHIPML_API SourceBlock {
  std::size_t first_row = 0;      ///< index of its first row in the source, from 0
  std::function<Frame()> decode;  ///< its rows, typed alike in every block
  std::size_t bytes = 0;          ///< bytes of the source it covers, for progress (0: unknown)
};

/// A source of rows, read once, forward. Errors are DataError or FileError
/// naming the source (and the line, column or field where there is one).
class SHIPML_API DataSource {
 public:
  virtual ~DataSource();
  /// Every row (what training reads). Column types are inferred unless declared.
  virtual Frame read_all() = 0;
  /// The next block of about `bytes` of input; nullopt after the last. Blocks
  /// need fixed types, so every column is read as `read.numeric` and
  /// `read.categorical` declare it, and an undeclared one as categorical (its
  /// text as written; SQL sources use the column's SQL type).
  virtual std::optional<SourceBlock> next_block(std::size_t bytes) = 0;
  /// The source's size in the units of SourceBlock::bytes (a file's bytes),
  /// for progress; 0 when unknown (a query).
  virtual std::size_t size() const { return 0; }
  /// Names the source in messages: the location (a password never shown) and
  /// the table or query.
  virtual std::string describe() const = 0;
  /// What a run record keeps: kind, location, table or query, compression.
  virtual nlohmann::json record() const = 0;
};

/// What to do when a sink's table already exists.
enum class IfExists { fail, append, replace };
/// "fail", "append", "replace"; a UsageError naming --if-exists otherwise.
SHIPML_API IfExists parse_if_exists(const std::string& text);

/// Where to write rows.
struct SHIPML_API SinkSpec {
  /// A file path (CSV, optionally .gz or .zst; JSON lines as .jsonl or .ndjson),
  /// "-" for standard output (CSV), or a database URI.
  std::string location;
  std::string table;                    ///< the table to write (databases only)
  IfExists if_exists = IfExists::fail;  ///< a table that exists (a file is always replaced)
};

/// A destination for rows, written in order and made visible all at once:
/// nothing appears until commit(), and a sink destroyed before it leaves no
/// trace (a file's temporary is removed, a transaction rolled back).
class SHIPML_API DataSink {
 public:
  virtual ~DataSink();
  /// Writes the next rows; every call has the same columns.
  virtual void write(const Frame& rows) = 0;
  /// Makes every row written visible at once (rename into place, COMMIT).
  virtual void commit() = 0;
  /// Names the sink in messages (a password never shown).
  virtual std::string describe() const = 0;
  /// What a run record keeps: kind, location, table, if_exists, rows written.
  virtual nlohmann::json record() const = 0;
};

/// A file source (CSV, plain or compressed). A UsageError for a database URI
/// or JSON lines, which need sources/open.hpp.
SHIPML_API std::unique_ptr<DataSource> open_file_source(const SourceSpec& spec);
/// A file sink (CSV or JSON lines, plain or compressed by extension; "-" is
/// standard output). A UsageError for a database URI.
SHIPML_API std::unique_ptr<DataSink> open_file_sink(const SinkSpec& spec);

/// Whether `location` names a database (sqlite:, postgres:, postgresql:) rather than a file.
SHIPML_API bool is_database_uri(const std::string& location);
/// `location` fit for messages and records: a URI's password replaced by ***.
SHIPML_API std::string redact_location(const std::string& location);

}  // namespace shipml
