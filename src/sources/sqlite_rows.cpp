// SQLite rows for the data sources: sqlite3_step over one prepared statement,
// column kinds from the declared types (SQLite's affinity rules, plus BOOLEAN,
// DATE and TIMESTAMP, which SQLite itself folds into NUMERIC).
#include <sqlite3.h>

#include <algorithm>
#include <cctype>
#include <filesystem>

#include "shipml/core/error.hpp"
#include "shipml/core/frame.hpp"
#include "sources/sql_rows.hpp"

namespace shipml::sql {
namespace {

// The kind of a declared type; no declared type (an expression, a column
// declared without one) or an unfamiliar one is inferred from the values, as
// SQLite itself stores whatever a row holds.
Kind kind_of_declared(const char* declared) {
  if (!declared || !*declared) return Kind::untyped;
  std::string t(declared);
  std::transform(t.begin(), t.end(), t.begin(), [](unsigned char c) { return std::toupper(c); });
  auto has = [&](const char* part) { return t.find(part) != std::string::npos; };
  if (has("BOOL")) return Kind::boolean;
  if (has("TIMESTAMP") || has("DATETIME")) return Kind::timestamp;
  if (has("DATE")) return Kind::date;
  if (has("INT") || has("REAL") || has("FLOA") || has("DOUB") || has("NUMERIC") || has("DECIMAL")) return Kind::number;
  if (has("CHAR") || has("CLOB") || has("TEXT") || has("ENUM")) return Kind::text;
  if (has("BLOB") || has("JSON")) return Kind::unreadable;
  return Kind::untyped;
}

class SqliteRows : public RowReader {
 public:
  SqliteRows(const std::string& path, const std::string& query, std::string source) : source_(std::move(source)) {
    if (!std::filesystem::exists(path)) throw DataError(source_ + ": no such database file " + path);
    // Read-only: reading data never changes the file (not even its journal mode).
    if (sqlite3_open_v2(path.c_str(), &db_, SQLITE_OPEN_READONLY, nullptr) != SQLITE_OK) {
      const std::string why = db_ ? sqlite3_errmsg(db_) : "out of memory";
      sqlite3_close(db_);
      db_ = nullptr;
      throw DataError(source_ + ": cannot open " + path + ": " + why);
    }
    sqlite3_busy_timeout(db_, 60000);
    const char* tail = nullptr;
    if (sqlite3_prepare_v2(db_, query.c_str(), static_cast<int>(query.size()), &stmt_, &tail) != SQLITE_OK || !stmt_) {
      const std::string why =
          stmt_ ? sqlite3_errmsg(db_) : (sqlite3_errcode(db_) ? sqlite3_errmsg(db_) : "no statement");
      close();
      throw DataError(query_failed(source_, why, query));
    }
    while (tail && *tail && (std::isspace(static_cast<unsigned char>(*tail)) || *tail == ';')) ++tail;
    if ((tail && *tail) || !sqlite3_stmt_readonly(stmt_)) {
      close();
      throw DataError(query_failed(source_, "a source reads one SELECT, and this is not one", query));
    }
    for (int c = 0; c < sqlite3_column_count(stmt_); ++c) {
      const char* declared = sqlite3_column_decltype(stmt_, c);
      columns_.push_back({sqlite3_column_name(stmt_, c), kind_of_declared(declared), declared ? declared : ""});
    }
  }
  ~SqliteRows() override { close(); }

  const std::vector<ResultColumn>& columns() const override { return columns_; }

  std::size_t fetch(std::size_t rows, const std::function<void(std::size_t, const Cell&)>& take) override {
    std::size_t n = 0;
    while (!done_ && n < rows) {
      const int rc = sqlite3_step(stmt_);
      if (rc == SQLITE_DONE) {
        done_ = true;
        break;
      }
      if (rc != SQLITE_ROW)
        throw DataError(source_ + ": reading row " + std::to_string(read_ + 1) + " failed: " + sqlite3_errmsg(db_));
      for (int c = 0; c < static_cast<int>(columns_.size()); ++c) take(static_cast<std::size_t>(c), cell(c));
      ++n;
      ++read_;
    }
    return n;
  }

 private:
  Cell cell(int c) {
    Cell out;
    switch (sqlite3_column_type(stmt_, c)) {
      case SQLITE_NULL: return out;
      case SQLITE_INTEGER:
        out.is = Cell::Is::number;
        out.number = static_cast<double>(sqlite3_column_int64(stmt_, c));
        scratch_ = std::to_string(sqlite3_column_int64(stmt_, c));
        out.text = scratch_;
        return out;
      case SQLITE_FLOAT:
        out.is = Cell::Is::number;
        out.number = sqlite3_column_double(stmt_, c);
        scratch_ = format_number(out.number);  // exact, where SQLite's own text rounds to 15 digits
        out.text = scratch_;
        return out;
      case SQLITE_BLOB: out.is = Cell::Is::blob; break;
      default: out.is = Cell::Is::text;
    }
    const auto* text = reinterpret_cast<const char*>(sqlite3_column_text(stmt_, c));
    out.text = std::string_view(text ? text : "", static_cast<std::size_t>(sqlite3_column_bytes(stmt_, c)));
    return out;
  }
  void close() {
    sqlite3_finalize(stmt_);
    stmt_ = nullptr;
    sqlite3_close(db_);
    db_ = nullptr;
  }

  std::string source_;
  sqlite3* db_ = nullptr;
  sqlite3_stmt* stmt_ = nullptr;
  std::vector<ResultColumn> columns_;
  std::string scratch_;  // the text of the last number handed out
  std::size_t read_ = 0;
  bool done_ = false;
};

}  // namespace

std::unique_ptr<RowReader> read_sqlite(const std::string& path, const std::string& query, const std::string& source) {
  return std::make_unique<SqliteRows>(path, query, source);
}

std::string query_failed(const std::string& source, const std::string& why, const std::string& query) {
  return source + ": query failed: " + why + " (in: " + query.substr(0, 60) + ")";
}

}  // namespace shipml::sql
