#include "node_sums.hpp"

#include <algorithm>
#include <array>
#include <bit>
#include <numeric>
#include <type_traits>
#include <utility>

#include "histogram.hpp"

namespace shipml::hist {
namespace {

// A node's rows are scattered over the data: fetch them early. 64 rows ahead,
// not 8: a deep node's row is a miss to memory, and 8 left most of it exposed
// (extra_trees on 1M x 20: gathering -20% of its samples).
constexpr std::size_t kAhead = 64;

// The first bins of a node probed for runs of one bin (see feature()).
constexpr std::size_t kRunsProbe = 64;

// Whether x is a whole number below 2^20: n of them (n < 2^32) add up exactly in a double.
bool small_whole(float x) { return x >= 0 && x < 0x1p20f && x == static_cast<float>(static_cast<std::uint32_t>(x)); }

// Whether bytes[0, n) all hold one value: 64 at a time (a loop the compiler
// vectorises), stopping at the first 64 that differ.
bool one_value(const std::uint8_t* bytes, std::size_t n) {
  std::size_t i = 0;
  for (; i + 64 <= n; i += 64) {
    std::uint8_t differ = 0;
    for (std::size_t j = 0; j < 64; ++j) differ |= bytes[i + j] ^ bytes[0];
    if (differ) return false;
  }
  for (; i < n; ++i)
    if (bytes[i] != bytes[0]) return false;
  return true;
}

}  // namespace

void NodeSums::reset(const BinnedRows& data, std::span<const float> stats, std::size_t width, bool class_counts) {
  data_ = &data;
  stats_ = stats.data();
  W_ = w_ = width;
  class_counts_ = class_counts;
  whole_ = class_counts && std::all_of(stats.begin(), stats.end(), small_whole);
  row_classes_.clear();
  weight_is_count_ = false;
  if (!class_counts) return;
  // Each row as the one class it weighs on, once for the tree: a node's rows
  // then take theirs with one load each, not a scan of every class's weight.
  row_classes_.resize(stats.size() / W_);
  bool one_each = true;
  weight_is_count_ = whole_;  // and each row's weight equal to its count
  for (std::size_t r = 0; r < row_classes_.size(); ++r) {
    const float* s = stats_ + r * W_;
    OneClass one{0, 0.0f, s[W_ - 1]};
    std::size_t classes = 0;
    for (std::uint32_t c = 0; c + 1 < W_; ++c)
      if (s[c] != 0.0f) ++classes, one.index = c, one.weight = s[c];
    one_each = one_each && classes <= 1;
    weight_is_count_ = weight_is_count_ && one.weight == one.rows;
    row_classes_[r] = one;
  }
  if (!one_each) row_classes_.clear(), weight_is_count_ = false;
}

// A node's rows are read once per feature tried. A forest's rows are first
// taken as the one class each weighs on (two additions a row, not one per
// class). When the rows are spread thin over the data (each a cache line of
// its own in every column), other rows' statistics are copied too, and the
// bins of the features to try, from each row's bytes when those span fewer
// cache lines than m columns. The same values in the same order: the same sums.
void NodeSums::gather(const std::uint32_t* rows, std::size_t n, const std::vector<int>& features, std::size_t m,
                      const ClassLanes* lanes) {
  gathered_ = 0;
  w_ = W_;
  one_hot_ = stats_copied_ = false;
  if (m < 2) return;
  if (!row_classes_.empty()) {
    const std::uint32_t* lane = lanes && lanes->fewer() ? lanes->lane_of() : nullptr;
    classes_.resize(n);
    one_hot_ = true;
    for (std::size_t i = 0; i < n; ++i) {
      if (i + kAhead < n) __builtin_prefetch(row_classes_.data() + rows[i + kAhead]);
      classes_[i] = row_classes_[rows[i]];
      if (lane) classes_[i].index = lane[classes_[i].index];
    }
    if (lane) w_ = lanes->width();
  }
  if (n * 8 > data_->rows) return;  // rows close together: the columns serve them well
  if (!one_hot_) {
    stats_copied_ = true;
    stats_copy_.resize(n * W_);
    for (std::size_t i = 0; i < n; ++i)
      std::copy_n(stats_ + static_cast<std::size_t>(rows[i]) * W_, W_, stats_copy_.data() + i * W_);
  }
  gathered_ = m;
  bins_.resize(n * m);
  if (data_->has_rows() && ((data_->features + 63) / 64 < m || !data_->has_columns())) {
    // A row's m bytes lie in fewer 64-byte stretches than m: each stretch
    // is fetched once (from its first byte), not once per feature in it.
    lines_.clear();
    for (std::size_t k = 0; k < m; ++k) lines_.push_back(static_cast<std::uint32_t>(features[k]) / 64 * 64);
    std::sort(lines_.begin(), lines_.end());
    lines_.erase(std::unique(lines_.begin(), lines_.end()), lines_.end());
    const std::uint32_t* line = lines_.data();
    const std::size_t nl = lines_.size();
    const int* feature = features.data();
    std::uint8_t* out = bins_.data();
    const std::uint8_t* base = data_->data.data();
    const std::size_t width = data_->features;
    for (std::size_t i = 0; i < n; ++i) {
      if (i + kAhead < n) {
        const std::uint8_t* next = base + rows[i + kAhead] * width;
        for (std::size_t l = 0; l < nl; ++l) __builtin_prefetch(next + line[l]);
      }
      const std::uint8_t* row = base + rows[i] * width;
      for (std::size_t k = 0; k < m; ++k) out[k * n + i] = row[feature[k]];
    }
  } else {
    for (std::size_t k = 0; k < m; ++k) {
      const BinnedRows::Column col = data_->column(static_cast<std::size_t>(features[k]));
      for (std::size_t i = 0; i < n; ++i) {
        if (i + kAhead < n) __builtin_prefetch(col.at(rows[i + kAhead]));
        bins_[k * n + i] = col[rows[i]];
      }
    }
  }
}

const double* NodeSums::feature(int f, std::size_t k, const std::uint32_t* rows, std::size_t n,
                                std::vector<std::uint8_t>& present) {
  const bool local = k < gathered_;
  // A feature constant over the node (40% of those tried on wide image-like
  // data) is told from its copied bins alone, without summing them.
  present.clear();
  if (local && one_value(bins_.data() + k * n, n)) return nullptr;
  if (sums_.size() < kBinSlots * W_) sums_.assign(kBinSlots * W_, 0.0);  // room for any width
  std::array<std::uint64_t, kBinSlots / 64> used{};
  const BinnedRows::Column col =
      local ? BinnedRows::Column{bins_.data() + k * n, 1} : data_->column(static_cast<std::size_t>(f));
  const auto bin = [&](std::size_t i) {
    if (!local && i + kAhead < n) __builtin_prefetch(col.at(rows[i + kAhead]));
    const std::uint8_t b = local ? col[i] : col[rows[i]];
    used[b >> 6] |= std::uint64_t{1} << (b & 63);
    return static_cast<std::size_t>(b);
  };
  // A row adds its class's weight and its count; its other statistics are
  // zeros, and adding a zero changes no sum. Where every weight is the row's
  // count (a bootstrap's draws), the count is added up after, bin by bin,
  // from the classes' sums: whole numbers, the same sums in any order, and
  // one addition a row instead of two.
  const bool count_after = one_hot_ && weight_is_count_;
  const auto add_class = [&](double* h, std::size_t i) {
    h[classes_[i].index] += classes_[i].weight;
    if (!count_after) h[w_ - 1] += classes_[i].rows;
  };
  // Whole numbers add up exactly in any order: a node's odd rows can go to
  // a second copy of the sums, added in after. A run of rows in one bin
  // (most of a deep node's pixels are 0) is then two chains of dependent
  // additions instead of one, each waiting on the last one's store: wide
  // random forests 6-9% faster. Only for nodes of some size whose first
  // copied bins show such runs; elsewhere the copy buys nothing.
  const auto runs = [&] {
    if (n < 4 * kRunsProbe) return false;
    std::size_t same = 0;
    for (std::size_t i = 1; i < kRunsProbe; ++i) same += col[i] == col[i - 1];
    return 4 * same >= kRunsProbe;
  };
  const bool interleaved = local && one_hot_ && whole_ && runs();
  if (interleaved) {
    if (odd_.size() < kBinSlots * W_) odd_.assign(kBinSlots * W_, 0.0);
    std::size_t i = 0;
    for (; i + 1 < n; i += 2) {
      add_class(sums_.data() + bin(i) * w_, i);
      add_class(odd_.data() + bin(i + 1) * w_, i + 1);
    }
    if (i < n) add_class(sums_.data() + bin(i) * w_, i);
  } else if (count_after) {  // a loop of its own: the count's addition left out at compile time
    for (std::size_t i = 0; i < n; ++i) add_class(sums_.data() + bin(i) * w_, i);
  } else if (one_hot_) {
    for (std::size_t i = 0; i < n; ++i) add_class(sums_.data() + bin(i) * w_, i);
  } else {
    // A constant width unrolls the statistics loop.
    const auto sum = [&](auto width) {
      for (std::size_t i = 0; i < n; ++i) {
        if (!stats_copied_ && i + kAhead < n) __builtin_prefetch(stats_ + rows[i + kAhead] * width);
        const float* s = stats_copied_ ? stats_copy_.data() + i * width : stats_ + rows[i] * width;
        double* h = sums_.data() + bin(i) * width;
        for (std::size_t w = 0; w < width; ++w) h[w] += s[w];
      }
    };
    switch (W_) {
      case 2: sum(std::integral_constant<std::size_t, 2>()); break;
      case 3: sum(std::integral_constant<std::size_t, 3>()); break;
      case 4: sum(std::integral_constant<std::size_t, 4>()); break;
      default: sum(W_);
    }
  }
  for (std::size_t word = 0; word < used.size(); ++word)
    for (std::uint64_t bits = used[word]; bits; bits &= bits - 1)
      present.push_back(static_cast<std::uint8_t>(word * 64 + static_cast<std::size_t>(std::countr_zero(bits))));
  for (std::uint8_t b : present) {
    double* h = sums_.data() + static_cast<std::size_t>(b) * w_;
    if (interleaved)  // the odd rows' sums added in, their copy left all zeros
      for (std::size_t at = b * w_, w = 0; w < w_; ++w) h[w] += std::exchange(odd_[at + w], 0.0);
    if (count_after) h[w_ - 1] = std::accumulate(h, h + w_ - 1, 0.0);
  }
  if (!present.empty() && present.back() == kMissingBin) present.pop_back();
  return sums_.data();
}

void NodeSums::clear(const std::vector<std::uint8_t>& present) {
  for (std::uint8_t b : present) std::fill_n(sums_.data() + static_cast<std::size_t>(b) * w_, w_, 0.0);
  std::fill_n(sums_.data() + static_cast<std::size_t>(kMissingBin) * w_, w_, 0.0);
}

}  // namespace shipml::hist
