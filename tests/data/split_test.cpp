#include "shipml/data/split.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <set>

#include "support.hpp"

namespace shipml {
namespace {

std::vector<int> labels(std::size_t n, int classes_with_rare) {
  std::vector<int> y(n);
  for (std::size_t i = 0; i < n; ++i) y[i] = i % 10 == 0 ? classes_with_rare : static_cast<int>(i % 2);
  return y;
}

TEST(Split, TrainTestPartitionsAllRows) {
  const Fold f = train_test_split(101, 0.25, 1);
  EXPECT_EQ(f.test.size(), 26u);
  EXPECT_EQ(f.train.size(), 75u);
  std::set<std::size_t> all(f.train.begin(), f.train.end());
  all.insert(f.test.begin(), f.test.end());
  EXPECT_EQ(all.size(), 101u);
}

TEST(Split, SameSeedSameSplitOtherSeedOtherSplit) {
  EXPECT_EQ(train_test_split(50, 0.3, 9).test, train_test_split(50, 0.3, 9).test);
  EXPECT_NE(train_test_split(50, 0.3, 9).test, train_test_split(50, 0.3, 10).test);
}

TEST(Split, StratifiedKeepsClassShares) {
  const auto y = labels(1000, 2);
  const Fold f = train_test_split(y.size(), 0.2, 3, y);
  std::map<int, int> counts;
  for (auto i : f.test) ++counts[y[i]];
  EXPECT_EQ(counts[2], 20);  // 100 rare rows, 20% held out
  EXPECT_EQ(counts[0] + counts[1], 180);
}

TEST(Split, KFoldCoversEveryRowOnce) {
  const auto folds = kfold(23, 5, 1);
  std::vector<int> seen(23, 0);
  for (const auto& f : folds) {
    for (auto i : f.test) ++seen[i];
    EXPECT_EQ(f.train.size() + f.test.size(), 23u);
    EXPECT_GE(f.test.size(), 4u);
    EXPECT_LE(f.test.size(), 5u);
  }
  EXPECT_TRUE(std::all_of(seen.begin(), seen.end(), [](int s) { return s == 1; }));
}

TEST(Split, StratifiedKFoldBalancesRareClass) {
  const auto y = labels(500, 2);
  for (const auto& f : kfold(y.size(), 5, 11, y)) {
    const auto rare = std::count_if(f.test.begin(), f.test.end(), [&](auto i) { return y[i] == 2; });
    EXPECT_EQ(rare, 10);
  }
}

TEST(Split, BadArgumentsAreClearErrors) {
  EXPECT_THROW(train_test_split(10, 1.5, 1), UsageError);
  EXPECT_THROW(kfold(10, 1, 1), UsageError);
  EXPECT_THROW(kfold(3, 5, 1), DataError);
}

TEST(Split, DatasetSplitIsStratifiedForClasses) {
  const Dataset d = read_dataset(test::data_path("churn.csv"), "churn");
  const TrainTest s = train_test_split(d, {.test_size = 0.2, .seed = 5});
  auto share = [](const Dataset& part) {
    const auto idx = class_indices(part.labels(), {"no", "yes"});
    return std::count(idx.begin(), idx.end(), 1) / static_cast<double>(idx.size());
  };
  EXPECT_NEAR(share(s.train), share(s.test), 0.002);
}

TEST(Task, InferredFromTarget) {
  EXPECT_EQ(infer_task(Column::from_strings("y", {"a", "b"})), Task::classification);
  EXPECT_EQ(infer_task(Column::numeric("y", {0, 1, 1, 0})), Task::classification);
  EXPECT_EQ(infer_task(Column::numeric("y", {0.5, 1, 2})), Task::regression);
  std::vector<double> many(30);
  for (int i = 0; i < 30; ++i) many[i] = i;
  EXPECT_EQ(infer_task(Column::numeric("y", many)), Task::regression);
}

TEST(Task, NumericClassesSortNumerically) {
  EXPECT_EQ(class_labels(Column::numeric("y", {10, 2, 2, 1})), (std::vector<std::string>{"1", "2", "10"}));
}

TEST(Task, RegressionTargetsAreFiniteNumbers) {
  EXPECT_EQ(target_values(Column::numeric("y", {1.5, -2})), (std::vector<double>{1.5, -2}));
  for (double bad : {INFINITY, -INFINITY}) {
    try {
      target_values(Column::numeric("y", {1, 2, bad}));
      FAIL() << "accepted " << bad;
    } catch (const DataError& e) {
      EXPECT_EQ(std::string(e.what()), "target column 'y' has " + format_number(bad) +
                                           " at row 3; a regression target must be a finite number");
    }
  }
  EXPECT_THROW(target_values(Column::numeric("y", {1, NAN})), DataError);
}

}  // namespace
}  // namespace shipml
