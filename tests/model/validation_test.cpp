// Splits that keep groups whole, follow time, or come from a column: the
// invariants that make a score honest, on every path a front door takes.
#include "shipml/model/validation.hpp"

#include <gtest/gtest.h>

#include <map>
#include <set>

#include "shipml/core/random.hpp"
#include "shipml/data/group_split.hpp"
#include "shipml/experiment/compare.hpp"
#include "shipml/model/scoring.hpp"
#include "support.hpp"

namespace shipml {
namespace {

// Rows of customers who appear several times, a time per row (shuffled) and a class.
Dataset customers(std::size_t n = 300, std::uint64_t seed = 3) {
  Random rng(seed);
  std::vector<std::string> customer, day, y;
  std::vector<double> x, stamp;
  for (std::size_t i = 0; i < n; ++i) {
    const auto c = rng.below(40);
    customer.push_back("c" + std::to_string(c));
    stamp.push_back(static_cast<double>(rng.below(60)));  // ties on purpose
    x.push_back(static_cast<double>(c % 7) + rng.uniform());
    y.push_back(c % 3 == 0 ? "yes" : "no");
  }
  Frame f;
  f.add(Column::numeric("x", x));
  f.add(Column::from_strings("customer", customer));
  f.add(Column::numeric("stamp", stamp));
  f.add(Column::from_strings("y", y));
  return {f, "y", "customers"};
}

void expect_no_group_crosses(const Dataset& d, const std::vector<Fold>& folds) {
  const auto groups = group_indices(d.frame.column(d.group));
  for (const auto& f : folds) {
    std::set<int> trained;
    for (auto i : f.train) trained.insert(groups[i]);
    for (auto i : f.test) ASSERT_FALSE(trained.count(groups[i])) << "group " << groups[i] << " on both sides";
    ASSERT_EQ(f.train.size() + f.test.size(), d.rows());
  }
}

TEST(GroupSplits, NoGroupOnBothSidesInAnyFoldRepeatOrHoldOut) {
  Dataset d = customers();
  d.group = "customer";
  const auto classes = strata(d);
  for (const Validation& v : {Validation{.folds = 5}, Validation{.folds = 4, .repeats = 3},
                              Validation{.test_size = 0.2}, Validation{.folds = 5, .seed = 9}}) {
    const Splits stratified = make_splits(d, v, classes), plain = make_splits(d, v);
    expect_no_group_crosses(d, stratified.folds);
    expect_no_group_crosses(d, plain.folds);
    EXPECT_EQ(stratified.folds.size(), static_cast<std::size_t>(v.folds >= 2 ? v.folds * v.repeats : 1));
    EXPECT_NE(stratified.description.find("grouped by 'customer'"), std::string::npos) << stratified.description;
  }
  // Every row is tested exactly once per repeat.
  const auto folds = make_splits(d, {.folds = 5}, classes).folds;
  std::vector<int> tested(d.rows(), 0);
  for (const auto& f : folds)
    for (auto i : f.test) ++tested[i];
  EXPECT_EQ(std::set<int>(tested.begin(), tested.end()), std::set<int>{1});
  // Repeats draw other folds.
  const auto repeated = make_splits(d, {.folds = 5, .repeats = 2}, classes).folds;
  EXPECT_NE(repeated[0].test, repeated[5].test);
}

TEST(GroupSplits, TooFewGroupsOrAMissingGroupIsRefusedByName) {
  Dataset d = customers(50);
  d.group = "customer";
  try {
    make_splits(d, {.folds = 45});
    ADD_FAILURE();
  } catch (const DataError& e) {
    EXPECT_NE(std::string(e.what()).find("groups: a group is never split"), std::string::npos) << e.what();
  }
  Frame f = d.frame;
  std::vector<std::string> g(50, "a");
  g[7] = "";
  Frame with_missing;
  with_missing.add(f.column("x"));
  std::vector<bool> none(50, false);
  none[7] = true;
  with_missing.add(Column::from_strings("customer", g, none));
  with_missing.add(f.column("y"));
  Dataset m{with_missing, "y", "m"};
  m.group = "customer";
  EXPECT_THROW(
      {
        try {
          make_splits(m, {.folds = 2});
        } catch (const DataError& e) {
          EXPECT_NE(std::string(e.what()).find("group column 'customer', row 8: missing"), std::string::npos);
          throw;
        }
      },
      DataError);
}

TEST(TimeSplits, NoTrainingRowIsAsLateAsATestRowEvenWithTiesAndShuffledRows) {
  Dataset d = customers();
  d.time = "stamp";
  const auto& stamp = d.frame.column("stamp").values();
  for (const Validation& v :
       {Validation{.folds = 5}, Validation{.test_size = 0.3}, Validation{.folds = 3, .gap = {.rows = 10}},
        Validation{.folds = 4, .gap = {.seconds = 5}}}) {
    const Splits s = make_splits(d, v, strata(d));
    for (const auto& f : s.folds) {
      double latest_train = -1, earliest_test = 1e300;
      for (auto i : f.train) latest_train = std::max(latest_train, stamp[i]);
      for (auto i : f.test) earliest_test = std::min(earliest_test, stamp[i]);
      ASSERT_FALSE(f.train.empty());
      EXPECT_LT(latest_train, earliest_test) << s.description;
      if (v.gap.seconds > 0) EXPECT_LE(latest_train, earliest_test - v.gap.seconds) << s.description;
    }
    EXPECT_EQ(s.description.find("stratified"), std::string::npos) << s.description;  // time decides alone
  }
  EXPECT_EQ(make_splits(d, {.folds = 3, .gap = {.rows = 10}}).description,
            "3-fold time-ordered CV by 'stamp' (expanding window), gap 10 rows");
  EXPECT_EQ(make_splits(d, {.folds = 3, .gap = TimeGap::parse("3s")}).description,
            "3-fold time-ordered CV by 'stamp' (expanding window), gap 3s");
  try {  // a gap that leaves nothing to train on says so
    make_splits(d, {.folds = 3, .gap = TimeGap::parse("7d")});
    ADD_FAILURE();
  } catch (const DataError& e) {
    EXPECT_NE(std::string(e.what()).find("has no rows to train on: the gap of 1w takes them all"), std::string::npos)
        << e.what();
  }
}

TEST(TimeSplits, DatesAreReadAsTimesAndABadOneIsNamedByRow) {
  const Column dates =
      Column::from_strings("day", {"2024-03-01", "2023-12-31T23:59:59", "2024-03-01 10:30", "1970-01-02"});
  EXPECT_EQ(time_values(dates), (std::vector<double>{1709251200, 1704067199, 1709289000, 86400}));
  try {
    time_values(Column::from_strings("day", {"2024-03-01", "2024-02-30"}));
    ADD_FAILURE();
  } catch (const DataError& e) {
    EXPECT_NE(std::string(e.what()).find("time column 'day', row 2: '2024-02-30' is not"), std::string::npos)
        << e.what();
  }
  EXPECT_EQ(TimeGap::parse("12").rows, 12u);
  EXPECT_EQ(TimeGap::parse("12h").seconds, 43200);
  EXPECT_EQ(TimeGap::parse("2w").to_string(), "2w");
  for (const char* bad : {"", "-1", "1.5", "7y", "d"}) EXPECT_THROW(TimeGap::parse(bad), UsageError) << bad;
}

TEST(FoldColumn, EachValueIsATestFoldAndMissingRowsAreAlwaysTrainedOn) {
  Frame f;
  f.add(Column::numeric("x", {1, 2, 3, 4, 5, 6, 7}));
  f.add(
      Column::from_strings("fold", {"b", "a", "", "b", "a", "c", ""}, {false, false, true, false, false, false, true}));
  f.add(Column::numeric("y", {1, 2, 3, 4, 5, 6, 7}));
  Dataset d{f, "y", "t"};
  d.fold = "fold";
  const Splits s = make_splits(d, {});
  ASSERT_EQ(s.folds.size(), 3u);
  EXPECT_EQ(s.folds[0].test, (std::vector<std::size_t>{1, 4}));  // "a"
  EXPECT_EQ(s.folds[1].test, (std::vector<std::size_t>{0, 3}));  // "b"
  EXPECT_EQ(s.folds[2].train, (std::vector<std::size_t>{0, 1, 2, 3, 4, 6}));
  EXPECT_EQ(s.description, "3 folds from column 'fold'");
  EXPECT_EQ(d.features().names(), (std::vector<std::string>{"x"}));
}

TEST(Roles, RoleColumnsAreNeverFeaturesAndContradictionsAreRefused) {
  Dataset d = customers();
  d.group = "customer";
  EXPECT_EQ(d.features().names(), (std::vector<std::string>{"x", "stamp"}));
  // A refit after a grouped comparison reads the same features as the folds did.
  std::vector<Model> models;
  models.emplace_back("logistic");
  const Leaderboard board = compare(models, d, {.folds = 3}, {}, "", true);
  ASSERT_TRUE(board.best_model);
  EXPECT_EQ(board.best_model->schema().names(), (std::vector<std::string>{"x", "stamp"}));
  EXPECT_NE(board.validation.find("grouped by 'customer'"), std::string::npos);

  Dataset both = d;
  both.time = "stamp";
  EXPECT_THROW(make_splits(both, {.folds = 3}), UsageError);
  Dataset unknown = customers();
  unknown.group = "client";
  try {
    make_splits(unknown, {.folds = 3});
    ADD_FAILURE();
  } catch (const UsageError& e) {
    EXPECT_NE(std::string(e.what()).find("--group client: no such column (columns: x, customer, stamp, y)"),
              std::string::npos)
        << e.what();
  }
  Dataset target_too = customers();
  target_too.group = "y";
  EXPECT_THROW(make_splits(target_too, {.folds = 3}), UsageError);
  Dataset timed = customers();
  timed.time = "stamp";
  EXPECT_THROW(make_splits(timed, {.folds = 3, .repeats = 2}), UsageError);
  EXPECT_THROW(make_splits(customers(), {.folds = 3, .gap = {.rows = 2}}), UsageError);
  EXPECT_THROW(make_splits(customers(), {.test_size = 0.3, .repeats = 2}), UsageError);
}

TEST(Roles, ScoringWithGroupsIsLowerThanRowSplitsWhenRowsOfAGroupRepeatEachOther) {
  // Each customer's rows carry its own label and an id-like feature: row splits
  // let a model remember the customer, grouped splits do not.
  Random rng(5);
  std::vector<std::string> customer, y;
  std::vector<double> id;
  for (int c = 0; c < 60; ++c) {
    const std::string label = rng.uniform() < 0.5 ? "a" : "b";
    for (int r = 0; r < 6; ++r) {
      customer.push_back("c" + std::to_string(c));
      id.push_back(c + 0.01 * r);
      y.push_back(label);
    }
  }
  Frame f;
  f.add(Column::numeric("id", id));
  f.add(Column::from_strings("customer", customer));
  f.add(Column::from_strings("y", y));
  Dataset rows{f, "y", "leaky"};
  Dataset grouped = rows;
  grouped.group = "customer";
  const double by_rows = score(Model("knn"), rows, {.folds = 5}, {"accuracy"}).mean("accuracy");
  const double by_groups = score(Model("knn"), grouped, {.folds = 5}, {"accuracy"}).mean("accuracy");
  EXPECT_GT(by_rows, 0.9);
  EXPECT_LT(by_groups, 0.7);
}

}  // namespace
}  // namespace shipml
