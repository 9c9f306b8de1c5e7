// A forest's node whose rows are all of one class is a leaf without a split
// search (src/estimators/hist/grower.cpp): no split of it can gain, and in
// fractional weights the sums' rounding could make one look as if it did.
// The features a node draws are drawn all the same, so every other node of
// the tree draws what it drew before.
#include <gtest/gtest.h>

#include <cmath>

#include "../src/estimators/hist/criteria.hpp"  // internal pieces, driven directly
#include "support.hpp"

namespace shipml::hist {
namespace {

TEST(PureNodes, OneClassIsPureWhateverTheOtherClassesCount) {
  const ClassCountCriterion criterion(3, false);
  const double one_class[] = {0.0, 2.5, 0.0, 4.0};  // three class weights, then the rows
  const double two_classes[] = {0.1, 2.5, 0.0, 4.0};
  const double empty[] = {0.0, 0.0, 0.0, 0.0};
  EXPECT_TRUE(criterion.pure(one_class));
  EXPECT_FALSE(criterion.pure(two_classes));
  EXPECT_TRUE(criterion.pure(empty));
  EXPECT_FALSE(BoostingCriterion(1.0, 10.0, 10.0).pure(one_class));
  EXPECT_FALSE(VarianceCriterion().pure(one_class));
}

// The classes of the leaves under a node: bit c set when a leaf predicts class c.
unsigned classes_under(const HistTree& t, std::int32_t node) {
  const Node& n = t.nodes[static_cast<std::size_t>(node)];
  if (n.left >= 0) return classes_under(t, n.left) | classes_under(t, n.left + 1);
  unsigned out = 0;
  for (int c = 0; c < t.value_width; ++c)
    if (t.values[n.payload * static_cast<std::size_t>(t.value_width) + static_cast<std::size_t>(c)] > 0) out |= 1u << c;
  return out;
}

// Rows of two classes in two regions of x0, each region of one class, with
// weights that are not whole numbers (class weights, say): no node of a tree
// grown to purity has leaves of one class only under it; with every feature
// tried, it splits once, between the regions, however many other features
// vary within them.
TEST(PureNodes, AForestTreeDoesNotSplitANodeOfOneClass) {
  constexpr std::size_t n = 20000, features = 8;
  Random rng(4);
  FeatureMatrix X;
  std::vector<std::vector<double>> x(features, std::vector<double>(n));
  std::vector<float> stats(n * 3, 0.0f);  // one-hot class weight, then the row count
  for (std::size_t i = 0; i < n; ++i) {
    for (std::size_t j = 0; j < features; ++j) x[j][i] = rng.uniform();
    x[0][i] = std::floor(10 * x[0][i]);  // ten values, each a bin of its own
    const std::size_t cls = x[0][i] < 5 ? 0 : 1;
    stats[i * 3 + cls] = static_cast<float>(0.1 + 0.7 * rng.uniform());
    stats[i * 3 + 2] = 1.0f;
  }
  for (std::size_t j = 0; j < features; ++j) X.add_owned({.name = "x" + std::to_string(j)}, std::move(x[j]));
  X.set_rows(n);
  Binner binner;
  binner.fit(X, kMaxBins);
  const BinnedRows rows = binner.transform(X);
  std::vector<std::uint32_t> all(n);
  for (std::uint32_t r = 0; r < n; ++r) all[r] = r;
  const ClassCountCriterion criterion(2, false);
  for (const int per_split : {0, 3}) {
    Random grow(7);
    const GrownTree t = grow_tree(rows, binner.features(), stats, all, {}, criterion,
                                  {.min_gain = 0, .features_per_split = per_split}, grow);
    for (std::size_t i = 0; i < t.tree.nodes.size(); ++i)
      if (t.tree.nodes[i].left >= 0) {
        ASSERT_EQ(classes_under(t.tree, static_cast<std::int32_t>(i)), 3u) << "node " << i << ", " << per_split;
      }
    if (per_split == 0) {
      ASSERT_EQ(t.tree.nodes.size(), 3u);
      EXPECT_EQ(t.tree.nodes[0].feature, 0);
    }
  }
}

}  // namespace
}  // namespace shipml::hist
