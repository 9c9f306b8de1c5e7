#pragma once
// Histograms of per-row statistics over binned features: for each feature, a
// slot of `width` sums per bin and one for its missing values.
// The grower builds them for nodes and subtracts a child's from its parent's.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <new>
#include <vector>

#include "binning.hpp"

namespace shipml::hist {

inline constexpr std::size_t kBinSlots = 256;  // bin values 0..254 plus kMissingBin

/// Memory on 64-byte boundaries: a bin's four sums then never straddle two
/// cache lines (plain vectors start 16 bytes in, so every other bin would).
template <class T>
struct CacheLineAllocator {
  using value_type = T;
  CacheLineAllocator() = default;
  template <class U>
  CacheLineAllocator(const CacheLineAllocator<U>&) {}
  T* allocate(std::size_t n) { return static_cast<T*>(::operator new (n * sizeof(T), std::align_val_t{64})); }
  void deallocate(T* p, std::size_t) { ::operator delete (p, std::align_val_t{64}); }
  bool operator==(const CacheLineAllocator&) const { return true; }
};

/// A histogram's sums (see HistogramLayout).
using HistogramBuffer = std::vector<double, CacheLineAllocator<double>>;

/// Where each feature's sums sit in a histogram. Compact (wide data, or
/// columns of few values): only the slots a feature's bins can fill, one after
/// another, bin b at offset[f] + b and missing values just after the bins; a
/// column of 3 values takes 4 slots, not 256. Uniform (narrow data, where that
/// would not halve the size): kBinSlots slots a feature, missing values in the
/// last, so the slot is f * kBinSlots + the binned value, with no lookups in
/// the histogram's hottest loop.
struct HistogramLayout {
  std::vector<std::uint32_t> offset;  // per feature, and the total at the end
  std::vector<std::uint8_t> bins;     // per feature: its bins, in the slots after offset
  std::vector<std::uint8_t> missing;  // per feature: its missing values' slot, after offset
  bool uniform = false;
  explicit HistogramLayout(const std::vector<FeatureBins>& features);
  std::size_t slots() const { return offset.back(); }
  std::size_t slot(std::size_t f, std::uint8_t b) const { return offset[f] + std::min(b, missing[f]); }
};

/// One row's W statistics, read from floats and added into histogram slots as
/// doubles. Four are one 32-byte vector, and spelled as one: the compiler then
/// adds a slot in one instruction (two without AVX) where it would otherwise
/// load, add and store each sum alone. The sums are the same either way.
template <int W>
struct RowStats {
  double v[W];
  explicit RowStats(const float* s) {
    for (int w = 0; w < W; ++w) v[w] = s[w];
  }
  [[gnu::always_inline]] void add_to(double* h) const {
    for (int w = 0; w < W; ++w) h[w] += v[w];
  }
};

template <>
struct RowStats<4> {
  using Doubles = double __attribute__((vector_size(32)));
  using Floats = float __attribute__((vector_size(16)));
  Doubles v;
  explicit RowStats(const float* s) {
    Floats f;
    std::memcpy(&f, s, sizeof f);
    v = __builtin_convertvector(f, Doubles);
  }
  [[gnu::always_inline]] void add_to(double* h) const {
    Doubles sum;
    std::memcpy(&sum, h, sizeof sum);
    sum += v;
    std::memcpy(h, &sum, sizeof sum);
  }
};

/// Adds the `width` statistics of each of rows[0, n) (stats holds width floats
/// per row of `data`) into its bin of every feature in [f0, f1) of `hist`
/// (slot s at hist + s * width, as `layout` places them). Rows are taken in
/// order, so a feature's sums do not depend on how features are grouped across threads.
void accumulate(int width, const BinnedRows& data, const HistogramLayout& layout, const std::uint32_t* rows,
                std::size_t n, const float* stats, double* hist, std::size_t f0, std::size_t f1);

}  // namespace shipml::hist
