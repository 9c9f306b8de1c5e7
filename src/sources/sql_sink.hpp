#pragma once
// What the SQLite and PostgreSQL sinks share: the whole write is one
// transaction; --if-exists decides at the first write what happens to a table
// already there (fail: refuse before sending a row; append: the columns must
// match; replace: fill a staging table, swapped in at commit). The engines
// supply the statements.
#include <optional>
#include <string>
#include <vector>

#include "shipml/io/data_source.hpp"
#include "sources/database_uri.hpp"

namespace shipml::sources {

struct TableColumn {
  std::string name;
  std::string type;  ///< as the database names it
  /// 'N' holds numbers, 'S' text, '*' either (a SQLite column with no type), else neither.
  char holds = '?';
};

class SqlSink : public DataSink {
 public:
  SqlSink(SinkSpec spec, sql::DatabaseUri uri);
  void write(const Frame& rows) final;
  void commit() final;
  std::string describe() const final;
  nlohmann::json record() const final;

 protected:
  /// Whether a transaction is open that the destructor must roll back.
  bool in_transaction() const { return in_transaction_; }
  bool committed() const { return committed_; }
  const SinkSpec& spec() const { return spec_; }
  const sql::DatabaseUri& uri() const { return uri_; }

  virtual void begin() = 0;
  /// The table's columns; nullopt when there is no such table.
  virtual std::optional<std::vector<TableColumn>> existing_columns(const std::string& table) = 0;
  virtual void exec(const std::string& sql) = 0;
  /// Sends `rows` into the (quoted) table; `first_row` counts the rows sent before.
  virtual void insert(const std::string& table, const Frame& rows, std::size_t first_row) = 0;
  virtual void commit_transaction() = 0;
  /// Undoes the transaction; never throws (it runs on the way out of a failure).
  virtual void rollback() noexcept = 0;
  /// The SQL type of a created numeric column.
  virtual std::string numeric_type() const = 0;

 private:
  void start(const Frame& rows);
  void check_append(const Frame& rows, const std::vector<TableColumn>& existing) const;
  void create(const std::string& quoted, const Frame& rows);

  SinkSpec spec_;
  sql::DatabaseUri uri_;
  std::string table_;   // quoted
  std::string target_;  // quoted: the table, or the staging table that replaces it
  std::vector<std::string> names_;
  std::size_t rows_ = 0;
  bool started_ = false, committed_ = false, failed_ = false, in_transaction_ = false;
  void abandon() noexcept;
};

std::unique_ptr<DataSink> open_sqlite_sink(const SinkSpec& spec, const sql::DatabaseUri& uri);
std::unique_ptr<DataSink> open_postgres_sink(const SinkSpec& spec, const sql::DatabaseUri& uri);

}  // namespace shipml::sources
