// SQLite and PostgreSQL tables as sinks: one transaction per write, so a
// failed or abandoned write leaves the table as it was, and --if-exists.
#include "sources/sql_fixture.hpp"

namespace shipml::test {
namespace {

using SqlSink = SqlTest;

Frame rows_of(std::vector<double> x, std::vector<std::string> name) {
  Frame f;
  f.add(Column::numeric("x", std::move(x)));
  f.add(Column::from_strings("name", name));
  return f;
}

TEST_P(SqlSink, WritesANewTableVisibleOnlyAtCommit) {
  auto sink = open_sink(SinkSpec{uri(), "out", IfExists::fail});
  sink->write(rows_of({1, 2}, {"a", "b\tc"}));
  sink->write(rows_of({3.25, NAN}, {"d\\e", "f\ng"}));
  EXPECT_THROW(read_table("out"), DataError);  // not there before the commit
  sink->commit();
  const Frame f = read_query("SELECT * FROM out ORDER BY coalesce(x, 99)");
  ASSERT_EQ(f.rows(), 4u);
  EXPECT_TRUE(f.column("x").is_numeric());
  EXPECT_FALSE(f.column("name").is_numeric());
  EXPECT_EQ(f.column("x").values()[2], 3.25);
  EXPECT_EQ(f.column("name").text(1), "b\tc");
  EXPECT_EQ(f.column("name").text(2), "d\\e");
  const nlohmann::json record = sink->record();
  EXPECT_EQ(record["rows"], 4);
  EXPECT_EQ(record["table"], "out");
  EXPECT_EQ(record["if_exists"], "fail");
  EXPECT_EQ(record["kind"], sqlite() ? "sqlite" : "postgresql");
}

TEST_P(SqlSink, FailRefusesAnExistingTableBeforeWriting) {
  exec("CREATE TABLE out (x REAL, name TEXT)");
  auto sink = open_sink(SinkSpec{uri(), "out", IfExists::fail});
  const std::string error = error_of([&] { sink->write(rows_of({1}, {"a"})); });
  EXPECT_NE(error.find("already exists"), std::string::npos) << error;
  EXPECT_NE(error.find(uri()), std::string::npos) << error;
}

TEST_P(SqlSink, AppendAddsToTheTable) {
  exec("CREATE TABLE out (name TEXT, x DOUBLE PRECISION)");
  exec("INSERT INTO out VALUES ('old', 0)");
  auto sink = open_sink(SinkSpec{uri(), "out", IfExists::append});
  sink->write(rows_of({1, 2}, {"a", "b"}));
  sink->commit();
  EXPECT_EQ(number("SELECT count(*) AS n FROM out"), 3);
}

TEST_P(SqlSink, AppendWithOtherColumnsIsRefusedBeforeWriting) {
  exec("CREATE TABLE out (x REAL, label TEXT)");
  auto other_names = open_sink(SinkSpec{uri(), "out", IfExists::append});
  const std::string names = error_of([&] { other_names->write(rows_of({1}, {"a"})); });
  EXPECT_NE(names.find("cannot append"), std::string::npos) << names;
  EXPECT_NE(names.find("not in the table: name"), std::string::npos) << names;
  exec("CREATE TABLE typed (x TEXT, name TEXT)");
  auto other_types = open_sink(SinkSpec{uri(), "typed", IfExists::append});
  const std::string types = error_of([&] { other_types->write(rows_of({1}, {"a"})); });
  EXPECT_NE(types.find("column 'x' is numeric in the rows, but has type"), std::string::npos) << types;
}

TEST_P(SqlSink, ReplaceSwapsTheTableAtCommitAndLeavesNoStagingTable) {
  exec("CREATE TABLE out (old INTEGER)");
  exec("INSERT INTO out VALUES (1), (2), (3)");
  auto sink = open_sink(SinkSpec{uri(), "out", IfExists::replace});
  sink->write(rows_of({5}, {"new"}));
  EXPECT_EQ(number("SELECT count(*) AS n FROM out"), 3);  // the old table, until the commit
  sink->commit();
  const Frame f = read_table("out");
  EXPECT_EQ(f.names(), (std::vector<std::string>{"x", "name"}));
  EXPECT_EQ(f.rows(), 1u);
  EXPECT_EQ(tables_named("shipml_staging"), 0);
}

TEST_P(SqlSink, AWriteThatFailsMidwayLeavesTheTableAsItWas) {
  exec("CREATE TABLE out (x REAL CHECK (x < 100), name TEXT NOT NULL)",
       "CREATE TABLE out (x DOUBLE PRECISION CHECK (x < 100), name TEXT NOT NULL)");
  exec("INSERT INTO out VALUES (1, 'kept')");
  {
    auto sink = open_sink(SinkSpec{uri(), "out", IfExists::append});
    sink->write(rows_of({2, 3}, {"a", "b"}));
    const std::string error = error_of([&] { sink->write(rows_of({4, 500}, {"c", "d"})); });
    EXPECT_NE(error.find(uri()), std::string::npos) << error;
    EXPECT_NE(error.find("failed"), std::string::npos) << error;
    EXPECT_THROW(sink->commit(), UsageError);
  }
  EXPECT_EQ(number("SELECT count(*) AS n FROM out"), 1);
}

TEST_P(SqlSink, ASinkDestroyedWithoutCommitLeavesNoTrace) {
  exec("CREATE TABLE out (old INTEGER)");
  exec("INSERT INTO out VALUES (1), (2)");
  for (IfExists how : {IfExists::replace, IfExists::fail}) {
    auto sink = open_sink(SinkSpec{uri(), how == IfExists::fail ? "fresh" : "out", how});
    sink->write(rows_of({5}, {"new"}));
  }
  EXPECT_EQ(read_table("out").names(), std::vector<std::string>{"old"});
  EXPECT_EQ(number("SELECT count(*) AS n FROM out"), 2);
  EXPECT_EQ(tables_named("shipml_staging"), 0);
  EXPECT_EQ(tables_named("fresh"), 0);
}

TEST_P(SqlSink, ANewSqliteFileIsNotLeftBehind) {
  if (!sqlite()) GTEST_SKIP() << "about SQLite files";
  const std::string file = tmp_.file("new.db");
  { open_sink(SinkSpec{"sqlite://" + file, "t", IfExists::fail})->write(rows_of({1}, {"a"})); }
  EXPECT_FALSE(std::filesystem::exists(file));
}

INSTANTIATE_TEST_SUITE_P(Engines, SqlSink, ::testing::Values("sqlite", "postgresql"), engine_name);

}  // namespace
}  // namespace shipml::test
