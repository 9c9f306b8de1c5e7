// PostgreSQL rows for the data sources: a read-only transaction and a
// server-side cursor, fetched a batch at a time, so a large result never sits
// in memory whole. Column kinds come from the result's type OIDs.
#include <libpq-fe.h>

#include <map>

#include "shipml/core/error.hpp"
#include "sources/sql_rows.hpp"

namespace shipml::sql {
namespace {

// Built-in type OIDs (pg_type.h; stable across server versions).
Kind kind_of_oid(Oid oid) {
  switch (oid) {
    case 20:
    case 21:
    case 23:
    case 26:
    case 700:
    case 701:
    case 1700: return Kind::number;  // int8/2/4, oid, float4/8, numeric
    case 16: return Kind::boolean;
    case 18:
    case 19:
    case 25:
    case 705:
    case 1042:
    case 1043: return Kind::text;  // char, name, text, unknown, bpchar, varchar
    case 1082: return Kind::date;
    case 1114:
    case 1184: return Kind::timestamp;  // timestamp, timestamptz
    default: return Kind::unreadable;   // unless pg_type says it is an enum
  }
}

struct Result {
  PGresult* r;
  explicit Result(PGresult* result) : r(result) {}
  Result(const Result&) = delete;
  Result& operator=(const Result&) = delete;
  ~Result() { PQclear(r); }
  bool ok() const { return PQresultStatus(r) == PGRES_COMMAND_OK || PQresultStatus(r) == PGRES_TUPLES_OK; }
  std::string why() const {
    const std::string text = PQresultErrorMessage(r);
    return text.substr(0, text.find('\n'));
  }
};

class PostgresRows : public RowReader {
 public:
  PostgresRows(const std::string& uri, std::string query, std::string source)
      : source_(std::move(source)), query_(std::move(query)), owned_(PQconnectdb(uri.c_str()), &PQfinish) {
    conn_ = owned_.get();
    if (PQstatus(conn_) != CONNECTION_OK) {
      const std::string why = PQerrorMessage(conn_);
      throw DataError(source_ + ": cannot connect: " + why.substr(0, why.find('\n')));
    }
    // Dates and times as ISO text in UTC; floats with every digit they need.
    run("SET client_min_messages TO WARNING; SET TimeZone TO 'UTC'; SET DateStyle TO 'ISO, YMD'; "
        "SET extra_float_digits TO 3");
    run("BEGIN READ ONLY");
    Result declared(PQexec(conn_, ("DECLARE shipml_rows NO SCROLL CURSOR FOR " + query_).c_str()));
    if (!declared.ok()) throw DataError(query_failed(source_, declared.why(), query_));
    Result described(PQdescribePortal(conn_, "shipml_rows"));
    if (!described.ok()) throw DataError(query_failed(source_, described.why(), query_));
    std::vector<Oid> oids;
    for (int c = 0; c < PQnfields(described.r); ++c) {
      oids.push_back(PQftype(described.r, c));
      columns_.push_back({PQfname(described.r, c), kind_of_oid(oids.back()), ""});
    }
    name_types(oids);
  }

  const std::vector<ResultColumn>& columns() const override { return columns_; }

  std::size_t fetch(std::size_t rows, const std::function<void(std::size_t, const Cell&)>& take) override {
    if (done_) return 0;
    Result batch(PQexec(
        conn_, ("FETCH FORWARD " + std::to_string(std::max<std::size_t>(rows, 1)) + " FROM shipml_rows").c_str()));
    if (!batch.ok()) {
      // 08: connection exceptions; 57P: the server shut down or ended the session.
      const char* state = PQresultErrorField(batch.r, PG_DIAG_SQLSTATE);
      const std::string code = state ? state : "";
      if (PQstatus(conn_) == CONNECTION_BAD || code.starts_with("08") || code.starts_with("57P"))
        throw DataError(source_ + ": the connection was lost after " + std::to_string(read_) + " rows: " + batch.why() +
                        " (in: " + query_.substr(0, 60) + ")");
      throw DataError(query_failed(source_, batch.why(), query_));
    }
    const int n = PQntuples(batch.r);
    for (int i = 0; i < n; ++i)
      for (int c = 0; c < static_cast<int>(columns_.size()); ++c) {
        Cell cell;
        if (!PQgetisnull(batch.r, i, c)) {
          cell.is = Cell::Is::text;
          cell.text = std::string_view(PQgetvalue(batch.r, i, c), static_cast<std::size_t>(PQgetlength(batch.r, i, c)));
          // char(n) pads with blanks that PostgreSQL itself ignores in comparisons.
          if (PQftype(batch.r, c) == 1042)
            while (!cell.text.empty() && cell.text.back() == ' ') cell.text.remove_suffix(1);
        }
        take(static_cast<std::size_t>(c), cell);
      }
    read_ += static_cast<std::size_t>(n);
    if (static_cast<std::size_t>(n) < rows) {
      done_ = true;
      Result end(PQexec(conn_, "COMMIT"));
    }
    return static_cast<std::size_t>(n);
  }

 private:
  void run(const std::string& sql) {
    Result r(PQexec(conn_, sql.c_str()));
    if (!r.ok()) throw DataError(source_ + ": " + r.why() + " (in: " + sql.substr(0, 60) + ")");
  }
  // The name of every column's type, for messages, and enums (user types) read as text.
  void name_types(const std::vector<Oid>& oids) {
    if (oids.empty()) return;
    std::string list;
    for (Oid oid : oids) list += (list.empty() ? "" : ",") + std::to_string(oid);
    Result types(PQexec(
        conn_, ("SELECT oid, format_type(oid, NULL), typtype FROM pg_type WHERE oid IN (" + list + ")").c_str()));
    if (!types.ok()) throw DataError(source_ + ": reading the result's column types failed: " + types.why());
    std::map<Oid, std::pair<std::string, char>> by_oid;
    for (int i = 0; i < PQntuples(types.r); ++i)
      by_oid[static_cast<Oid>(std::stoul(PQgetvalue(types.r, i, 0)))] = {PQgetvalue(types.r, i, 1),
                                                                         PQgetvalue(types.r, i, 2)[0]};
    for (std::size_t c = 0; c < columns_.size(); ++c) {
      auto it = by_oid.find(oids[c]);
      if (it == by_oid.end()) continue;
      columns_[c].type = it->second.first;
      if (it->second.second == 'e') columns_[c].kind = Kind::text;
    }
  }

  std::string source_, query_;
  // Closing the connection ends the transaction (which wrote nothing).
  std::unique_ptr<PGconn, decltype(&PQfinish)> owned_;
  PGconn* conn_;
  std::vector<ResultColumn> columns_;
  std::size_t read_ = 0;
  bool done_ = false;
};

}  // namespace

std::unique_ptr<RowReader> read_postgres(const std::string& uri, const std::string& query, const std::string& source) {
  return std::make_unique<PostgresRows>(uri, query, source);
}

}  // namespace shipml::sql
