// The CLI reads a database table as it reads a CSV file; --table and --query
// belong to databases only.
#include "sources/sql_fixture.hpp"

namespace shipml::test {
namespace {

TEST(SqlCli, TrainsFromASqliteTable) {
  TempDir tmp;
  const std::string db = "sqlite://" + tmp.file("x.db");
  auto sink = open_sink(SinkSpec{db, "t", IfExists::fail});
  sink->write(read_csv(data_path("iris.csv")));
  sink->commit();
  const auto trained =
      run_cli("train --data " + db + " --table t --target species -e decision_tree -q -o " + tmp.file("m.shipml"));
  EXPECT_EQ(trained.exit_code, 0) << trained.err;
  const auto queried = run_cli("score --data " + db + " --query 'SELECT * FROM t WHERE sepal_length_cm > 0' " +
                               "--target species -e decision_tree -q");
  EXPECT_EQ(queried.exit_code, 0) << queried.err;
}

TEST(SqlCli, TableAndQueryAreForDatabasesOnly) {
  TempDir tmp;
  const auto with_file =
      run_cli("train --data " + data_path("iris.csv") + " --table t --target species -e linear -q -o " + tmp.file("m"));
  EXPECT_NE(with_file.exit_code, 0);
  EXPECT_NE(with_file.err.find("--table reads a database"), std::string::npos) << with_file.err;
  const auto neither =
      run_cli("train --data sqlite://" + tmp.file("x.db") + " --target species -e linear -q -o " + tmp.file("m"));
  EXPECT_NE(neither.exit_code, 0);
  EXPECT_NE(neither.err.find("name a --table or give a --query"), std::string::npos) << neither.err;
  const auto both = run_cli("train --data sqlite://" + tmp.file("x.db") + " --table t --query 'SELECT 1' --target y");
  EXPECT_NE(both.exit_code, 0);
}

}  // namespace
}  // namespace shipml::test
