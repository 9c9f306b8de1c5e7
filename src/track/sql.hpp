#pragma once
// The little SQL the run store needs, over SQLite or PostgreSQL: statements with
// `?` placeholders and text results, transactions, and a lock for migrations.
// The store writes one dialect-neutral SQL; each connection adapts it.
#include <memory>
#include <optional>
#include <string>
#include <variant>
#include <vector>

namespace shipml::track {

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
/// so several processes can log at once.
std::unique_ptr<SqlConnection> open_sqlite(const std::string& path);
/// A PostgreSQL server, by libpq connection URI.
std::unique_ptr<SqlConnection> open_postgres(const std::string& uri);

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

}  // namespace shipml::track
