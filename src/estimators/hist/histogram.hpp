#pragma once
// Histograms of per-row statistics over binned features: for each feature, a
// slot of `width` sums per bin and one for its missing values.
// The grower builds them for nodes and subtracts a child's from its parent's.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <vector>

#include "binning.hpp"

namespace shipml::hist {

inline constexpr std::size_t kBinSlots = 256;  // bin values 0..254 plus kMissingBin

/// Where each feature's sums sit in a histogram: only the slots its bins can
/// fill, one after another (a column of 3 values takes 4 slots, not 256; wide
/// data's histograms are a fraction of the size). Feature f's bin b is at slot
/// offset[f] + b, and its missing values (kMissingBin) just after its bins.
struct HistogramLayout {
  std::vector<std::uint32_t> offset;  // per feature, and the total at the end
  std::vector<std::uint8_t> bins;     // per feature: its bins, the missing slot's place
  explicit HistogramLayout(const std::vector<FeatureBins>& features);
  std::size_t slots() const { return offset.back(); }
  std::size_t slot(std::size_t f, std::uint8_t b) const { return offset[f] + std::min(b, bins[f]); }
};

/// Adds the `width` statistics of each of rows[0, n) (stats holds width floats
/// per row of `data`) into its bin of every feature in [f0, f1) of `hist`
/// (slot s at hist + s * width, as `layout` places them). Rows are taken in
/// order, so a feature's sums do not depend on how features are grouped across threads.
void accumulate(int width, const BinnedRows& data, const HistogramLayout& layout, const std::uint32_t* rows,
                std::size_t n, const float* stats, double* hist, std::size_t f0, std::size_t f1);

}  // namespace shipml::hist
