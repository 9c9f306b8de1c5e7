// A node's per-bin sums straight from its rows (src/estimators/hist/node_sums.hpp).
// A node whose rows are spread thin copies the bins of the features it will
// try; a feature whose copied bins are all one value has no sums (no split
// of it can be found), and the others' sums are those of its rows.
#include <gtest/gtest.h>

#include "../src/estimators/hist/histogram.hpp"  // internal pieces, driven directly
#include "../src/estimators/hist/node_sums.hpp"

namespace shipml::hist {
namespace {

TEST(NodeSums, AFeatureOfOneBinOverTheNodeHasNoSums) {
  // 4,000 rows of 3 features; the node takes every 40th (100 rows, spread
  // thin, so their bins are copied). Over the node feature 0 is always bin
  // 7, feature 1 alternates bins 2 and 5, feature 2 is bin 4 or missing.
  constexpr std::size_t kRows = 4000, kFeatures = 3;
  BinnedRows data;
  data.rows = kRows;
  data.features = kFeatures;
  data.data.resize(kRows * kFeatures);
  std::vector<std::uint32_t> rows;
  for (std::size_t r = 0; r < kRows; ++r) {
    const bool in_node = r % 40 == 0;
    if (in_node) rows.push_back(static_cast<std::uint32_t>(r));
    data.data[r * kFeatures] = in_node ? 7 : static_cast<std::uint8_t>(r % 11);
    data.data[r * kFeatures + 1] = (r / 40) % 2 ? 5 : 2;
    data.data[r * kFeatures + 2] = (r / 40) % 3 ? 4 : kMissingBin;
  }
  std::vector<float> stats(kRows * 2);  // a weight and a row count
  for (std::size_t r = 0; r < kRows; ++r) stats[r * 2] = 0.5f + static_cast<float>(r % 3), stats[r * 2 + 1] = 1.0f;

  NodeSums sums(data, stats, 2, false);
  const std::vector<int> features = {0, 1, 2};
  sums.gather(rows.data(), rows.size(), features, features.size());
  std::vector<std::uint8_t> present;

  EXPECT_EQ(sums.feature(0, 0, rows.data(), rows.size(), present), nullptr);
  EXPECT_TRUE(present.empty());

  for (int f : {1, 2}) {
    const double* s = sums.feature(f, static_cast<std::size_t>(f), rows.data(), rows.size(), present);
    ASSERT_NE(s, nullptr) << "feature " << f;
    std::vector<double> expected(kBinSlots * 2, 0.0);
    for (std::uint32_t r : rows) {
      const std::size_t b = data.data[r * kFeatures + static_cast<std::size_t>(f)];
      expected[b * 2] += stats[r * 2], expected[b * 2 + 1] += stats[r * 2 + 1];
    }
    for (std::size_t b = 0; b < kBinSlots; ++b) {
      EXPECT_EQ(s[b * 2], expected[b * 2]) << "feature " << f << ", bin " << b;
      EXPECT_EQ(s[b * 2 + 1], expected[b * 2 + 1]) << "feature " << f << ", bin " << b;
    }
    const std::vector<std::uint8_t> used = f == 1 ? std::vector<std::uint8_t>{2, 5} : std::vector<std::uint8_t>{4};
    EXPECT_EQ(present, used);
    sums.clear(present);
  }
}

// A forest's node: each row weighs on one of 3 classes (statistics: the
// class weights, then the row count), which NodeSums adds as a class index
// and a weight. The node's 2,401 rows are spread thin (their bins copied),
// and feature 0 has runs of rows in one bin, as a deep node's pixels do:
// with whole-number weights its odd rows are summed in a copy of their own.
// Whole and fractional weights, each bin holds its rows' sums in row order.
TEST(NodeSums, AForestNodeSumsEachClassWeightAndRowCountPerBin) {
  constexpr std::size_t kRows = 24001, kClasses = 3, kWidth = kClasses + 1;
  BinnedRows data;
  data.rows = kRows;
  data.features = 2;
  data.data.resize(kRows * 2);
  for (std::size_t r = 0; r < kRows; ++r) {
    data.data[r * 2] = r % 50 < 40 ? 0 : static_cast<std::uint8_t>(r % 7);
    data.data[r * 2 + 1] = static_cast<std::uint8_t>((r / 10 * 13) % 5);
  }
  std::vector<std::uint32_t> rows;  // an odd count of rows
  for (std::uint32_t r = 0; r < kRows; r += 10) rows.push_back(r);
  for (const float step : {1.0f, 0.3f}) {
    std::vector<float> stats(kRows * kWidth, 0.0f);
    for (std::size_t r = 0; r < kRows; ++r) {
      stats[r * kWidth + r % kClasses] = 1.0f + step * static_cast<float>(r % 4);
      stats[r * kWidth + kClasses] = 1.0f;
    }
    NodeSums sums(data, stats, kWidth, true);
    const std::vector<int> features = {0, 1};
    sums.gather(rows.data(), rows.size(), features, features.size());
    std::vector<std::uint8_t> present;
    for (int f : features) {
      const double* s = sums.feature(f, static_cast<std::size_t>(f), rows.data(), rows.size(), present);
      ASSERT_NE(s, nullptr);
      std::vector<double> expected(kBinSlots * kWidth, 0.0);
      for (std::uint32_t r : rows)
        for (std::size_t w = 0; w < kWidth; ++w)
          expected[data.data[r * 2 + static_cast<std::size_t>(f)] * kWidth + w] += stats[r * kWidth + w];
      for (std::size_t i = 0; i < expected.size(); ++i)
        ASSERT_EQ(s[i], expected[i]) << "weights step " << step << ", feature " << f << ", slot " << i;
      sums.clear(present);
    }
  }
}

}  // namespace
}  // namespace shipml::hist
