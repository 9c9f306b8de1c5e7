#pragma once
// A query's rows, streamed from SQLite or PostgreSQL a batch at a time, with
// each column's SQL type reduced to what shipml makes of it. The engines
// differ only in how they fetch; sql_source.cpp turns the cells into columns.
#include <cstddef>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace shipml::sql {

/// What a column's SQL type makes of its values (docs/data.md, the type table).
enum class Kind {
  number,      ///< integers, floats, numeric/decimal
  boolean,     ///< read as 0/1
  text,        ///< text, varchar, char, enum: categories
  date,        ///< categories as YYYY-MM-DD
  timestamp,   ///< categories as YYYY-MM-DDTHH:MM:SS (UTC for timestamptz)
  untyped,     ///< no declared type (a SQLite expression): inferred from the values
  unreadable,  ///< bytea, json, arrays, ...: refused unless read as categories
};

struct ResultColumn {
  std::string name;
  Kind kind = Kind::untyped;
  std::string type;  ///< as the database names it, for messages ("bytea", "INTEGER")
};

/// One value as the database hands it over. SQLite numbers come as numbers
/// (with their exact text); PostgreSQL sends everything as text.
struct Cell {
  enum class Is { null, number, text, blob } is = Is::null;
  double number = 0;
  std::string_view text;
};

class RowReader {
 public:
  virtual ~RowReader() = default;
  /// The result's columns, known before any row is fetched.
  virtual const std::vector<ResultColumn>& columns() const = 0;
  /// Up to `rows` more rows, each cell passed to `take(column, cell)` in row
  /// order; the number of rows read, 0 at the end. A DataError naming the
  /// source (and the rows read so far, if the connection was lost) on failure.
  virtual std::size_t fetch(std::size_t rows, const std::function<void(std::size_t, const Cell&)>& take) = 0;
};

/// `query` (one read-only statement) over the SQLite file at `path`, opened
/// read-only. `source` names it in errors.
std::unique_ptr<RowReader> read_sqlite(const std::string& path, const std::string& query, const std::string& source);
/// `query` over PostgreSQL, in a read-only transaction, through a server-side
/// cursor: only a batch of rows is in memory at once.
std::unique_ptr<RowReader> read_postgres(const std::string& uri, const std::string& query, const std::string& source);

/// "<source>: query failed: <why> (in: <first 60 chars of the query>)".
std::string query_failed(const std::string& source, const std::string& why, const std::string& query);

}  // namespace shipml::sql
