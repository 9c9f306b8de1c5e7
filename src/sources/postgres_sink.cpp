// A PostgreSQL table as a sink: BEGIN at the first write, each block sent with
// COPY ... FROM STDIN (text format), COMMIT at commit(). A connection closed
// without COMMIT is rolled back by the server, so a failed or abandoned write
// leaves nothing behind.
#include <libpq-fe.h>

#include <cmath>

#include "shipml/core/error.hpp"
#include "sources/sql_sink.hpp"

namespace shipml::sources {
namespace {

// A text cell as COPY's text format reads it: backslash, tab and line breaks escaped.
void append_escaped(std::string& out, const std::string& text) {
  for (char c : text) {
    switch (c) {
      case '\\': out += "\\\\"; break;
      case '\t': out += "\\t"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      default: out += c;
    }
  }
}

class PostgresSink : public SqlSink {
 public:
  PostgresSink(const SinkSpec& spec, const sql::DatabaseUri& uri) : SqlSink(spec, uri) {}
  ~PostgresSink() override {
    if (in_transaction()) rollback();
    PQfinish(conn_);
  }

 protected:
  void begin() override {
    conn_ = PQconnectdb(uri().target.c_str());
    if (PQstatus(conn_) != CONNECTION_OK) {
      const std::string why = PQerrorMessage(conn_);
      throw DataError(describe() + ": cannot connect: " + why.substr(0, why.find('\n')));
    }
    exec("SET client_min_messages TO WARNING");
    exec("BEGIN");
  }

  std::optional<std::vector<TableColumn>> existing_columns(const std::string& table) override {
    const std::string quoted = sql::quote_table(table, uri().shown);
    const char* params[] = {quoted.c_str()};
    PGresult* r = PQexecParams(conn_,
                               "SELECT a.attname, format_type(a.atttypid, a.atttypmod), t.typcategory "
                               "FROM pg_attribute a JOIN pg_type t ON t.oid = a.atttypid "
                               "WHERE a.attrelid = to_regclass($1) AND a.attnum > 0 AND NOT a.attisdropped "
                               "ORDER BY a.attnum",
                               1, nullptr, params, nullptr, nullptr, 0);
    check(r, "reading the table's columns");
    std::vector<TableColumn> columns;
    for (int i = 0; i < PQntuples(r); ++i)
      columns.push_back({PQgetvalue(r, i, 0), PQgetvalue(r, i, 1), PQgetvalue(r, i, 2)[0]});
    PQclear(r);
    if (columns.empty()) return std::nullopt;
    return columns;
  }

  void exec(const std::string& sql) override { PQclear(check(PQexec(conn_, sql.c_str()), sql)); }

  void insert(const std::string& table, const Frame& rows, std::size_t first_row) override {
    std::string names;
    for (std::size_t c = 0; c < rows.cols(); ++c) names += (c ? ", " : "") + sql::quote_identifier(rows[c].name());
    const std::string copy = "COPY " + table + " (" + names + ") FROM STDIN";
    PGresult* started = PQexec(conn_, copy.c_str());
    if (PQresultStatus(started) != PGRES_COPY_IN) {
      PQclear(check(started, copy));  // throws the server's reason
      throw DataError(describe() + ": the server did not start the COPY (in: " + copy.substr(0, 60) + ")");
    }
    PQclear(started);
    std::string chunk;
    auto send = [&] {
      if (PQputCopyData(conn_, chunk.data(), static_cast<int>(chunk.size())) != 1) lost(first_row);
      chunk.clear();
    };
    for (std::size_t r = 0; r < rows.rows(); ++r) {
      for (std::size_t c = 0; c < rows.cols(); ++c) {
        if (c) chunk += '\t';
        const Column& column = rows[c];
        if (column.is_missing(r)) chunk += "\\N";
        else if (!column.is_numeric())
          append_escaped(chunk, column.categories()[static_cast<std::size_t>(column.codes()[r])]);
        else if (std::isinf(column.values()[r])) chunk += column.values()[r] > 0 ? "Infinity" : "-Infinity";
        else chunk += format_number(column.values()[r]);  // shortest text that reads back exactly
      }
      chunk += '\n';
      if (chunk.size() > (1 << 20)) send();
    }
    if (!chunk.empty()) send();
    if (PQputCopyEnd(conn_, nullptr) != 1) lost(first_row);
    // The server checks constraints as rows arrive; its verdict comes now.
    std::string why;
    while (PGresult* r = PQgetResult(conn_)) {
      if (PQresultStatus(r) != PGRES_COMMAND_OK && why.empty()) {
        why = PQresultErrorMessage(r);
        why = why.substr(0, why.find('\n'));
      }
      PQclear(r);
    }
    if (!why.empty())
      throw DataError(describe() + ": writing rows " + std::to_string(first_row + 1) + " to " +
                      std::to_string(first_row + rows.rows()) + " failed: " + why);
  }

  void commit_transaction() override { exec("COMMIT"); }
  void rollback() noexcept override {
    if (conn_) PQclear(PQexec(conn_, "ROLLBACK"));
  }
  std::string numeric_type() const override { return "DOUBLE PRECISION"; }

 private:
  PGresult* check(PGresult* r, const std::string& what) {
    const auto status = PQresultStatus(r);
    if (status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK) return r;
    std::string why = PQresultErrorMessage(r);
    PQclear(r);
    throw DataError(describe() + ": " + why.substr(0, why.find('\n')) + " (in: " + what.substr(0, 60) + ")");
  }
  [[noreturn]] void lost(std::size_t first_row) {
    const std::string why = PQerrorMessage(conn_);
    throw DataError(describe() + ": sending rows from row " + std::to_string(first_row + 1) +
                    " failed: " + why.substr(0, why.find('\n')));
  }

  PGconn* conn_ = nullptr;
};

}  // namespace

std::unique_ptr<DataSink> open_postgres_sink(const SinkSpec& spec, const sql::DatabaseUri& uri) {
  return std::make_unique<PostgresSink>(spec, uri);
}

}  // namespace shipml::sources
