// A node's per-bin sums straight from its rows (src/estimators/hist/node_sums.hpp).
// A node whose rows are spread thin copies the bins of the features it will
// try; a feature whose copied bins are all one value has no sums (no split
// of it can be found), and the others' sums are those of its rows; a
// forest's node can be summed in lanes of the classes it holds.
#include <gtest/gtest.h>

#include <tuple>

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

// Two features over `n` rows: feature 0 has runs of rows in bin 0 (as a deep
// node's pixels), feature 1 has none.
BinnedRows runs_and_no_runs(std::size_t n) {
  BinnedRows data;
  data.rows = n;
  data.features = 2;
  data.data.resize(n * 2);
  for (std::size_t r = 0; r < n; ++r) {
    data.data[r * 2] = r % 50 < 40 ? 0 : static_cast<std::uint8_t>(r % 7);
    data.data[r * 2 + 1] = static_cast<std::uint8_t>((r / 10 * 13) % 5);
  }
  return data;
}

// A node spread thin over `n` rows (its rows' bins are copied).
std::vector<std::uint32_t> every_tenth(std::size_t n) {
  std::vector<std::uint32_t> rows;
  for (std::uint32_t r = 0; r < n; r += 10) rows.push_back(r);
  return rows;
}

// Feature f's statistics (`width` a row) per bin of `data`, over `rows` in order.
std::vector<double> sums_in_order(const BinnedRows& data, const std::vector<std::uint32_t>& rows,
                                  const std::vector<float>& stats, std::size_t width, int f) {
  std::vector<double> sums(kBinSlots * width, 0.0);
  for (std::uint32_t r : rows)
    for (std::size_t w = 0; w < width; ++w)
      sums[data.bin(r, static_cast<std::size_t>(f)) * width + w] += stats[r * width + w];
  return sums;
}

// A forest's node: each row weighs on one of 3 classes (statistics: the
// class weights, then the row count), which NodeSums adds as a class index
// and a weight. The node's 2,401 rows are spread thin (their bins copied),
// and feature 0 has runs of rows in one bin, as a deep node's pixels do:
// with whole-number weights its odd rows are summed in a copy of their own.
// Whole and fractional weights, each bin holds its rows' sums in row order.
TEST(NodeSums, AForestNodeSumsEachClassWeightAndRowCountPerBin) {
  constexpr std::size_t kRows = 24001, kClasses = 3, kWidth = kClasses + 1;
  const BinnedRows data = runs_and_no_runs(kRows);
  const std::vector<std::uint32_t> rows = every_tenth(kRows);  // an odd count of rows
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
      const std::vector<double> expected = sums_in_order(data, rows, stats, kWidth, f);
      for (std::size_t i = 0; i < expected.size(); ++i)
        ASSERT_EQ(s[i], expected[i]) << "weights step " << step << ", feature " << f << ", slot " << i;
      sums.clear(present);
    }
  }
}

// A node of classes 1 and 3 of five, summed in lanes of those two (see
// class_lanes.hpp): each bin holds the sums over every class without the
// absent ones, for weights that are the rows' counts (a bootstrap's draws,
// whose counts are then added up from the classes' sums) and for weights
// that are not, with and without runs of rows in one bin.
TEST(NodeSums, AForestNodeInLanesSumsItsPresentClasses) {
  constexpr std::size_t kRows = 24001, kClasses = 5, kWidth = kClasses + 1;
  const BinnedRows data = runs_and_no_runs(kRows);
  const std::vector<std::uint32_t> rows = every_tenth(kRows);
  for (const bool weight_is_count : {true, false}) {
    std::vector<float> stats(kRows * kWidth, 0.0f);
    std::vector<double> total(kWidth, 0.0);
    for (std::size_t r = 0; r < kRows; ++r) {
      const std::size_t c = (r / 10) % 5 < 3 ? 1 : 3;
      const auto draws = static_cast<float>(r % 3);  // 0, 1 or 2 draws
      stats[r * kWidth + c] = weight_is_count ? draws : 2.0f * draws;
      stats[r * kWidth + kClasses] = draws;
    }
    for (std::uint32_t r : rows)
      for (std::size_t w = 0; w < kWidth; ++w) total[w] += stats[r * kWidth + w];
    ClassLanes lanes;
    lanes.of(total.data(), kClasses);
    ASSERT_EQ(lanes.classes(), 2u);

    NodeSums sums(data, stats, kWidth, true);
    const std::vector<int> features = {0, 1};
    sums.gather(rows.data(), rows.size(), features, features.size(), &lanes);
    ASSERT_EQ(sums.width(), 3u);
    std::vector<std::uint8_t> present;
    for (int f : features) {
      const double* s = sums.feature(f, static_cast<std::size_t>(f), rows.data(), rows.size(), present);
      ASSERT_NE(s, nullptr);
      const std::vector<double> expected = sums_in_order(data, rows, stats, kWidth, f);
      for (std::size_t b = 0; b < kBinSlots; ++b) {
        const std::vector<double> want = lanes.compact(expected.data() + b * kWidth);
        for (std::size_t l = 0; l < want.size(); ++l)
          ASSERT_EQ(s[b * 3 + l], want[l])
              << "weight is count " << weight_is_count << ", feature " << f << ", bin " << b << ", lane " << l;
      }
      sums.clear(present);
    }
  }
}

// A grower's workspace keeps one NodeSums from tree to tree: reset for the
// next tree's statistics (another width, no classes), it sums those alone.
TEST(NodeSums, AResetForTheNextTreeSumsItsOwnStatistics) {
  constexpr std::size_t kRows = 24001;
  const BinnedRows data = runs_and_no_runs(kRows);
  const std::vector<std::uint32_t> rows = every_tenth(kRows);
  const std::vector<int> features = {0, 1};
  std::vector<float> classes(kRows * 4, 0.0f), pairs(kRows * 2);
  for (std::size_t r = 0; r < kRows; ++r) {
    classes[r * 4 + r % 3] = 1.0f, classes[r * 4 + 3] = 1.0f;
    pairs[r * 2] = 0.25f * static_cast<float>(r % 5), pairs[r * 2 + 1] = 1.0f;
  }
  NodeSums sums(data, classes, 4, true);
  std::vector<std::uint8_t> present;
  for (const auto& [stats, width, class_counts] :
       {std::tuple{&classes, std::size_t{4}, true}, std::tuple{&pairs, std::size_t{2}, false}}) {
    sums.reset(data, *stats, width, class_counts);
    sums.gather(rows.data(), rows.size(), features, features.size());
    ASSERT_EQ(sums.width(), width);
    for (int f : features) {
      const double* s = sums.feature(f, static_cast<std::size_t>(f), rows.data(), rows.size(), present);
      ASSERT_NE(s, nullptr);
      const std::vector<double> expected = sums_in_order(data, rows, *stats, width, f);
      for (std::size_t i = 0; i < expected.size(); ++i)
        ASSERT_EQ(s[i], expected[i]) << "width " << width << ", feature " << f << ", slot " << i;
      sums.clear(present);
    }
  }
}

}  // namespace
}  // namespace shipml::hist
