// Data from a table is the same data as from a CSV of the same rows: the same
// fingerprint, the same model, bit for bit.
#include <algorithm>
#include <bit>
#include <numeric>

#include "sources/sql_fixture.hpp"

namespace shipml::test {
namespace {

using SqlTraining = SqlTest;

// The synthetic rows into a table (through a sink) and into a CSV file.
std::string store(const SqlTest& test, const Dataset& d, const std::string& table) {
  auto sink = open_sink(SinkSpec{test.uri(), table, IfExists::fail});
  sink->write(d.frame);
  sink->commit();
  const std::string csv = test.tmp_.file(table + ".csv");
  write_csv(csv, d.frame);
  return csv;
}

TEST_P(SqlTraining, FingerprintsAreEqualForTheSameRowsWhateverTheSource) {
  const Dataset d = synthetic(Task::classification, 120);
  const std::string csv = store(*this, d, "train");
  const Dataset from_csv = read_dataset(csv, "y");
  const Dataset from_table = read_dataset(SourceSpec{uri(), "train", "", {}}, "y");
  const Dataset from_query = read_dataset(SourceSpec{uri(), "", "SELECT x1, x2, color, y FROM train", {}}, "y");
  EXPECT_EQ(from_table.fingerprint(), from_csv.fingerprint());
  EXPECT_EQ(from_query.fingerprint(), from_csv.fingerprint());
  EXPECT_EQ(from_table.query, "train");
  EXPECT_EQ(from_query.query, "SELECT x1, x2, color, y FROM train");

  // One cell changed: another fingerprint.
  exec("UPDATE train SET x1 = x1 + 1 WHERE rowid = 5",
       "UPDATE train SET x1 = x1 + 1 WHERE ctid = (SELECT ctid FROM train LIMIT 1)");
  EXPECT_NE(read_dataset(SourceSpec{uri(), "train", "", {}}, "y").fingerprint(), from_csv.fingerprint());
}

TEST_P(SqlTraining, ATableTrainsTheModelACsvOfTheSameRowsTrains) {
  const Dataset d = synthetic(Task::regression, 200);
  const std::string csv = store(*this, d, "train");
  Model from_table("decision_tree");
  // Row order is the table's: SQL promises none, so the query says it.
  from_table.fit(read_dataset(SourceSpec{uri(), "", "SELECT * FROM train ORDER BY x1", {}}, "y"));
  Model from_sorted_csv("decision_tree");
  const Dataset csv_rows = read_dataset(csv, "y");
  std::vector<std::size_t> order(csv_rows.rows());
  std::iota(order.begin(), order.end(), std::size_t{0});
  const auto x1 = csv_rows.frame.column("x1").values();
  std::sort(order.begin(), order.end(), [&](auto a, auto b) { return x1[a] < x1[b]; });
  from_sorted_csv.fit(csv_rows.take(order));

  EXPECT_EQ(from_table.metadata()["training"]["fingerprint"], from_sorted_csv.metadata()["training"]["fingerprint"]);
  const Frame probe = read_csv(csv);
  const auto a = from_table.predict(probe).values, b = from_sorted_csv.predict(probe).values;
  ASSERT_EQ(a.size(), b.size());
  for (std::size_t i = 0; i < a.size(); ++i)
    EXPECT_EQ(std::bit_cast<std::uint64_t>(a[i]), std::bit_cast<std::uint64_t>(b[i]));
}

INSTANTIATE_TEST_SUITE_P(Engines, SqlTraining, ::testing::Values("sqlite", "postgresql"), engine_name);

}  // namespace
}  // namespace shipml::test
