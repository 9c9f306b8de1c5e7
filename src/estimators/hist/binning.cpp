#include "binning.hpp"

#include <algorithm>
#include <array>
#include <bit>
#include <cmath>
#include <numeric>
#include <utility>

#include "shipml/core/error.hpp"
#include "shipml/core/parallel.hpp"

namespace shipml::hist {
namespace {

// Enough rows to place 255 quantiles well; every k-th row, so it is deterministic.
constexpr std::size_t kSampleRows = 200000;

// Whole numbers from 0 below this many (counts, codes, pixels) are counted
// instead of sorted: the same distinct values and counts, in linear time.
constexpr double kCountedBelow = 65536;

// Sorts numbers (no NaN) in a few linear passes instead of n log n
// comparisons: a double's bits, with the sign bit set when it is positive and
// every bit flipped when negative, order as unsigned integers as the numbers
// do. A pass per byte, least significant first, each stable; a byte every
// value shares (the top ones, for values of one sign and similar size) is
// skipped. The same order std::sort gives, but for -0.0 before 0.0 (which
// compare equal, and are one distinct value to the binning).
void sort_numbers(std::vector<double>& values) {
  const std::size_t n = values.size();
  constexpr std::uint64_t kSign = std::uint64_t{1} << 63;
  std::vector<std::uint64_t> keys(n), other(n);
  std::array<std::array<std::size_t, 256>, 8> counts{};
  for (std::size_t i = 0; i < n; ++i) {
    const auto bits = std::bit_cast<std::uint64_t>(values[i]);
    keys[i] = bits & kSign ? ~bits : bits | kSign;
    for (std::size_t d = 0; d < 8; ++d) ++counts[d][(keys[i] >> (8 * d)) & 255];
  }
  for (std::size_t d = 0; d < 8 && n > 0; ++d) {
    std::array<std::size_t, 256>& at = counts[d];
    if (at[(keys[0] >> (8 * d)) & 255] == n) continue;
    std::size_t start = 0;
    for (std::size_t& c : at) start += std::exchange(c, start);
    for (const std::uint64_t k : keys) other[at[(k >> (8 * d)) & 255]++] = k;
    keys.swap(other);
  }
  for (std::size_t i = 0; i < n; ++i) values[i] = std::bit_cast<double>(keys[i] & kSign ? keys[i] & ~kSign : ~keys[i]);
}

FeatureBins numeric_bins(const double* column, std::size_t n, std::size_t step, int max_bins) {
  // Loops without a branch or a call, each value's checks independent of the
  // last's, that the compiler keeps in registers (push_back and a
  // short-circuit test kept the running maximum in memory: 4 ns a value).
  std::vector<double> values((n + step - 1) / step);
  std::size_t kept = 0;
  for (std::size_t i = 0; i < n; i += step) {
    values[kept] = column[i];
    kept += !std::isnan(column[i]);
  }
  values.resize(kept);
  bool counted = true;
  double top = 0;
  for (const double x : values) {
    const bool in_range = x >= 0 && x < kCountedBelow;
    counted &= in_range & (x == static_cast<double>(static_cast<std::int32_t>(in_range ? x : 0.0)));
    top = std::max(top, x);
  }
  std::vector<double> distinct;
  std::vector<std::size_t> upto;  // rows with value <= distinct[i]
  if (counted) {
    // Four counters a value, the values taking them in turn: a run of one
    // value (a pixel's zeros) is four chains of increments instead of one
    // chain through a single counter's load and store (that chain was most
    // of this loop's time). Added up after: the same counts.
    const std::size_t span = static_cast<std::size_t>(top) + 1;
    std::vector<std::uint32_t> count(4 * span, 0);  // a counter takes a quarter of the values: 32 bits suffice
    std::size_t i = 0;
    for (; i + 4 <= values.size(); i += 4)
      for (std::size_t k = 0; k < 4; ++k) ++count[k * span + static_cast<std::uint32_t>(values[i + k])];
    for (; i < values.size(); ++i) ++count[static_cast<std::uint32_t>(values[i])];
    std::size_t rows = 0;
    for (std::size_t v = 0; v < span; ++v) {
      const std::size_t here = std::size_t{count[v]} + count[span + v] + count[2 * span + v] + count[3 * span + v];
      if (here == 0) continue;
      rows += here;
      distinct.push_back(static_cast<double>(v));
      upto.push_back(rows);
    }
  } else {
    sort_numbers(values);
    for (std::size_t i = 0; i < values.size(); ++i) {
      if (distinct.empty() || values[i] != distinct.back()) distinct.push_back(values[i]), upto.push_back(0);
      upto.back() = i + 1;
    }
  }
  FeatureBins f;
  auto cut_after = [&](std::size_t i) {
    double edge = distinct[i] + (distinct[i + 1] - distinct[i]) / 2;
    if (!(edge < distinct[i + 1])) edge = distinct[i];  // neighbours too close for a midpoint
    f.edges.push_back(edge);
  };
  if (distinct.size() <= static_cast<std::size_t>(max_bins)) {
    for (std::size_t i = 0; i + 1 < distinct.size(); ++i) cut_after(i);
    return f;
  }
  // Equal-frequency cuts: after the distinct value where each next share is reached.
  const double per_bin = static_cast<double>(values.size()) / max_bins;
  double target = per_bin;
  for (std::size_t i = 0; i + 1 < distinct.size() && f.edges.size() + 1 < static_cast<std::size_t>(max_bins); ++i) {
    if (static_cast<double>(upto[i]) >= target) {
      cut_after(i);
      while (target <= static_cast<double>(upto[i])) target += per_bin;
    }
  }
  return f;
}

FeatureBins categorical_bins(const double* column, std::size_t n, std::size_t step, int categories, int max_bins) {
  std::vector<std::size_t> count(static_cast<std::size_t>(std::max(categories, 0)), 0);
  for (std::size_t i = 0; i < n; i += step) {
    const double x = column[i];
    if (!std::isnan(x) && x >= 0 && x < categories) ++count[static_cast<std::size_t>(x)];
  }
  std::vector<std::int32_t> kept;
  for (std::size_t c = 0; c < count.size(); ++c)
    if (count[c] > 0) kept.push_back(static_cast<std::int32_t>(c));
  if (kept.size() > static_cast<std::size_t>(max_bins)) {  // keep the most frequent; ties: lower code
    std::stable_sort(kept.begin(), kept.end(), [&](auto a, auto b) { return count[a] > count[b]; });
    kept.resize(static_cast<std::size_t>(max_bins));
    std::sort(kept.begin(), kept.end());
  }
  FeatureBins f;
  f.categorical = true;
  f.code_to_bin.assign(count.size(), kMissingBin);
  for (std::size_t b = 0; b < kept.size(); ++b)
    f.code_to_bin[static_cast<std::size_t>(kept[b])] = static_cast<std::uint8_t>(b);
  f.bin_to_code = kept;
  return f;
}

// Bins kLanes numeric values at once: the same branchless search as
// FeatureBins::bin, in lockstep, so the lanes' memory loads overlap instead of
// waiting on each other.
constexpr std::size_t kLanes = 8;

void bin_lanes(const std::vector<double>& edges, const double* x, std::uint8_t* out) {
  const double* e = edges.data();
  std::size_t at[kLanes] = {};
  std::size_t n = edges.size();
  while (n > 1) {
    const std::size_t half = n / 2;
    // A mask, not a conditional: compilers turn `c ? a : b` here into a
    // branch, mispredicted half the time.
    for (std::size_t l = 0; l < kLanes; ++l) at[l] += half & (std::size_t{0} - (e[at[l] + half - 1] < x[l]));
    n -= half;
  }
  for (std::size_t l = 0; l < kLanes; ++l) {
    const std::size_t b = at[l] + (n == 1 && e[at[l]] < x[l]);
    out[l] = std::isnan(x[l]) ? kMissingBin : static_cast<std::uint8_t>(b);
  }
}

// Whole numbers from 0 below this (pixels, counts, small codes) have their
// bins looked up instead of searched among the edges.
constexpr double kLookedUpBelow = 4096;

// A numeric feature's bin for each whole number from 0 past its last edge;
// empty when its edges reach kLookedUpBelow or it is categorical.
std::vector<std::uint8_t> whole_number_bins(const FeatureBins& f) {
  if (f.categorical || f.edges.empty() || !(f.edges.back() < kLookedUpBelow)) return {};
  std::vector<std::uint8_t> bins(static_cast<std::size_t>(std::max(f.edges.back(), 0.0)) + 2);
  for (std::size_t v = 0; v < bins.size(); ++v) bins[v] = f.bin(static_cast<double>(v));
  return bins;
}

// Whether every one of x[0, n) is a whole number in [0, limit).
// (Casts through int32: one instruction, where a cast to size_t is several.)
bool whole_numbers_below(const double* x, std::size_t n, std::size_t limit) {
  for (std::size_t i = 0; i < n; ++i)
    if (!(x[i] >= 0 && x[i] < static_cast<double>(limit) &&
          x[i] == static_cast<double>(static_cast<std::int32_t>(x[i]))))
      return false;
  return true;
}

}  // namespace

std::uint8_t FeatureBins::bin(double x) const {
  if (std::isnan(x)) return kMissingBin;
  if (categorical) {
    if (!(x >= 0) || x >= static_cast<double>(code_to_bin.size())) return kMissingBin;
    return code_to_bin[static_cast<std::size_t>(x)];
  }
  // Branchless lower bound: the first edge >= x. Half the steps of a branchy
  // search are mispredicted; this keeps binning off the critical path.
  const double* e = edges.data();
  std::size_t at = 0, n = edges.size();
  while (n > 1) {
    const std::size_t half = n / 2;
    at += half & (std::size_t{0} - (e[at + half - 1] < x));
    n -= half;
  }
  return static_cast<std::uint8_t>(at + (n == 1 && e[at] < x));
}

double FeatureBins::upper_edge(int b) const {
  return b < static_cast<int>(edges.size()) ? edges[static_cast<std::size_t>(b)] : INFINITY;
}

std::size_t Binner::sample_step(std::size_t rows) { return std::max<std::size_t>(1, rows / kSampleRows); }

void Binner::fit(const FeatureMatrix& X, int max_bins) { fit_every(X, sample_step(X.rows()), max_bins); }

void Binner::fit_sample(const FeatureMatrix& sample, int max_bins) { fit_every(sample, 1, max_bins); }

void Binner::fit_every(const FeatureMatrix& X, std::size_t step, int max_bins) {
  max_bins = std::clamp(max_bins, 2, kMaxBins);
  features_.assign(X.cols(), {});
  parallel_for(X.cols(), 0, [&](std::size_t j) {
    const FeatureInfo& info = X.info(j);
    features_[j] = info.categorical ? categorical_bins(X.column(j), X.rows(), step, info.categories, max_bins)
                                    : numeric_bins(X.column(j), X.rows(), step, max_bins);
  });
}

BinnedRows Binner::transform(const FeatureMatrix& X, int threads) const {
  BinnedRows out = empty_rows(X.rows());
  transform_into(X, out, 0, threads);
  return out;
}

BinnedRows Binner::empty_rows(std::size_t rows) const {
  BinnedRows out;
  out.rows = rows;
  out.features = features_.size();
  out.data.resize(out.rows * out.features);
  out.by_column.resize(out.data.size());
  return out;
}

void Binner::transform_into(const FeatureMatrix& chunk, BinnedRows& out, std::size_t first_row, int threads) const {
  if (chunk.cols() != out.features || first_row + chunk.rows() > out.rows)
    throw DataError("binning: a chunk of " + std::to_string(chunk.rows()) + " x " + std::to_string(chunk.cols()) +
                    " at row " + std::to_string(first_row) + " does not fit " + std::to_string(out.rows) + " x " +
                    std::to_string(out.features) + " binned rows");
  constexpr std::size_t kBlock = 16384;
  const std::size_t n = chunk.rows(), blocks = (n + kBlock - 1) / kBlock;
  std::vector<std::vector<std::uint8_t>> lookups(out.features);
  for (std::size_t j = 0; j < out.features; ++j) lookups[j] = whole_number_bins(features_[j]);
  parallel_for(blocks, threads, [&](std::size_t b) {
    const std::size_t begin = b * kBlock, end = std::min(n, begin + kBlock);
    for (std::size_t j = 0; j < out.features; ++j) {
      const double* col = chunk.column(j);
      const FeatureBins& f = features_[j];
      const std::vector<std::uint8_t>& lookup = lookups[j];
      std::uint8_t* by_column = out.by_column.data() + j * out.rows + first_row;
      std::size_t i = begin;
      if (!lookup.empty() && whole_numbers_below(col + begin, end - begin, lookup.size())) {
        for (; i < end; ++i) by_column[i] = lookup[static_cast<std::uint32_t>(static_cast<std::int32_t>(col[i]))];
      } else if (!f.categorical) {
        for (; i + kLanes <= end; i += kLanes) bin_lanes(f.edges, col + i, by_column + i);
      }
      for (; i < end; ++i) by_column[i] = f.bin(col[i]);
    }
    // The row-major copy, in tiles of kTile rows by kTile features: writing
    // it a feature at a time would touch a cache line per byte.
    // (Through local pointers: a byte store may alias `out`, whose members
    // the compiler would otherwise load again for every byte.)
    constexpr std::size_t kTile = 64;
    const std::size_t F = out.features, R = out.rows;
    const std::uint8_t* columns = out.by_column.data() + first_row;
    std::uint8_t* rows = out.data.data() + first_row * F;
    for (std::size_t r0 = begin; r0 < end; r0 += kTile)
      for (std::size_t j0 = 0; j0 < F; j0 += kTile)
        for (std::size_t r = r0; r < std::min(end, r0 + kTile); ++r) {
          std::uint8_t* row = rows + r * F;
          for (std::size_t j = j0; j < std::min(F, j0 + kTile); ++j) row[j] = columns[j * R + r];
        }
  });
}

void Binner::save(BinaryWriter& out) const {
  out.u64(features_.size());
  for (const auto& f : features_) {
    out.u8(f.categorical);
    out.array(f.edges);
    out.array(f.code_to_bin);
    out.array(f.bin_to_code);
  }
}

void Binner::load(BinaryReader& in) {
  features_.assign(in.count(25), {});
  for (auto& f : features_) {
    f.categorical = in.u8() != 0;
    f.edges = in.array<double>();
    f.code_to_bin = in.array<std::uint8_t>();
    f.bin_to_code = in.array<std::int32_t>();
    if (f.edges.size() >= static_cast<std::size_t>(kMaxBins) ||
        f.bin_to_code.size() > static_cast<std::size_t>(kMaxBins) || !std::is_sorted(f.edges.begin(), f.edges.end()))
      BinaryReader::fail("feature bins are inconsistent");
    for (auto b : f.code_to_bin)
      if (b != kMissingBin && b >= f.bin_to_code.size())
        BinaryReader::fail("a category maps to a bin that does not exist");
  }
}

}  // namespace shipml::hist
