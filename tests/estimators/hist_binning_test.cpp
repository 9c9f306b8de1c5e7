// Numeric bins (src/estimators/hist/binning.cpp). The binner sorts a
// column's values by their bits, so these columns mix signs, magnitudes from
// subnormal to huge, both zeros and infinities, each shuffled, where sorting
// by bits goes wrong first (negative numbers order backwards as integers).
// It looks whole numbers' bins up and writes the row-major copy in tiles, so
// binned data is checked value by value against FeatureBins::bin.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <limits>

#include "../src/estimators/hist/binning.hpp"  // internal piece, driven directly
#include "support.hpp"

namespace shipml::hist {
namespace {

std::vector<double> edges_of(const std::vector<double>& column, int max_bins) {
  Binner binner;
  FeatureMatrix X;
  X.add_owned({.name = "x"}, std::vector<double>(column));
  X.set_rows(column.size());
  binner.fit_sample(X, max_bins);
  return binner.features().at(0).edges;
}

// Distinct values spread over every sign and magnitude a double takes.
std::vector<double> awkward_values(std::size_t count, Random& rng) {
  std::vector<double> v = {-std::numeric_limits<double>::infinity(), std::numeric_limits<double>::infinity(),
                           -std::numeric_limits<double>::denorm_min(), std::numeric_limits<double>::denorm_min(), 0.0};
  while (v.size() < count) {
    const double x = std::ldexp(rng.uniform() + 0.5, static_cast<int>(rng.uniform() * 2000) - 1000);
    v.push_back(rng.uniform() < 0.5 ? -x : x);
  }
  return v;
}

TEST(NumericBins, FewDistinctValuesAreCutHalfwayBetweenNeighbours) {
  Random rng(5);
  const std::vector<double> distinct = awkward_values(200, rng);
  std::vector<double> column;
  for (double x : distinct)
    for (int copies = 0; copies < 3; ++copies) column.push_back(x);
  column.push_back(-0.0);  // one distinct value with 0.0
  rng.shuffle(std::span(column));

  std::vector<double> sorted = distinct;
  std::sort(sorted.begin(), sorted.end());
  std::vector<double> expected;
  for (std::size_t i = 0; i + 1 < sorted.size(); ++i) {
    const double mid = sorted[i] + (sorted[i + 1] - sorted[i]) / 2;
    expected.push_back(mid < sorted[i + 1] ? mid : sorted[i]);
  }
  EXPECT_EQ(edges_of(column, 255), expected);
}

TEST(NumericBins, ManyDistinctValuesCutIntoEqualShares) {
  Random rng(7);
  std::vector<double> column = awkward_values(25500, rng);
  rng.shuffle(std::span(column));
  const std::vector<double> edges = edges_of(column, 255);
  ASSERT_EQ(edges.size(), 254u);
  ASSERT_TRUE(std::is_sorted(edges.begin(), edges.end()));
  // Every bin (values up to its edge, after the last one's) holds a 255th of them.
  std::vector<std::size_t> per_bin(255, 0);
  for (double x : column)
    ++per_bin[static_cast<std::size_t>(std::lower_bound(edges.begin(), edges.end(), x) - edges.begin())];
  for (std::size_t b = 0; b < per_bin.size(); ++b) EXPECT_EQ(per_bin[b], 100u) << "bin " << b;
}

// 70 features (a tile of 64 and a partial one) over 20,000 rows (a block of
// 16,384 and a partial one). Whole numbers, some past every edge seen when
// fitting; columns where one block has a fraction, a NaN, a negative number
// or -0.0 (that block searches the edges); and continuous values.
TEST(NumericBins, BinnedRowsHoldEachValuesBinInBothLayouts) {
  constexpr std::size_t kRows = 20000, kFeatures = 70;
  Random rng(3);
  FeatureMatrix fitted, X;
  for (std::size_t j = 0; j < kFeatures; ++j) {
    std::vector<double> x(kRows);
    for (double& v : x) v = j % 7 == 6 ? rng.uniform() * 10 : std::floor(rng.uniform() * (j % 3 == 0 ? 40 : 300));
    std::vector<double> fit_on(x.begin(), x.end());
    for (double& v : fit_on) v = std::min(v, 200.0);  // transform then meets whole numbers past the last edge
    if (j == 1) x[kRows - 5] = 7.5;
    if (j == 2) x[3] = NAN;
    if (j == 3) x[100] = -2;
    if (j == 4) x[17000] = -0.0;
    fitted.add_owned({.name = "x" + std::to_string(j)}, std::move(fit_on));
    X.add_owned({.name = "x" + std::to_string(j)}, std::move(x));
  }
  fitted.set_rows(kRows);
  X.set_rows(kRows);
  Binner binner;
  binner.fit_sample(fitted, 255);
  const BinnedRows b = binner.transform(X, 2);
  for (std::size_t j = 0; j < kFeatures; ++j) {
    const FeatureBins& f = binner.features()[j];
    for (std::size_t i = 0; i < kRows; ++i) {
      const std::uint8_t expected = f.bin(X.column(j)[i]);
      ASSERT_EQ(b.by_column[j * kRows + i], expected) << "feature " << j << ", row " << i;
      ASSERT_EQ(b.data[i * kFeatures + j], expected) << "feature " << j << ", row " << i;
    }
  }
}

}  // namespace
}  // namespace shipml::hist
