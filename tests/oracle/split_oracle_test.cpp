// Group and time splits against scikit-learn 1.2's GroupKFold,
// StratifiedGroupKFold and TimeSeriesSplit: the same rows in the same folds.
#include <gtest/gtest.h>

#include <numeric>

#include "oracle/oracle_support.hpp"
#include "shipml/data/group_split.hpp"
#include "shipml/data/time_split.hpp"

namespace shipml::test {
namespace {

std::vector<std::vector<std::size_t>> tests_of(const std::vector<Fold>& folds) {
  std::vector<std::vector<std::size_t>> out;
  for (const auto& f : folds) out.push_back(f.test);
  return out;
}

TEST(SplitOracle, GroupKFoldPutsTheSameGroupsInTheSameFolds) {
  const auto cases = oracle("splits.json")["group"];
  ASSERT_FALSE(cases.empty());
  for (const auto& c : cases) {
    const auto groups = c["groups"].get<std::vector<int>>();
    const auto expected = c["test"].get<std::vector<std::vector<std::size_t>>>();
    EXPECT_EQ(tests_of(group_kfold(groups, c["k"])), expected) << "k=" << c["k"];
    // A seed changes only the order of groups of equal size: none here.
    EXPECT_EQ(tests_of(group_kfold(groups, c["k"], 7)), expected) << "k=" << c["k"];
  }
}

TEST(SplitOracle, StratifiedGroupKFoldMatchesScikitLearn) {
  const auto cases = oracle("splits.json")["stratified_group"];
  ASSERT_FALSE(cases.empty());
  for (const auto& c : cases) {
    const auto groups = c["groups"].get<std::vector<int>>();
    const auto classes = c["classes"].get<std::vector<int>>();
    EXPECT_EQ(tests_of(stratified_group_kfold(groups, classes, c["k"])),
              (c["test"].get<std::vector<std::vector<std::size_t>>>()))
        << "k=" << c["k"];
  }
}

TEST(SplitOracle, TimeSeriesSplitMatchesScikitLearnWithAndWithoutAGap) {
  const auto cases = oracle("splits.json")["time"];
  ASSERT_FALSE(cases.empty());
  for (const auto& c : cases) {
    std::vector<double> time(c["n"].get<std::size_t>());
    std::iota(time.begin(), time.end(), 1000.0);
    const auto folds = time_series_split(time, c["k"], {.rows = c["gap"].get<std::size_t>()});
    std::vector<std::vector<std::size_t>> train;
    for (const auto& f : folds) train.push_back(f.train);
    EXPECT_EQ(tests_of(folds), (c["test"].get<std::vector<std::vector<std::size_t>>>())) << c.dump();
    EXPECT_EQ(train, (c["train"].get<std::vector<std::vector<std::size_t>>>())) << c.dump();
  }
}

}  // namespace
}  // namespace shipml::test
