#pragma once
// A fresh database per test, on each engine: a SQLite file in a temporary
// folder, or a new database on the PostgreSQL server the ctest fixture
// `postgres` started (tests/track/postgres.sh). The same suites run on both.
#include <gtest/gtest.h>
#include <libpq-fe.h>
#include <sqlite3.h>

#include <fstream>
#include <random>

#include "shipml/sources/open.hpp"
#include "support.hpp"
#include "track/store_fixture.hpp"

namespace shipml::test {

class SqlTest : public ::testing::TestWithParam<std::string> {
 public:
  void SetUp() override {
    if (sqlite()) {
      uri_ = "sqlite://" + tmp_.file("data.db");
      return;
    }
    std::ifstream in(std::string(SHIPML_POSTGRES_STATE) + "/uri");
    std::string base;
    if (!(in >> base)) GTEST_SKIP() << "no PostgreSQL server: these run under ctest, whose fixture starts one";
    std::string name = "data_";
    std::mt19937_64 rng{std::random_device{}()};
    for (int i = 0; i < 12; ++i) name += "abcdefghijklmnopqrstuvwxyz"[rng() % 26];
    run_on(base, "CREATE DATABASE " + name);
    uri_ = base.substr(0, base.rfind('/') + 1) + name;
  }

  bool sqlite() const { return GetParam() == "sqlite"; }
  const std::string& uri() const { return uri_; }
  /// The engine's spelling: `sqlite_sql` on SQLite, `postgres_sql` on PostgreSQL.
  void exec(const std::string& sqlite_sql, const std::string& postgres_sql) const {
    if (sqlite()) run_on(uri_, sqlite_sql);
    else run_on(uri_, postgres_sql);
  }
  void exec(const std::string& sql) const { exec(sql, sql); }

  /// Every row of a table or query.
  Frame read_table(const std::string& table, CsvOptions read = {}) const {
    return open_source(SourceSpec{uri_, table, "", read})->read_all();
  }
  Frame read_query(const std::string& query, CsvOptions read = {}) const {
    return open_source(SourceSpec{uri_, "", query, read})->read_all();
  }
  /// A single number a query gives.
  double number(const std::string& query) const { return read_query(query)[0].values()[0]; }
  /// Tables whose name has `part` in it.
  double tables_named(const std::string& part) const {
    return number(sqlite() ? "SELECT count(*) AS n FROM sqlite_master WHERE name LIKE '%" + part + "%'"
                           : "SELECT count(*) AS n FROM pg_tables WHERE tablename LIKE '%" + part + "%'");
  }

  TempDir tmp_;

 private:
  // sqlite:///path.db is the file /path.db.
  static void run_on(const std::string& uri, const std::string& sql) {
    run_sql(uri.starts_with("postgresql://") ? uri : uri.substr(9), sql);
  }
  std::string uri_;
};

inline std::string engine_name(const ::testing::TestParamInfo<std::string>& info) { return info.param; }

/// The message of the exception `body` throws ("" if none).
template <class Body>
std::string error_of(Body&& body) {
  try {
    body();
  } catch (const std::exception& e) {
    return e.what();
  }
  return "";
}

}  // namespace shipml::test
