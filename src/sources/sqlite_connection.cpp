#include <sqlite3.h>

#include <cmath>

#include "shipml/core/error.hpp"
#include "shipml/core/frame.hpp"
#include "sources/sql.hpp"

namespace shipml::sql {
namespace {

class SqliteConnection : public SqlConnection {
 public:
  SqliteConnection(const std::string& path, std::string label) : label_(std::move(label)) {
    if (sqlite3_open_v2(path.c_str(), &db_, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_FULLMUTEX,
                        nullptr) != SQLITE_OK) {
      const std::string why = db_ ? sqlite3_errmsg(db_) : "out of memory";
      sqlite3_close(db_);
      throw DataError("cannot open the " + label_ + ": " + why);
    }
    // Writers wait for each other rather than fail; WAL lets readers run beside a writer
    // and keeps the file consistent if a process dies mid-write.
    sqlite3_busy_timeout(db_, 60000);
    exec("PRAGMA journal_mode=WAL", {});
    exec("PRAGMA synchronous=NORMAL", {});
    // Reads map the file rather than copy it page by page, and up to 64 MB of
    // pages stay cached: a store of 100,000 runs lists without going back to the OS.
    exec("PRAGMA mmap_size=268435456", {});
    exec("PRAGMA cache_size=-65536", {});
  }
  ~SqliteConnection() override { sqlite3_close(db_); }

  void exec(const std::string& sql, const std::vector<SqlValue>& params) override { run(sql, params, nullptr); }
  std::vector<SqlRow> query(const std::string& sql, const std::vector<SqlValue>& params) override {
    std::vector<SqlRow> rows;
    run(sql, params, &rows);
    return rows;
  }
  void begin() override { exec("BEGIN IMMEDIATE", {}); }
  void commit() override { exec("COMMIT", {}); }
  void rollback() override { sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr); }
  void lock_exclusive() override {}  // BEGIN IMMEDIATE already holds the database's write lock

 private:
  [[noreturn]] void fail(const std::string& sql) const {
    throw DataError(label_ + ": " + sqlite3_errmsg(db_) + " (in: " + sql.substr(0, 60) + ")");
  }

  void run(const std::string& sql, const std::vector<SqlValue>& params, std::vector<SqlRow>* rows) {
    sqlite3_stmt* stmt = nullptr;
    if (sqlite3_prepare_v2(db_, sql.c_str(), static_cast<int>(sql.size()), &stmt, nullptr) != SQLITE_OK) fail(sql);
    struct Finalize {
      sqlite3_stmt* s;
      ~Finalize() { sqlite3_finalize(s); }
    } finalize{stmt};
    for (std::size_t i = 0; i < params.size(); ++i) {
      const int at = static_cast<int>(i + 1);
      std::visit(
          [&](const auto& v) {
            using T = std::decay_t<decltype(v)>;
            if constexpr (std::is_same_v<T, std::nullptr_t>) sqlite3_bind_null(stmt, at);
            else if constexpr (std::is_same_v<T, std::int64_t>) sqlite3_bind_int64(stmt, at, v);
            else if constexpr (std::is_same_v<T, double>) {
              if (std::isfinite(v)) sqlite3_bind_double(stmt, at, v);
              else sqlite3_bind_null(stmt, at);
            } else sqlite3_bind_text(stmt, at, v.data(), static_cast<int>(v.size()), SQLITE_TRANSIENT);
          },
          params[i]);
    }
    while (true) {
      const int rc = sqlite3_step(stmt);
      if (rc == SQLITE_DONE) return;
      if (rc != SQLITE_ROW) fail(sql);
      if (!rows) continue;
      SqlRow row;
      for (int c = 0; c < sqlite3_column_count(stmt); ++c) {
        switch (sqlite3_column_type(stmt, c)) {
          case SQLITE_NULL: row.emplace_back(std::nullopt); break;
          case SQLITE_FLOAT: row.emplace_back(format_number(sqlite3_column_double(stmt, c))); break;  // exact
          default: {
            const auto* text = reinterpret_cast<const char*>(sqlite3_column_text(stmt, c));
            row.emplace_back(std::string(text, static_cast<std::size_t>(sqlite3_column_bytes(stmt, c))));
          }
        }
      }
      rows->push_back(std::move(row));
    }
  }

  std::string label_;
  sqlite3* db_ = nullptr;
};

}  // namespace

std::unique_ptr<SqlConnection> open_sqlite(const std::string& path, const std::string& label) {
  return std::make_unique<SqliteConnection>(path, label);
}

}  // namespace shipml::sql
