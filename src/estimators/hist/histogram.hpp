#pragma once
// Histograms of per-row statistics over binned features: for each feature, a
// slot of `width` sums per bin (kBinSlots slots, the last for missing values).
// The grower builds them for nodes and subtracts a child's from its parent's.
#include <cstddef>
#include <cstdint>

#include "binning.hpp"

namespace shipml::hist {

inline constexpr std::size_t kBinSlots = 256;  // bins 0..254 plus kMissingBin

/// Adds the `width` statistics of each of rows[0, n) (stats holds width floats
/// per row of `data`) into its bin of every feature in [f0, f1) of `hist`
/// (feature f's slots start at f * kBinSlots * width). Rows are taken in order,
/// so a feature's sums do not depend on how features are grouped across threads.
void accumulate(int width, const BinnedRows& data, const std::uint32_t* rows, std::size_t n, const float* stats,
                double* hist, std::size_t f0, std::size_t f1);

}  // namespace shipml::hist
