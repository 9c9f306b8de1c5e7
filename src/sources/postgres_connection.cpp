#include <libpq-fe.h>

#include <cmath>

#include "shipml/core/error.hpp"
#include "shipml/core/frame.hpp"
#include "sources/sql.hpp"

namespace shipml::sql {
namespace {

// `?` placeholders (the store's one dialect) become PostgreSQL's `$1, $2, ...`.
std::string numbered(const std::string& sql) {
  std::string out;
  int n = 0;
  bool quoted = false;
  for (char c : sql) {
    if (c == '\'') quoted = !quoted;
    if (c == '?' && !quoted) {
      out += '$';  // appended in two steps: g++ 12 misreports "$" + to_string() (-Wrestrict, GCC bug 105651)
      out += std::to_string(++n);
    } else {
      out += c;
    }
  }
  return out;
}

class PostgresConnection : public SqlConnection {
 public:
  PostgresConnection(const std::string& uri, std::string label)
      : label_(std::move(label)), conn_(PQconnectdb(uri.c_str())) {
    if (PQstatus(conn_) != CONNECTION_OK) {
      const std::string why = PQerrorMessage(conn_);
      PQfinish(conn_);
      throw DataError("cannot connect to the " + label_ + ": " + why.substr(0, why.find('\n')));
    }
    exec("SET client_min_messages TO WARNING", {});
  }
  ~PostgresConnection() override { PQfinish(conn_); }

  void exec(const std::string& sql, const std::vector<SqlValue>& params) override { run(sql, params, nullptr); }
  std::vector<SqlRow> query(const std::string& sql, const std::vector<SqlValue>& params) override {
    std::vector<SqlRow> rows;
    run(sql, params, &rows);
    return rows;
  }
  void begin() override { exec("BEGIN", {}); }
  void commit() override { exec("COMMIT", {}); }
  void rollback() override { PQclear(PQexec(conn_, "ROLLBACK")); }
  void lock_exclusive() override { exec("SELECT pg_advisory_xact_lock(7305421)", {}); }

 private:
  void run(const std::string& sql, const std::vector<SqlValue>& params, std::vector<SqlRow>* rows) {
    std::vector<std::optional<std::string>> texts;
    for (const auto& p : params)
      texts.push_back(std::visit(
          [](const auto& v) -> std::optional<std::string> {
            using T = std::decay_t<decltype(v)>;
            if constexpr (std::is_same_v<T, std::nullptr_t>) return std::nullopt;
            else if constexpr (std::is_same_v<T, std::int64_t>) return std::to_string(v);
            else if constexpr (std::is_same_v<T, double>) {
              if (!std::isfinite(v)) return std::nullopt;
              return format_number(v);
            } else return v;
          },
          p));
    std::vector<const char*> values;
    for (const auto& t : texts) values.push_back(t ? t->c_str() : nullptr);
    PGresult* r = PQexecParams(conn_, numbered(sql).c_str(), static_cast<int>(values.size()), nullptr, values.data(),
                               nullptr, nullptr, 0);
    struct Clear {
      PGresult* r;
      ~Clear() { PQclear(r); }
    } clear{r};
    const auto status = PQresultStatus(r);
    if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) {
      std::string why = PQresultErrorMessage(r);
      throw DataError(label_ + ": " + why.substr(0, why.find('\n')) + " (in: " + sql.substr(0, 60) + ")");
    }
    if (!rows) return;
    for (int i = 0; i < PQntuples(r); ++i) {
      SqlRow row;
      for (int c = 0; c < PQnfields(r); ++c)
        row.emplace_back(PQgetisnull(r, i, c)
                             ? std::nullopt
                             : std::optional<std::string>(
                                   std::string(PQgetvalue(r, i, c), static_cast<std::size_t>(PQgetlength(r, i, c)))));
      rows->push_back(std::move(row));
    }
  }
  std::string label_;
  PGconn* conn_;
};

}  // namespace

std::unique_ptr<SqlConnection> open_postgres(const std::string& uri, const std::string& label) {
  return std::make_unique<PostgresConnection>(uri, label);
}

}  // namespace shipml::sql
