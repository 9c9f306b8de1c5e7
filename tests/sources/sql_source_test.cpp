// SQLite and PostgreSQL tables and queries as sources: the type mapping of
// docs/data.md row by row, overrides, blocks, and the errors that name the source.
#include <cmath>

#include "sources/sql_fixture.hpp"

namespace shipml::test {
namespace {

using SqlSource = SqlTest;

std::vector<std::string> texts(const Column& c) {
  std::vector<std::string> out;
  for (std::size_t i = 0; i < c.size(); ++i) out.push_back(c.is_missing(i) ? "<missing>" : c.text(i));
  return out;
}

TEST_P(SqlSource, IntegersFloatsAndDecimalsAreNumeric) {
  exec("CREATE TABLE t (i INTEGER, b BIGINT, f REAL, d DOUBLE PRECISION, n DECIMAL(10,2))");
  exec("INSERT INTO t VALUES (1, 9007199254740993, 0.5, 0.1, 12.25), (NULL, -2, NULL, 2.5, NULL)");
  const Frame f = read_table("t");
  ASSERT_EQ(f.cols(), 5u);
  for (const auto& c : f.columns()) EXPECT_TRUE(c.is_numeric()) << c.name();
  EXPECT_EQ(f.column("i").values()[0], 1);
  EXPECT_TRUE(std::isnan(f.column("i").values()[1]));  // NULL: missing
  EXPECT_EQ(f.column("b").values()[1], -2);
  EXPECT_EQ(f.column("d").values()[0], 0.1);  // every digit, exactly
  EXPECT_EQ(f.column("n").values()[0], 12.25);
}

TEST_P(SqlSource, BooleansAreZeroOrOne) {
  exec("CREATE TABLE t (ok BOOLEAN)");
  exec("INSERT INTO t VALUES (TRUE), (FALSE), (NULL)");
  const Column c = read_table("t").column("ok");
  ASSERT_TRUE(c.is_numeric());
  EXPECT_EQ(c.values()[0], 1);
  EXPECT_EQ(c.values()[1], 0);
  EXPECT_TRUE(std::isnan(c.values()[2]));
}

TEST_P(SqlSource, TextVarcharAndCharAreCategorical) {
  exec("CREATE TABLE t (name TEXT, v VARCHAR(10), c CHAR(4))");
  exec("INSERT INTO t VALUES ('b', '10', 'x'), ('a', NULL, 'yy')");
  const Frame f = read_table("t");
  for (const auto& c : f.columns()) EXPECT_FALSE(c.is_numeric()) << c.name();
  EXPECT_EQ(texts(f.column("name")), (std::vector<std::string>{"b", "a"}));
  EXPECT_EQ(texts(f.column("v")), (std::vector<std::string>{"10", "<missing>"}));  // text, though a number
  EXPECT_EQ(texts(f.column("c")), (std::vector<std::string>{"x", "yy"}));          // no padding
}

TEST_P(SqlSource, EnumsAreCategorical) {
  if (sqlite()) GTEST_SKIP() << "SQLite has no enums";
  exec("CREATE TYPE mood AS ENUM ('sad', 'happy'); CREATE TABLE t (m mood); INSERT INTO t VALUES ('happy'), (NULL)");
  const Column c = read_table("t").column("m");
  EXPECT_FALSE(c.is_numeric());
  EXPECT_EQ(texts(c), (std::vector<std::string>{"happy", "<missing>"}));
}

TEST_P(SqlSource, DatesAndTimestampsAreIsoText) {
  exec("CREATE TABLE t (d DATE, ts TIMESTAMP, tz DATETIME)", "CREATE TABLE t (d DATE, ts TIMESTAMP, tz TIMESTAMPTZ)");
  exec("INSERT INTO t VALUES ('2024-01-02', '2024-01-02 03:04:05', '2024-01-02 01:04:05')",
       "INSERT INTO t VALUES ('2024-01-02', '2024-01-02 03:04:05', '2024-01-02 03:04:05+02')");
  const Frame f = read_table("t");
  EXPECT_EQ(texts(f.column("d")), std::vector<std::string>{"2024-01-02"});
  EXPECT_EQ(texts(f.column("ts")), std::vector<std::string>{"2024-01-02T03:04:05"});
  EXPECT_EQ(texts(f.column("tz")), std::vector<std::string>{"2024-01-02T01:04:05"});  // in UTC
  EXPECT_FALSE(f.column("ts").is_numeric());
}

TEST_P(SqlSource, NanIsMissingAndInfinityIsRefusedNamingColumnRowAndSource) {
  if (!sqlite()) {  // SQLite stores NaN as NULL itself
    exec("CREATE TABLE n (x DOUBLE PRECISION); INSERT INTO n VALUES (1), ('NaN')");
    EXPECT_TRUE(std::isnan(read_table("n").column("x").values()[1]));
  }
  exec("CREATE TABLE t (x REAL)");
  exec("INSERT INTO t VALUES (1), (1e999)", "INSERT INTO t VALUES (1), ('Infinity')");
  const std::string error = error_of([&] { read_table("t"); });
  EXPECT_NE(error.find(uri()), std::string::npos) << error;
  EXPECT_NE(error.find("column 'x', row 2"), std::string::npos) << error;
  EXPECT_NE(error.find("infinite"), std::string::npos) << error;
}

TEST_P(SqlSource, AnUnreadableTypeIsNamedWithItsColumn) {
  exec("CREATE TABLE t (id INTEGER, payload BLOB)", "CREATE TABLE t (id INTEGER, payload BYTEA)");
  exec("INSERT INTO t VALUES (1, x'00ff')", "INSERT INTO t VALUES (1, '\\x00ff')");
  const std::string error = error_of([&] { read_table("t"); });
  EXPECT_NE(error.find(std::string("column payload has type ") + (sqlite() ? "BLOB" : "bytea") +
                       ", which shipml cannot read; cast it in --query"),
            std::string::npos)
      << error;
  // Left out, it is no matter.
  CsvOptions only_id;
  only_id.columns = {"id"};
  EXPECT_EQ(read_table("t", only_id).names(), std::vector<std::string>{"id"});
  if (!sqlite()) {
    EXPECT_NE(error_of([&] { read_query("SELECT ARRAY[1,2] AS a"); }).find("integer[]"), std::string::npos);
  }
}

TEST_P(SqlSource, AFailingQueryNamesTheSourceAndTheQuery) {
  exec("CREATE TABLE t (x INTEGER)");
  const std::string error = error_of([&] { read_query("SELECT nope FROM t"); });
  EXPECT_EQ(error.rfind(uri() + ": query failed: ", 0), 0u) << error;
  EXPECT_NE(error.find("nope"), std::string::npos) << error;
  EXPECT_NE(error.find("(in: SELECT nope FROM t)"), std::string::npos) << error;
  EXPECT_NE(error_of([&] { read_table("missing"); }).find("query failed"), std::string::npos);
}

TEST_P(SqlSource, ATableOrAQueryExactlyOne) {
  EXPECT_THROW(open_source(SourceSpec{uri(), "", "", {}}), UsageError);
  EXPECT_THROW(open_source(SourceSpec{uri(), "t", "SELECT 1", {}}), UsageError);
  EXPECT_THROW(open_source(SourceSpec{uri(), "a.b.c", "", {}}), UsageError);
}

TEST_P(SqlSource, OverridesAndColumnsAsForCsv) {
  exec("CREATE TABLE t (code INTEGER, amount TEXT, note TEXT)");
  exec("INSERT INTO t VALUES (7, '1.5', 'x'), (8, '2', 'y')");
  CsvOptions read;
  read.categorical = {"code"};
  read.numeric = {"amount"};
  read.columns = {"code", "amount"};
  read.required = {"amount"};
  const Frame f = read_query("SELECT * FROM t ORDER BY code", read);
  EXPECT_EQ(f.names(), (std::vector<std::string>{"code", "amount"}));
  EXPECT_FALSE(f.column("code").is_numeric());
  EXPECT_EQ(texts(f.column("code")), (std::vector<std::string>{"7", "8"}));
  EXPECT_EQ(f.column("amount").values()[0], 1.5);

  CsvOptions bad_numeric;
  bad_numeric.numeric = {"note"};
  EXPECT_NE(error_of([&] { read_table("t", bad_numeric); }).find("column 'note', row 1 holds 'x'"), std::string::npos);
  CsvOptions required;
  required.required = {"nope"};
  EXPECT_THROW(read_table("t", required), DataError);
  CsvOptions unknown;
  unknown.categorical = {"nope"};
  EXPECT_THROW(read_table("t", unknown), UsageError);
}

TEST_P(SqlSource, UntypedSqliteColumnsAreInferredAsCsvColumnsAre) {
  if (!sqlite()) GTEST_SKIP() << "PostgreSQL types every result column";
  exec("CREATE TABLE t (a, b, c)");
  exec("INSERT INTO t VALUES (1, 'x', '2.5'), (2.5, 3, NULL)");
  const Frame f = read_query("SELECT a, b, c, a * 2 AS twice FROM t");
  EXPECT_TRUE(f.column("a").is_numeric());
  EXPECT_FALSE(f.column("b").is_numeric());  // a text appears
  EXPECT_TRUE(f.column("c").is_numeric());   // text that is a number, as in a CSV
  EXPECT_EQ(f.column("twice").values()[1], 5);
}

TEST_P(SqlSource, BlocksHaveTheSameTypesAndEveryRow) {
  exec("CREATE TABLE t (i INTEGER, name TEXT, x REAL)");
  std::string insert = "INSERT INTO t VALUES ";
  for (int i = 0; i < 1000; ++i)
    insert += (i ? ", (" : "(") + std::to_string(i) + ", 'n" + std::to_string(i % 7) + "', " +
              (i % 10 ? std::to_string(i) + ".5" : "NULL") + ")";
  exec(insert);
  auto source = open_source(SourceSpec{uri(), "", "SELECT * FROM t ORDER BY i", {}});
  std::size_t rows = 0, blocks = 0;
  while (auto block = source->next_block(2000)) {
    EXPECT_EQ(block->first_row, rows);
    const Frame f = block->decode();
    EXPECT_TRUE(f.column("i").is_numeric());
    EXPECT_FALSE(f.column("name").is_numeric());
    EXPECT_TRUE(f.column("x").is_numeric());
    EXPECT_EQ(f.column("i").values()[0], static_cast<double>(rows));
    rows += f.rows();
    ++blocks;
  }
  EXPECT_EQ(rows, 1000u);
  EXPECT_GT(blocks, 5u);
}

TEST_P(SqlSource, RecordAndDescribeNeverShowAPassword) {
  exec("CREATE TABLE t (x INTEGER)");
  std::string location = uri();
  if (!sqlite()) location.insert(location.find('@'), ":secret");  // the test server trusts any password
  auto table = open_source(SourceSpec{location, "t", "", {}});
  EXPECT_EQ(table->record()["kind"], sqlite() ? "sqlite" : "postgresql");
  EXPECT_EQ(table->record()["table"], "t");
  EXPECT_EQ(table->record()["location"], redact_location(location));
  EXPECT_EQ(table->describe().find("secret"), std::string::npos);
  EXPECT_EQ(table->record().dump().find("secret"), std::string::npos);
  auto query = open_source(SourceSpec{location, "", "SELECT x FROM t", {}});
  EXPECT_EQ(query->record()["query"], "SELECT x FROM t");
  EXPECT_NE(query->describe().find("SELECT x FROM t"), std::string::npos);
}

TEST_P(SqlSource, ADroppedConnectionMidStreamIsNamed) {
  if (sqlite()) GTEST_SKIP() << "a SQLite file has no connection to lose";
  exec("CREATE TABLE t AS SELECT g AS x FROM generate_series(1, 100000) g");
  auto source = open_source(SourceSpec{uri(), "t", "", {}});
  ASSERT_TRUE(source->next_block(1000));
  exec("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
       "WHERE datname = current_database() AND pid <> pg_backend_pid()");
  const std::string error = error_of([&] {
    while (source->next_block(1000)) {
    }
  });
  EXPECT_NE(error.find(uri()), std::string::npos) << error;
  EXPECT_NE(error.find("the connection was lost after"), std::string::npos) << error;
}

INSTANTIATE_TEST_SUITE_P(Engines, SqlSource, ::testing::Values("sqlite", "postgresql"), engine_name);

}  // namespace
}  // namespace shipml::test
