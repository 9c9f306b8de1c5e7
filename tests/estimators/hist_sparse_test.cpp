// Histograms of mostly-constant features from their uncommon values only
// (src/estimators/hist/sparse_bins): the layout lists exactly the values off
// each sparse feature's common bin; its histograms equal the dense ones (the
// common bin derived as the total minus the rest); trees grown from it make the
// same splits; and models stay the same whatever the thread count.
#include <gtest/gtest.h>

#include <cmath>
#include <memory>

#include "../src/estimators/hist/criteria.hpp"  // internal pieces, driven directly
#include "../src/estimators/hist/histogram.hpp"
#include "../src/estimators/hist/sparse_bins.hpp"
#include "support.hpp"

namespace shipml::hist {
namespace {

// Image-like rows: `features` pixels, most of them 0 (the first two always,
// as a frame is), a few dense columns, a missing value now and then, and a
// class drawn from the bright pixels.
struct Pixels {
  FeatureMatrix X;
  std::vector<double> y;
};

Pixels pixels(std::size_t n, std::size_t features, double lit = 0.12, std::uint64_t seed = 5) {
  Random rng(seed);
  Pixels p;
  std::vector<std::vector<double>> x(features, std::vector<double>(n, 0.0));
  p.y.resize(n);
  for (std::size_t i = 0; i < n; ++i) {
    double score = 0;
    for (std::size_t j = 2; j < features; ++j) {
      const bool dense = j % 7 == 0;
      if (dense || rng.uniform() < lit) x[j][i] = std::round(rng.uniform() * 255);
      if (j % 11 == 3 && rng.uniform() < 0.02) x[j][i] = NAN;
      if (!std::isnan(x[j][i])) score += (j % 3 == 0 ? 1.0 : -0.7) * x[j][i] / 255;
    }
    p.y[i] = score + rng.uniform() > 0.3 ? 1 : 0;
  }
  for (std::size_t j = 0; j < features; ++j) {
    FeatureInfo info{.name = "px"};
    info.name += std::to_string(j);
    p.X.add_owned(info, std::move(x[j]));
  }
  p.X.set_rows(n);
  return p;
}

BinnedRows binned(const FeatureMatrix& X, Binner& binner) {
  binner.fit(X, kMaxBins);
  return binner.transform(X);
}

TEST(SparseBins, ListsExactlyTheUncommonValuesOfMostlyConstantFeatures) {
  const Pixels p = pixels(3000, 30);
  Binner binner;
  const BinnedRows rows = binned(p.X, binner);
  const HistogramLayout layout(binner.features());
  const SparseBins s = index_sparse(rows, layout, 2);
  ASSERT_TRUE(s.enabled());
  for (std::uint32_t f : s.dense) EXPECT_EQ(f % 7, 0u) << "only the dense columns stay bytes: " << f;
  EXPECT_EQ(s.dense.size() + s.sparse.size(), rows.features);
  for (std::size_t r = 0; r < rows.rows; ++r) {
    std::vector<std::uint32_t> expected;
    for (std::uint32_t f : s.sparse)
      if (rows.row(r)[f] != s.common[f]) expected.push_back(static_cast<std::uint32_t>(layout.slot(f, rows.row(r)[f])));
    const std::vector<std::uint32_t> listed(s.entries.begin() + static_cast<std::ptrdiff_t>(s.row_start[r]),
                                            s.entries.begin() + static_cast<std::ptrdiff_t>(s.row_start[r + 1]));
    ASSERT_EQ(listed, expected) << "row " << r;
    for (std::size_t k = 0; k < s.dense.size(); ++k)  // each dense value as its slot past the feature's first
      ASSERT_EQ(s.dense_offset[k] + s.dense_rows[r * s.dense.size() + k],
                layout.slot(s.dense[k], rows.row(r)[s.dense[k]]))
          << "row " << r;
  }
  EXPECT_EQ(s.common[0], 0) << "a constant column's one bin is its common one";
  EXPECT_NEAR(s.work[0], 0.0, 1e-12);
}

TEST(SparseBins, DenseDataKeepsTheByteLayout) {
  const Pixels p = pixels(2000, 30, 1.0);  // every pixel lit, but for the frame's two constant columns
  Binner binner;
  const BinnedRows rows = binned(p.X, binner);
  EXPECT_FALSE(index_sparse(rows, HistogramLayout(binner.features())).enabled());
}

TEST(SparseBins, HistogramsEqualTheDenseOnesForAnyFeatureGroups) {
  // 57 dense columns of ~256 bins: more histogram than one tile of the dense
  // pass (256 KB), and a node of more rows than one block (1024).
  const Pixels p = pixels(5000, 400);
  Binner binner;
  const BinnedRows rows = binned(p.X, binner);
  const HistogramLayout layout(binner.features());
  const SparseBins s = index_sparse(rows, layout);
  ASSERT_TRUE(s.enabled());
  Random rng(9);
  constexpr int W = 4;
  std::vector<float> stats(rows.rows * W);
  for (std::size_t r = 0; r < rows.rows; ++r)
    stats[r * W] = static_cast<float>(rng.uniform() - 0.5), stats[r * W + 1] = static_cast<float>(rng.uniform()),
              stats[r * W + 2] = 1.0f;
  std::vector<std::uint32_t> node;  // every third row, as a node's rows are
  for (std::uint32_t r = 0; r < rows.rows; r += 3) node.push_back(r);
  const std::size_t size = layout.slots() * W;
  std::vector<double> dense(size, 0.0), by_hand(size, 0.0);
  accumulate(W, rows, layout, node.data(), node.size(), stats.data(), dense.data(), 0, rows.features);
  // Each feature's bins one after another, its missing values after them.
  for (std::size_t f = 0; f < rows.features; ++f) {
    ASSERT_GE(layout.missing[f], binner.features()[f].bins());
    for (std::uint32_t r : node) {
      const std::uint8_t b = rows.row(r)[f];
      const std::size_t slot = layout.offset[f] + (b == kMissingBin ? layout.missing[f] : b);
      for (int w = 0; w < W; ++w)
        by_hand[slot * W + static_cast<std::size_t>(w)] += stats[r * W + static_cast<std::size_t>(w)];
    }
  }
  ASSERT_TRUE(test::same_bits(dense, by_hand));
  double total[W] = {};
  for (std::uint32_t r : node)
    for (int w = 0; w < W; ++w) total[w] += stats[r * W + static_cast<std::size_t>(w)];
  for (std::size_t groups : {1, 2, 3, 7}) {
    std::vector<double> sparse(size, 0.0);
    const std::vector<std::size_t> bounds = balanced_feature_groups(s, groups);
    ASSERT_EQ(bounds.size(), groups + 1);
    for (std::size_t g = 0; g < groups; ++g)
      accumulate_sparse(W, s, layout, node.data(), node.size(), stats.data(), sparse.data(), bounds[g], bounds[g + 1]);
    derive_common_bins(W, s, layout, total, sparse.data(), 0, rows.features);
    for (std::size_t i = 0; i < size; ++i) {
      if (i % W == 2) ASSERT_EQ(sparse[i], dense[i]) << "row counts are exact, slot " << i / W;
      else ASSERT_NEAR(sparse[i], dense[i], 1e-9) << "slot " << i / W << " of " << groups << " groups";
    }
  }
}

FeatureBins with_bins(int bins) {
  FeatureBins f;
  for (int b = 1; b < bins; ++b) f.edges.push_back(b);
  return f;
}

// Columns of few values take a few slots each; columns of up to 255 bins keep
// 256 slots, the binned value being the slot, when compacting would not halve them.
TEST(HistogramLayouts, CompactWhenItHalvesTheSlots) {
  std::vector<FeatureBins> few(100, with_bins(3));
  few[7] = with_bins(255);
  const HistogramLayout wide(few);
  EXPECT_FALSE(wide.uniform);
  EXPECT_EQ(wide.slots(), 99u * 4 + 256);
  EXPECT_EQ(wide.slot(8, 2), wide.offset[8] + 2);
  EXPECT_EQ(wide.slot(8, kMissingBin), wide.offset[8] + 3) << "missing values right after the bins";
  EXPECT_EQ(wide.offset[8], 7u * 4 + 256);

  std::vector<FeatureBins> many(20, with_bins(255));
  many[3] = with_bins(40);
  const HistogramLayout narrow(many);
  EXPECT_TRUE(narrow.uniform);
  EXPECT_EQ(narrow.slots(), 20 * kBinSlots);
  EXPECT_EQ(narrow.slot(3, 39), 3 * kBinSlots + 39);
  EXPECT_EQ(narrow.slot(3, kMissingBin), 3 * kBinSlots + kMissingBin);
}

// A tree from the sparse layout splits where the byte layout's does, with the
// same rows in each leaf; its leaf values differ by rounding at most.
TEST(SparseBins, TreesMakeTheSameSplitsAsFromBytes) {
  const Pixels p = pixels(20000, 60);
  Binner binner;
  const BinnedRows rows = binned(p.X, binner);
  const SparseBins s = index_sparse(rows, HistogramLayout(binner.features()));
  ASSERT_TRUE(s.enabled());
  std::vector<float> stats(rows.rows * 4);
  for (std::size_t r = 0; r < rows.rows; ++r)
    stats[r * 4] = static_cast<float>(0.5 - p.y[r]), stats[r * 4 + 1] = 0.25f, stats[r * 4 + 2] = 1.0f;
  std::vector<std::uint32_t> all(rows.rows);
  for (std::uint32_t r = 0; r < rows.rows; ++r) all[r] = r;
  const BoostingCriterion criterion(1.0, 10.0, 10.0);
  for (int threads : {1, 2}) {
    GrowerOptions options{.max_leaves = 31, .max_depth = 8, .threads = threads};
    Random a(1), b(1);
    const GrownTree bytes = grow_tree(rows, binner.features(), stats, all, {}, criterion, options, a);
    options.sparse = &s;
    const GrownTree sparse = grow_tree(rows, binner.features(), stats, all, {}, criterion, options, b);
    ASSERT_EQ(bytes.tree.nodes.size(), sparse.tree.nodes.size());
    ASSERT_GT(bytes.tree.nodes.size(), 40u);
    for (std::size_t i = 0; i < bytes.tree.nodes.size(); ++i) {
      EXPECT_EQ(bytes.tree.nodes[i].feature, sparse.tree.nodes[i].feature) << "node " << i;
      EXPECT_EQ(bytes.tree.nodes[i].threshold, sparse.tree.nodes[i].threshold) << "node " << i;
      EXPECT_EQ(bytes.tree.nodes[i].flags, sparse.tree.nodes[i].flags) << "node " << i;
    }
    EXPECT_EQ(bytes.order, sparse.order);
    ASSERT_EQ(bytes.tree.values.size(), sparse.tree.values.size());
    for (std::size_t i = 0; i < bytes.tree.values.size(); ++i)
      EXPECT_NEAR(bytes.tree.values[i], sparse.tree.values[i], 1e-9 * (1 + std::abs(bytes.tree.values[i])));
  }
}

// Rows left out of a round (subsample) and held out (early stopping) walk
// each tree from the column-major bins: the row-major copy is gone.
TEST(SparseBins, BoostedModelsAreTheSameWhateverTheThreadCount) {
  const Pixels p = pixels(12000, 80);
  std::vector<Matrix> out;
  for (const char* threads : {"1", "2"}) {
    const EstimatorInfo& info = find_estimator("hist_gbdt");
    auto model = info.create(Params::validate("hist_gbdt", info.params,
                                              {{"threads", threads},
                                               {"n_estimators", "30"},
                                               {"subsample", "0.7"},
                                               {"early_stopping", "true"},
                                               {"n_iter_no_change", "100"}}),
                             Task::classification);
    model->fit(p.X, p.y, 2, {});
    // The frame and the pixels lit 12% of the time; not the 11 always lit.
    const nlohmann::json about = model->inspect({}, {});
    EXPECT_EQ(about["sparse_features"], 69);
    // The held-out loss falls as trees are added: the walks add the right leaves.
    const auto losses = about["validation_loss_per_round"].get<std::vector<double>>();
    ASSERT_EQ(losses.size(), 30u);
    EXPECT_LT(losses.back(), 0.85 * losses.front());
    out.push_back(model->predict_proba(p.X));
  }
  EXPECT_TRUE(test::same_bits(out[0], out[1]));
}

}  // namespace
}  // namespace shipml::hist
