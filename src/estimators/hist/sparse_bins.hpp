#pragma once
// Mostly-constant features (most pixels of a scanned image are 0, a rare flag
// is mostly off) kept as lists of their uncommon values. A histogram of such a
// feature adds only the rows off its common bin, and takes the common bin's
// sums as the node's total minus its other bins: the work follows the
// uncommon values, not rows x features. The other features stay bytes, row by
// row, as BinnedRows keeps them.
#include <cstddef>
#include <cstdint>
#include <vector>

#include "binning.hpp"
#include "histogram.hpp"

namespace shipml::hist {

struct SparseBins {
  std::vector<std::uint32_t> dense;         // the features kept as bytes, in order
  std::vector<std::uint32_t> dense_offset;  // their first histogram slots (HistogramLayout::offset)
  std::vector<std::uint8_t> dense_rows;     // their slots past dense_offset, row-major: dense.size() per row
  std::vector<std::uint32_t> sparse;        // the features whose common bin is left out, in order
  std::vector<std::uint8_t> common;         // per feature: its common bin (used for sparse features)
  std::vector<std::uint64_t> row_start;     // row r's entries are [row_start[r], row_start[r + 1])
  std::vector<std::uint32_t> entries;       // the histogram slot of each uncommon value, by row, then feature
  std::vector<double> work;                 // per feature: its share of a row's histogram work (1 when dense)
  bool enabled() const { return !sparse.empty(); }
};

/// The sparse layout of `rows`, or an empty one when it would not save at
/// least a third of the histogram work (dense data keeps today's path).
SparseBins index_sparse(const BinnedRows& rows, const HistogramLayout& layout, int threads = 0);

/// Adds the `width` statistics of rows[0, n) into the histograms of features
/// [f0, f1), as accumulate() does, reading dense features' bytes and sparse
/// features' uncommon values; the sparse features' common bins stay zero
/// (derive_common_bins fills them in). Each feature takes its rows in order.
void accumulate_sparse(int width, const SparseBins& data, const HistogramLayout& layout, const std::uint32_t* rows,
                       std::size_t n, const float* stats, double* hist, std::size_t f0, std::size_t f1);

/// Sets each sparse feature's common bin in [f0, f1) to `total` (the node's
/// sums over every row) minus its other slots.
void derive_common_bins(int width, const SparseBins& data, const HistogramLayout& layout, const double* total,
                        double* hist, std::size_t f0, std::size_t f1);

/// Boundaries of `groups` runs of features of about equal histogram work
/// (groups + 1 values, from 0 to the number of features).
std::vector<std::size_t> balanced_feature_groups(const SparseBins& data, std::size_t groups);

}  // namespace shipml::hist
