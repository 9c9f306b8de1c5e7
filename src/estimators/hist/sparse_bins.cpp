#include "sparse_bins.hpp"

#include <algorithm>
#include <array>
#include <numeric>
#include <type_traits>

#include "shipml/core/parallel.hpp"

namespace shipml::hist {
namespace {

// A feature is sparse when at least this share of its rows sits in one bin:
// then its list of uncommon values (four bytes each) is smaller than its
// column of bytes, and adding it is at most a fifth of the work.
constexpr double kCommonShare = 0.8;
// The layout is used when it leaves at most this share of the histogram work.
constexpr double kWorthIt = 2.0 / 3.0;
constexpr std::size_t kRowBlock = 4096;  // rows per task when building the layout
// Wide data's dense histogram outgrows the L2 cache (213 dense features of the
// wide benchmark: 1.3 MB), so every add missed it. Rows are taken in blocks and
// each block's dense features in tiles of this much histogram, which stays
// cached while the block's rows (their bytes and statistics, also cached) are
// added to it; each slot still receives its rows in the same order, so every
// sum is bit-identical. Measured on the wide benchmark: about 5% of fit.
constexpr std::size_t kTileBytes = 256 * 1024;
constexpr std::size_t kTileRows = 1024;

// Where the tiles of dense features [k0, k1) end, each kTileBytes of histogram
// at most (or one feature).
std::vector<std::size_t> dense_tiles(const SparseBins& data, const HistogramLayout& layout, std::size_t k0,
                                     std::size_t k1, std::size_t slot_bytes) {
  std::vector<std::size_t> ends;
  std::size_t bytes = 0;
  for (std::size_t k = k0; k < k1; ++k) {
    const std::size_t f = data.dense[k];
    const std::size_t feature_bytes = (layout.offset[f + 1] - layout.offset[f]) * slot_bytes;
    if (k > k0 && bytes + feature_bytes > kTileBytes) {
      ends.push_back(k);
      bytes = 0;
    }
    bytes += feature_bytes;
  }
  ends.push_back(k1);
  return ends;
}

template <int W>
[[gnu::always_inline]] inline void accumulate_rows(const SparseBins& data, const HistogramLayout& layout,
                                                   const std::uint32_t* rows, std::size_t n, const float* stats,
                                                   double* hist, std::size_t f0, std::size_t f1) {
  const std::size_t k0 =
      static_cast<std::size_t>(std::lower_bound(data.dense.begin(), data.dense.end(), f0) - data.dense.begin());
  const std::size_t k1 =
      static_cast<std::size_t>(std::lower_bound(data.dense.begin(), data.dense.end(), f1) - data.dense.begin());
  const std::size_t dd = data.dense.size();
  const std::uint32_t* dense_offset = data.dense_offset.data();
  const std::uint32_t first = layout.offset[f0], last = layout.offset[f1];
  const std::vector<std::size_t> tile_end = dense_tiles(data, layout, k0, k1, W * sizeof(double));
  constexpr std::size_t kAhead = 8;  // rows of a deep node are scattered: fetch them early
  for (std::size_t i0 = 0; i0 < n; i0 += kTileRows) {
    const std::size_t i1 = std::min(n, i0 + kTileRows);
    std::size_t t0 = k0;
    for (const std::size_t t1 : tile_end) {
      for (std::size_t i = i0; i < i1; ++i) {
        if (t0 == k0 && i + kAhead < n) {
          const std::size_t next = rows[i + kAhead];
          const std::uint8_t* line = data.dense_rows.data() + next * dd;
          for (std::size_t k = k0; k < k1; k += 64) __builtin_prefetch(line + k);
          if (k1 > k0) __builtin_prefetch(line + k1 - 1);
          __builtin_prefetch(stats + next * W);
        }
        const std::size_t r = rows[i];
        const RowStats<W> v(stats + r * W);
        const std::uint8_t* b = data.dense_rows.data() + r * dd;
        for (std::size_t k = t0; k < t1; ++k) v.add_to(hist + (dense_offset[k] + b[k]) * W);
      }
      t0 = t1;
    }
    for (std::size_t i = i0; i < i1; ++i) {
      if (i + kAhead < n) __builtin_prefetch(data.entries.data() + data.row_start[rows[i + kAhead]]);
      const std::size_t r = rows[i];
      const RowStats<W> v(stats + r * W);
      const std::uint32_t* e = data.entries.data() + data.row_start[r];
      const std::uint32_t* end = data.entries.data() + data.row_start[r + 1];
      if (first > 0) e = std::lower_bound(e, end, first);
      for (; e != end && *e < last; ++e) v.add_to(hist + static_cast<std::size_t>(*e) * W);
    }
  }
}

// Four-wide statistics (boosting's): one vector add per value with AVX2, as in histogram.cpp.
__attribute__((target_clones("avx2", "default"))) void accumulate_four(const SparseBins& data,
                                                                       const HistogramLayout& layout,
                                                                       const std::uint32_t* rows, std::size_t n,
                                                                       const float* stats, double* hist, std::size_t f0,
                                                                       std::size_t f1) {
  accumulate_rows<4>(data, layout, rows, n, stats, hist, f0, f1);
}

}  // namespace

SparseBins index_sparse(const BinnedRows& rows, const HistogramLayout& layout, int threads) {
  SparseBins out;
  const std::size_t n = rows.rows, d = rows.features;
  if (n == 0 || d == 0) return out;
  out.common.assign(d, 0);
  out.work.assign(d, 1.0);
  parallel_for(d, threads, [&](std::size_t f) {
    std::array<std::size_t, kBinSlots> counts{};
    const BinnedRows::Column column = rows.column(f);
    for (std::size_t i = 0; i < n; ++i) ++counts[column[i]];
    const auto top = std::max_element(counts.begin(), counts.end());
    const double share = static_cast<double>(*top) / static_cast<double>(n);
    out.common[f] = static_cast<std::uint8_t>(top - counts.begin());
    if (share >= kCommonShare) out.work[f] = 1.0 - share;
  });
  for (std::size_t f = 0; f < d; ++f)
    (out.work[f] < 1.0 ? out.sparse : out.dense).push_back(static_cast<std::uint32_t>(f));
  if (out.sparse.empty() || std::accumulate(out.work.begin(), out.work.end(), 0.0) > kWorthIt * static_cast<double>(d))
    return {};

  const std::size_t dd = out.dense.size(), blocks = (n + kRowBlock - 1) / kRowBlock;
  for (std::uint32_t f : out.dense) out.dense_offset.push_back(layout.offset[f]);
  out.dense_rows.resize(n * dd);
  out.row_start.assign(n + 1, 0);
  parallel_for(blocks, threads, [&](std::size_t b) {
    for (std::size_t r = b * kRowBlock; r < std::min(n, (b + 1) * kRowBlock); ++r) {
      const std::uint8_t* row = rows.row(r);
      for (std::size_t k = 0; k < dd; ++k)
        out.dense_rows[r * dd + k] =
            static_cast<std::uint8_t>(layout.slot(out.dense[k], row[out.dense[k]]) - out.dense_offset[k]);
      std::uint64_t uncommon = 0;
      for (std::uint32_t f : out.sparse) uncommon += row[f] != out.common[f];
      out.row_start[r + 1] = uncommon;
    }
  });
  std::partial_sum(out.row_start.begin(), out.row_start.end(), out.row_start.begin());
  out.entries.resize(out.row_start[n]);
  parallel_for(blocks, threads, [&](std::size_t b) {
    for (std::size_t r = b * kRowBlock; r < std::min(n, (b + 1) * kRowBlock); ++r) {
      const std::uint8_t* row = rows.row(r);
      std::uint32_t* e = out.entries.data() + out.row_start[r];
      for (std::uint32_t f : out.sparse)
        if (row[f] != out.common[f]) *e++ = static_cast<std::uint32_t>(layout.slot(f, row[f]));
    }
  });
  return out;
}

void accumulate_sparse(int width, const SparseBins& data, const HistogramLayout& layout, const std::uint32_t* rows,
                       std::size_t n, const float* stats, double* hist, std::size_t f0, std::size_t f1) {
  switch (width) {
    case 2: return accumulate_rows<2>(data, layout, rows, n, stats, hist, f0, f1);
    case 3: return accumulate_rows<3>(data, layout, rows, n, stats, hist, f0, f1);
    case 4: return accumulate_four(data, layout, rows, n, stats, hist, f0, f1);
    case 5: return accumulate_rows<5>(data, layout, rows, n, stats, hist, f0, f1);
    default: break;
  }
  // Other widths (forests of many classes): the same loop, the width at run time.
  const std::size_t W = static_cast<std::size_t>(width), dd = data.dense.size();
  const std::uint32_t first = layout.offset[f0], last = layout.offset[f1];
  for (std::size_t i = 0; i < n; ++i) {
    const std::size_t r = rows[i];
    const float* s = stats + r * W;
    const std::uint8_t* b = data.dense_rows.data() + r * dd;
    for (std::size_t k = 0; k < dd; ++k)
      if (data.dense[k] >= f0 && data.dense[k] < f1)
        for (std::size_t w = 0; w < W; ++w) hist[(data.dense_offset[k] + b[k]) * W + w] += s[w];
    for (std::uint64_t j = data.row_start[r]; j < data.row_start[r + 1]; ++j)
      if (data.entries[j] >= first && data.entries[j] < last)
        for (std::size_t w = 0; w < W; ++w) hist[data.entries[j] * W + w] += s[w];
  }
}

namespace {

// derive_common_bins for a width fixed when compiling (Fixed > 0), whose sums
// then stay in registers, or known at run time (Fixed = 0).
template <std::size_t Fixed>
void derive(std::size_t width, const SparseBins& data, const HistogramLayout& layout, const double* total, double* hist,
            std::size_t f0, std::size_t f1) {
  const std::size_t W = Fixed > 0 ? Fixed : width;
  std::conditional_t<(Fixed > 0), std::array<double, Fixed>, std::vector<double>> others{};
  if constexpr (Fixed == 0) others.resize(W);
  const auto first = std::lower_bound(data.sparse.begin(), data.sparse.end(), f0);
  for (auto f = first; f != data.sparse.end() && *f < f1; ++f) {
    std::fill(others.begin(), others.end(), 0.0);
    // The common bin holds zeros until set: its bins, then its missing slot.
    const double* fh = hist + layout.offset[*f] * W;
    for (std::size_t b = 0; b < layout.bins[*f]; ++b)
      for (std::size_t w = 0; w < W; ++w) others[w] += fh[b * W + w];
    for (std::size_t w = 0; w < W; ++w) others[w] += fh[layout.missing[*f] * W + w];
    double* common = hist + layout.slot(*f, data.common[*f]) * W;
    for (std::size_t w = 0; w < W; ++w) common[w] = total[w] - others[w];
  }
}

}  // namespace

void derive_common_bins(int width, const SparseBins& data, const HistogramLayout& layout, const double* total,
                        double* hist, std::size_t f0, std::size_t f1) {
  const auto W = static_cast<std::size_t>(width);
  if (W == 4) return derive<4>(W, data, layout, total, hist, f0, f1);
  derive<0>(W, data, layout, total, hist, f0, f1);
}

std::vector<std::size_t> balanced_feature_groups(const SparseBins& data, std::size_t groups) {
  const std::size_t d = data.work.size();
  groups = std::max<std::size_t>(1, std::min(groups, d));
  const double all = std::accumulate(data.work.begin(), data.work.end(), 0.0);
  std::vector<std::size_t> bounds{0};
  double done = 0;
  for (std::size_t f = 0; f < d && bounds.size() < groups; ++f) {
    done += data.work[f];
    if (done >= all * static_cast<double>(bounds.size()) / static_cast<double>(groups)) bounds.push_back(f + 1);
  }
  while (bounds.size() < groups) bounds.push_back(d);
  bounds.push_back(d);
  return bounds;
}

}  // namespace shipml::hist
