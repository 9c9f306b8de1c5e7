#pragma once
// The little SQL the run store and the registry need, over SQLite or
// PostgreSQL: statements with `?` placeholders and text results, transactions,
// and a lock for migrations. The store writes one dialect-neutral SQL; each
// connection adapts it. (Data sources and sinks stream rows instead, with
// sqlite_rows.hpp and postgres_rows.hpp.)
#include <memory>
#include <optional>
#include <string>
#include <variant>
#include <vector>

namespace shipml::sql {

using SqlValue = std::variant<std::nullptr_t, std::int64_t, double, std::string>;
using SqlRow = std::vector<std::optional<std::string>>;  // text of each column; nullopt for NULL

class SqlConnection {
 public:
  virtual ~SqlConnection() = default;
  virtual void exec(const std::string& sql, const std::vector<SqlValue>& params = {}) = 0;
  virtual std::vector<SqlRow> query(const std::string& sql, const std::vector<SqlValue>& params = {}) = 0;
  /// Starts a transaction that writes (SQLite: BEGIN IMMEDIATE, so writers queue instead of failing).
  virtual void begin() = 0;
  virtual void commit() = 0;
  virtual void rollback() = 0;
  /// Inside a transaction: serialises it with every other one that takes this
  /// lock, across processes (migrations; read-then-write such as version numbers).
  virtual void lock_exclusive() = 0;
};

/// SQLite file at `path` (created if absent), in WAL mode with a busy timeout,
/// so several processes can log at once. `label` names the database in every
/// error ("run database /x/shipml.db"): what it is for, not only where.
std::unique_ptr<SqlConnection> open_sqlite(const std::string& path, const std::string& label);
/// A PostgreSQL server, by libpq connection URI; `label` as for open_sqlite
/// (never the URI as given: it may hold a password).
std::unique_ptr<SqlConnection> open_postgres(const std::string& uri, const std::string& label);

/// Runs `body` in a write transaction; rolls back if it throws.
template <class Body>
void in_transaction(SqlConnection& db, Body&& body) {
  db.begin();
  try {
    body();
  } catch (...) {
    db.rollback();
    throw;
  }
  db.commit();
}

}  // namespace shipml::sql
