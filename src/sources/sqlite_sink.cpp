// A SQLite table as a sink: BEGIN IMMEDIATE at the first write, one prepared
// INSERT reused for every row, COMMIT at commit(). The database file is opened
// (and, if new, created) only at the first write, and a new file is removed
// again if nothing was committed.
#include <sqlite3.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <filesystem>

#include "shipml/core/error.hpp"
#include "sources/sql_sink.hpp"

namespace shipml::sources {
namespace {

// What a declared type holds, by SQLite's affinity rules (datatype3.html, 3.1).
char holds(std::string type) {
  std::transform(type.begin(), type.end(), type.begin(), [](unsigned char c) { return std::toupper(c); });
  auto has = [&](const char* part) { return type.find(part) != std::string::npos; };
  if (type.empty()) return '*';  // no affinity: stores anything as given
  if (has("INT")) return 'N';
  if (has("CHAR") || has("CLOB") || has("TEXT")) return 'S';
  if (has("BLOB")) return '?';
  return 'N';  // REAL and NUMERIC affinity
}

class SqliteSink : public SqlSink {
 public:
  SqliteSink(const SinkSpec& spec, const sql::DatabaseUri& uri) : SqlSink(spec, uri) {}
  ~SqliteSink() override {
    if (in_transaction()) rollback();
    sqlite3_finalize(insert_);
    sqlite3_close(db_);
    if (created_file_ && !committed()) {
      std::error_code ignored;
      std::filesystem::remove(uri().target, ignored);
    }
  }

 protected:
  void begin() override {
    created_file_ = !std::filesystem::exists(uri().target);
    if (sqlite3_open_v2(uri().target.c_str(), &db_, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, nullptr) != SQLITE_OK)
      throw DataError(describe() + ": cannot open " + uri().target + ": " +
                      (db_ ? sqlite3_errmsg(db_) : "out of memory"));
    sqlite3_busy_timeout(db_, 60000);
    exec("BEGIN IMMEDIATE");
  }

  std::optional<std::vector<TableColumn>> existing_columns(const std::string& table) override {
    const auto dot = table.find('.');
    const std::string schema = dot == std::string::npos ? "main" : table.substr(0, dot);
    sqlite3_stmt* stmt = prepare("SELECT name, type FROM pragma_table_info(?1, ?2)");
    sqlite3_bind_text(stmt, 1, sql::table_name_only(table).c_str(), -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(stmt, 2, schema.c_str(), -1, SQLITE_TRANSIENT);
    std::vector<TableColumn> columns;
    while (sqlite3_step(stmt) == SQLITE_ROW) {
      const auto* name = reinterpret_cast<const char*>(sqlite3_column_text(stmt, 0));
      const auto* type = reinterpret_cast<const char*>(sqlite3_column_text(stmt, 1));
      columns.push_back({name ? name : "", type ? type : "", holds(type ? type : "")});
    }
    sqlite3_finalize(stmt);
    if (columns.empty()) return std::nullopt;
    return columns;
  }

  void exec(const std::string& sql) override {
    char* error = nullptr;
    if (sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, &error) != SQLITE_OK) {
      const std::string why = error ? error : sqlite3_errmsg(db_);
      sqlite3_free(error);
      throw DataError(describe() + ": " + why + " (in: " + sql.substr(0, 60) + ")");
    }
  }

  void insert(const std::string& table, const Frame& rows, std::size_t first_row) override {
    if (!insert_) {
      std::string names, marks;
      for (std::size_t c = 0; c < rows.cols(); ++c) {
        names += (c ? ", " : "") + sql::quote_identifier(rows[c].name());
        marks += c ? ", ?" : "?";
      }
      insert_ = prepare("INSERT INTO " + table + " (" + names + ") VALUES (" + marks + ")");
    }
    for (std::size_t r = 0; r < rows.rows(); ++r) {
      for (std::size_t c = 0; c < rows.cols(); ++c) bind(static_cast<int>(c + 1), rows[c], r);
      if (sqlite3_step(insert_) != SQLITE_DONE) {
        const std::string why = sqlite3_errmsg(db_);
        sqlite3_reset(insert_);
        throw DataError(describe() + ": writing row " + std::to_string(first_row + r + 1) + " failed: " + why);
      }
      sqlite3_reset(insert_);
    }
  }

  void commit_transaction() override { exec("COMMIT"); }
  void rollback() noexcept override {
    if (insert_) sqlite3_reset(insert_);
    sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
  }
  std::string numeric_type() const override { return "REAL"; }

 private:
  sqlite3_stmt* prepare(const std::string& sql) {
    sqlite3_stmt* stmt = nullptr;
    if (sqlite3_prepare_v2(db_, sql.c_str(), static_cast<int>(sql.size()), &stmt, nullptr) != SQLITE_OK)
      throw DataError(describe() + ": " + sqlite3_errmsg(db_) + " (in: " + sql.substr(0, 60) + ")");
    return stmt;
  }
  void bind(int at, const Column& column, std::size_t row) {
    if (column.is_missing(row)) {
      sqlite3_bind_null(insert_, at);
    } else if (column.is_numeric()) {
      sqlite3_bind_double(insert_, at, column.values()[row]);
    } else {
      const auto& text = column.categories()[static_cast<std::size_t>(column.codes()[row])];
      sqlite3_bind_text(insert_, at, text.data(), static_cast<int>(text.size()), SQLITE_STATIC);
    }
  }

  sqlite3* db_ = nullptr;
  sqlite3_stmt* insert_ = nullptr;
  bool created_file_ = false;
};

}  // namespace

std::unique_ptr<DataSink> open_sqlite_sink(const SinkSpec& spec, const sql::DatabaseUri& uri) {
  return std::make_unique<SqliteSink>(spec, uri);
}

}  // namespace shipml::sources
