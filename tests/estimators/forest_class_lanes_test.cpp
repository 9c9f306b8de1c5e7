// A forest node's statistics in lanes of the classes it holds
// (src/estimators/hist/class_lanes.hpp): lanes map the present classes and
// back, and the criterion in lanes scores and orders as over every class, so
// the split search finds the same split bit for bit. (A node's sums in lanes:
// hist_node_sums_test.cpp.)
#include <gtest/gtest.h>

#include "../src/estimators/hist/class_lanes.hpp"  // internal pieces, driven directly
#include "../src/estimators/hist/criteria.hpp"

namespace shipml::hist {
namespace {

TEST(ClassLanes, APresentClassKeepsItsPlaceInLanesAndComesBack) {
  const double total[] = {0.0, 3.0, 0.0, 2.5, 0.0, 7.0};  // five classes' weights, then the rows
  ClassLanes lanes;
  lanes.of(total, 5);
  EXPECT_TRUE(lanes.fewer());
  EXPECT_EQ(lanes.classes(), 2u);
  EXPECT_EQ(lanes.width(), 3u);
  EXPECT_EQ(lanes.lane_of()[1], 0u);
  EXPECT_EQ(lanes.lane_of()[3], 1u);
  std::vector<double> compact = lanes.compact(total);
  EXPECT_EQ(compact, (std::vector<double>{3.0, 2.5, 7.0}));
  lanes.expand(compact);
  EXPECT_EQ(compact, (std::vector<double>{0.0, 3.0, 0.0, 2.5, 0.0, 7.0}));

  const double every[] = {1.0, 1.0, 2.0};
  lanes.of(every, 2);
  EXPECT_FALSE(lanes.fewer());
}

TEST(ClassLanes, TheCriterionInLanesScoresAndOrdersAsOverEveryClass) {
  for (const bool entropy : {false, true}) {
    const ClassCountCriterion every(4, entropy);
    const ClassCountCriterion lanes = every.in_lanes(2);  // classes 0 and 2 present
    const double parent[] = {6.0, 0.0, 3.5, 0.0, 9.0}, parent_lanes[] = {6.0, 3.5, 9.0};
    const double part[] = {1.0, 0.0, 2.5, 0.0, 3.0}, part_lanes[] = {1.0, 2.5, 3.0};
    EXPECT_EQ(lanes.score(part_lanes), every.score(part));
    EXPECT_EQ(lanes.score(parent_lanes), every.score(parent));
    EXPECT_EQ(lanes.count(part_lanes), every.count(part));
    EXPECT_EQ(lanes.weight(part_lanes), every.weight(part));
    // Categories order by the share of the parent's most common class
    // (class 0, lane 0: 1/3.5), not by the second lane's as for two classes
    // in all (2.5/3.5).
    EXPECT_EQ(lanes.order(part_lanes, parent_lanes), every.order(part, parent));
    EXPECT_DOUBLE_EQ(lanes.order(part_lanes, parent_lanes), 1.0 / 3.5);
  }
  // Two classes in all: the second's share, in lanes as over both.
  const ClassCountCriterion two(2, false);
  const double s[] = {1.0, 3.0, 4.0}, parent[] = {5.0, 1.0, 6.0};
  EXPECT_EQ(two.in_lanes(2).order(s, parent), two.order(s, parent));
}

}  // namespace
}  // namespace shipml::hist
