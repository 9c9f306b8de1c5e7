// Binned rows kept in one copy (src/estimators/hist/binning.hpp): a learner
// short of memory drops the column-major bins, and every reader (partition,
// per-node sums, bin()) then reads a feature through the rows. Trees grown
// either way are the same, bit for bit, for boosting and for forests, on
// nodes large enough to be built and partitioned in several blocks.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>

#include "../src/estimators/hist/criteria.hpp"  // internal pieces, driven directly
#include "../src/estimators/hist/histogram.hpp"
#include "support.hpp"

namespace shipml::hist {
namespace {

struct Problem {
  FeatureMatrix X;
  std::vector<double> y;
};

// `n` rows of `features` numeric columns (a missing value now and then) and
// a class that depends on a few of them.
Problem problem(std::size_t n, std::size_t features, std::uint64_t seed = 11) {
  Random rng(seed);
  Problem p;
  std::vector<std::vector<double>> x(features, std::vector<double>(n));
  p.y.resize(n);
  for (std::size_t i = 0; i < n; ++i) {
    for (std::size_t j = 0; j < features; ++j) x[j][i] = rng.uniform() < 0.01 ? NAN : 4 * (rng.uniform() - 0.5);
    const double a = std::isnan(x[0][i]) ? 0 : x[0][i], b = std::isnan(x[1][i]) ? 0 : x[1][i];
    p.y[i] = a * b + 0.5 * (std::isnan(x[2][i]) ? 1 : x[2][i]) + 0.6 * (rng.uniform() - 0.5) > 0 ? 1 : 0;
  }
  for (std::size_t j = 0; j < features; ++j) p.X.add_owned({.name = "x" + std::to_string(j)}, std::move(x[j]));
  p.X.set_rows(n);
  return p;
}

BinnedRows rows_only(BinnedRows both) {
  BinnedRows::Bytes().swap(both.by_column);
  return both;
}

void expect_same_tree(const GrownTree& a, const GrownTree& b) {
  ASSERT_EQ(a.tree.nodes.size(), b.tree.nodes.size());
  ASSERT_GT(a.tree.nodes.size(), 30u) << "a tree deep enough to mean something";
  EXPECT_EQ(std::memcmp(a.tree.nodes.data(), b.tree.nodes.data(), a.tree.nodes.size() * sizeof(Node)), 0);
  EXPECT_EQ(a.tree.values, b.tree.values);  // bit for bit: the same sums in the same order
  EXPECT_EQ(a.order, b.order);
}

// The partition's result: each leaf's rows are the rows that reach it, in
// their first order (it is stable).
void expect_rows_reach_their_leaves(const GrownTree& grown, const BinnedRows& rows) {
  std::size_t covered = 0;
  for (const LeafRows& leaf : grown.leaves) {
    const double* value = grown.tree.values.data() + grown.tree.nodes[static_cast<std::size_t>(leaf.node)].payload;
    for (std::size_t i = leaf.begin; i < leaf.end; ++i) {
      ASSERT_EQ(grown.tree.predict(rows.row(grown.order[i])), value) << "row " << grown.order[i];
      if (i > leaf.begin) {
        ASSERT_LT(grown.order[i - 1], grown.order[i]);
      }
    }
    covered += leaf.end - leaf.begin;
  }
  EXPECT_EQ(covered, rows.rows);
}

// A problem's bins, in both copies and in the rows alone.
struct Binned {
  Binner binner;
  BinnedRows both, rows;
  explicit Binned(const FeatureMatrix& X) {
    binner.fit(X, kMaxBins);
    both = binner.transform(X);
    rows = rows_only(both);
  }
};

struct TwoTrees {
  GrownTree from_both, from_rows;
};

// A tree grown over every row from both copies of the bins, and one from the rows alone.
TwoTrees grown_both_ways(const Binned& b, const std::vector<float>& stats, const Criterion& criterion,
                         const GrowerOptions& options, std::uint64_t seed) {
  std::vector<std::uint32_t> all(b.both.rows);
  for (std::uint32_t r = 0; r < all.size(); ++r) all[r] = r;
  Random first(seed), second(seed);
  return {grow_tree(b.both, b.binner.features(), stats, all, {}, criterion, options, first),
          grow_tree(b.rows, b.binner.features(), stats, all, {}, criterion, options, second)};
}

TEST(BinnedRowsLayouts, AColumnReadsThroughTheRowsOnceItsCopyIsDropped) {
  const Binned b(problem(500, 7).X);
  ASSERT_TRUE(b.both.has_columns());
  ASSERT_FALSE(b.rows.has_columns());
  for (std::size_t f = 0; f < b.both.features; ++f)
    for (std::size_t r = 0; r < b.both.rows; ++r) {
      ASSERT_EQ(b.rows.bin(r, f), b.both.by_column[f * b.both.rows + r]) << "row " << r << ", feature " << f;
      ASSERT_EQ(b.rows.column(f)[r], b.both.column(f)[r]);
    }
}

// 40,000 rows: the root and the first levels are summed and partitioned in
// several blocks of rows, shared by two threads.
TEST(BinnedRowsLayouts, BoostedTreesAreTheSameFromTheRowsAlone) {
  const Problem p = problem(40000, 12);
  const Binned b(p.X);
  std::vector<float> stats(p.y.size() * 4);
  for (std::size_t r = 0; r < p.y.size(); ++r)
    stats[r * 4] = static_cast<float>(0.5 - p.y[r]), stats[r * 4 + 1] = 0.25f, stats[r * 4 + 2] = 1.0f;
  const BoostingCriterion criterion(1.0, 10.0, 10.0);
  GrownTree first;
  for (int threads : {1, 2}) {
    const TwoTrees t = grown_both_ways(b, stats, criterion, {.max_leaves = 63, .max_depth = 10, .threads = threads}, 3);
    expect_same_tree(t.from_both, t.from_rows);
    expect_rows_reach_their_leaves(t.from_rows, b.both);
    if (threads == 1) first = t.from_both;
    else expect_same_tree(first, t.from_both);  // and whatever the thread count
  }
}

// A forest's nodes sum a few random features from their rows (NodeSums),
// reading each through the rows when the columns are gone.
TEST(BinnedRowsLayouts, ForestTreesAreTheSameFromTheRowsAlone) {
  const Problem p = problem(20000, 16, 5);
  const Binned b(p.X);
  std::vector<float> stats(p.y.size() * 3, 0.0f);  // one-hot class weight, then the row count
  for (std::size_t r = 0; r < p.y.size(); ++r)
    stats[r * 3 + static_cast<std::size_t>(p.y[r])] = 1.0f, stats[r * 3 + 2] = 1.0f;
  const ClassCountCriterion criterion(2, false);
  for (int threads : {1, 2}) {
    const TwoTrees t =
        grown_both_ways(b, stats, criterion, {.max_depth = 12, .features_per_split = 4, .threads = threads}, 9);
    expect_same_tree(t.from_both, t.from_rows);
  }
}

}  // namespace
}  // namespace shipml::hist
