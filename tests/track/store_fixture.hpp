#pragma once
// Run stores for the tests, one per backend: a SQLite folder, or a fresh
// database on the PostgreSQL server the ctest fixture `postgres` started
// (tests/track/postgres.sh). The same suite runs against both. Also: SQL run
// beside the store, and writers in several processes at once.
#include <gtest/gtest.h>
#include <libpq-fe.h>
#include <sqlite3.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <random>

#include "shipml/track/run_store.hpp"
#include "support.hpp"

namespace shipml::test {

/// Runs one statement on a PostgreSQL database (by URI) or a SQLite file, as
/// a test sets up what the code under test must cope with.
inline void run_sql(const std::string& postgres_uri_or_sqlite_file, const std::string& sql) {
  const std::string& target = postgres_uri_or_sqlite_file;
  if (target.starts_with("postgresql://")) {
    PGconn* c = PQconnectdb(target.c_str());
    PGresult* r = PQexec(c, sql.c_str());
    const bool ok = PQresultStatus(r) == PGRES_COMMAND_OK || PQresultStatus(r) == PGRES_TUPLES_OK;
    const std::string why = PQresultErrorMessage(r);
    PQclear(r);
    PQfinish(c);
    if (!ok) throw std::runtime_error(why);
    return;
  }
  sqlite3* db = nullptr;
  sqlite3_open(target.c_str(), &db);
  char* error = nullptr;
  const int rc = sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &error);
  const std::string why = error ? error : "";
  sqlite3_free(error);
  sqlite3_close(db);
  if (rc != SQLITE_OK) throw std::runtime_error(why);
}

/// Runs one statement outside the store (to set up what the store must cope with).
inline void raw_sql(const std::string& uri, const std::string& sql) {
  run_sql(uri.starts_with("postgresql://") ? uri : uri + "/shipml.db", sql);
}

class StoreTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    ::setenv("SHIPML_ARTIFACT_ROOT", tmp_.file("artifacts").c_str(), 1);
    if (GetParam() == "sqlite") {
      uri_ = tmp_.file("runs");
      return;
    }
    std::ifstream in(std::string(SHIPML_POSTGRES_STATE) + "/uri");
    std::string base;
    if (!(in >> base)) GTEST_SKIP() << "no PostgreSQL server: these run under ctest, whose fixture starts one";
    std::string name = "runs_";
    std::mt19937_64 rng{std::random_device{}()};
    for (int i = 0; i < 12; ++i) name += "abcdefghijklmnopqrstuvwxyz"[rng() % 26];
    raw_sql(base, "CREATE DATABASE " + name);
    uri_ = base.substr(0, base.rfind('/') + 1) + name;
  }
  std::unique_ptr<RunStore> open() const { return RunStore::open(uri_); }
  const std::string& uri() const { return uri_; }
  TempDir tmp_;

 private:
  std::string uri_;
};

// Runs `body` in `n` child processes at once; each must exit 0.
template <class Body>
inline void in_processes(int n, Body body) {
  std::vector<pid_t> children;
  for (int i = 0; i < n; ++i) {
    const pid_t pid = ::fork();
    if (pid == 0) {
      int code = 0;
      try {
        body(i);
      } catch (const std::exception& e) {
        std::fprintf(stderr, "child %d: %s\n", i, e.what());
        code = 1;
      }
      std::fflush(nullptr);
      ::_exit(code);
    }
    children.push_back(pid);
  }
  for (pid_t pid : children) {
    int status = 0;
    ::waitpid(pid, &status, 0);
    EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << "a writer failed";
  }
}

inline std::string backend_name(const ::testing::TestParamInfo<std::string>& info) { return info.param; }

}  // namespace shipml::test
