#include "sources/sql_sink.hpp"

#include <algorithm>

#include "shipml/core/error.hpp"
#include "sources/sql_source.hpp"

namespace shipml::sources {
namespace {

const char* if_exists_name(IfExists how) {
  switch (how) {
    case IfExists::fail: return "fail";
    case IfExists::append: return "append";
    case IfExists::replace: return "replace";
  }
  return "fail";
}

std::string listed(const std::vector<std::string>& names) {
  std::string out;
  for (const auto& n : names) out += (out.empty() ? "" : ", ") + n;
  return out;
}

}  // namespace

SqlSink::SqlSink(SinkSpec spec, sql::DatabaseUri uri) : spec_(std::move(spec)), uri_(std::move(uri)) {
  if (spec_.table.empty()) throw UsageError(uri_.shown + ": writing to a database needs a table (--table T)");
  table_ = sql::quote_table(spec_.table, uri_.shown);
  // The staging table beside it, so a replace is never half done: it is
  // filled, then swapped in at commit, inside the one transaction.
  target_ =
      spec_.if_exists == IfExists::replace ? sql::quote_table(spec_.table + "__shipml_staging", uri_.shown) : table_;
}

std::string SqlSink::describe() const { return uri_.shown + ", table " + spec_.table; }

nlohmann::json SqlSink::record() const {
  return {{"kind", uri_.engine == sql::Engine::sqlite ? "sqlite" : "postgresql"},
          {"location", uri_.shown},
          {"table", spec_.table},
          {"if_exists", if_exists_name(spec_.if_exists)},
          {"rows", rows_}};
}

void SqlSink::write(const Frame& rows) {
  if (failed_) throw UsageError(describe() + ": an earlier write failed; nothing more can be written");
  if (committed_) throw UsageError(describe() + ": already committed");
  try {
    if (!started_) start(rows);
    if (rows.names() != names_)
      throw UsageError(describe() + ": rows with columns (" + listed(rows.names()) + ") after rows with (" +
                       listed(names_) + ")");
    if (rows.rows() > 0) insert(target_, rows, rows_);
    rows_ += rows.rows();
  } catch (...) {
    abandon();
    throw;
  }
}

// After a failure the write is over: roll back at once, so the database's
// locks (SQLite's write lock, PostgreSQL's on the table) go with it.
void SqlSink::abandon() noexcept {
  failed_ = true;
  if (in_transaction_) rollback();
  in_transaction_ = false;
}

void SqlSink::start(const Frame& rows) {
  names_ = rows.names();
  begin();
  started_ = in_transaction_ = true;
  const auto existing = existing_columns(spec_.table);
  switch (spec_.if_exists) {
    case IfExists::fail:
      if (existing)
        throw DataError(describe() + ": the table already exists (--if-exists append adds to it, replace replaces it)");
      return create(table_, rows);
    case IfExists::append:
      if (existing) return check_append(rows, *existing);
      return create(table_, rows);
    case IfExists::replace: return create(target_, rows);
  }
}

void SqlSink::check_append(const Frame& rows, const std::vector<TableColumn>& existing) const {
  std::vector<std::string> table_names, missing, extra;
  for (const auto& c : existing) table_names.push_back(c.name);
  for (const auto& n : names_)
    if (std::find(table_names.begin(), table_names.end(), n) == table_names.end()) extra.push_back(n);
  for (const auto& n : table_names)
    if (std::find(names_.begin(), names_.end(), n) == names_.end()) missing.push_back(n);
  if (!extra.empty() || !missing.empty())
    throw DataError(describe() + ": cannot append: the table has columns (" + listed(table_names) +
                    "), the rows have (" + listed(names_) + ")" +
                    (extra.empty() ? "" : "; not in the table: " + listed(extra)) +
                    (missing.empty() ? "" : "; not in the rows: " + listed(missing)));
  for (const auto& c : existing) {
    const bool numeric = rows.column(c.name).is_numeric();
    if (c.holds == '*' || c.holds == (numeric ? 'N' : 'S')) continue;
    throw DataError(describe() + ": cannot append: column '" + c.name + "' is " +
                    (numeric ? "numeric" : "categorical") + " in the rows, but has type " + c.type + " in the table");
  }
}

void SqlSink::create(const std::string& quoted, const Frame& rows) {
  std::string sql = "CREATE TABLE " + quoted + " (";
  for (std::size_t i = 0; i < rows.cols(); ++i)
    sql += (i ? ", " : "") + sql::quote_identifier(rows[i].name()) + " " +
           (rows[i].is_numeric() ? numeric_type() : std::string("TEXT"));
  exec(sql + ")");
}

void SqlSink::commit() {
  if (failed_) throw UsageError(describe() + ": an earlier write failed; nothing was written");
  if (committed_) return;
  try {
    if (started_ && spec_.if_exists == IfExists::replace) {
      exec("DROP TABLE IF EXISTS " + table_);
      exec("ALTER TABLE " + target_ + " RENAME TO " + sql::quote_identifier(sql::table_name_only(spec_.table)));
    }
    if (started_) commit_transaction();
    committed_ = true;
    in_transaction_ = false;
  } catch (...) {
    abandon();
    throw;
  }
}

std::unique_ptr<DataSink> open_sql_sink(const SinkSpec& spec) {
  const auto uri = sql::parse_database_uri(spec.location);
  return uri.engine == sql::Engine::sqlite ? open_sqlite_sink(spec, uri) : open_postgres_sink(spec, uri);
}

}  // namespace shipml::sources
