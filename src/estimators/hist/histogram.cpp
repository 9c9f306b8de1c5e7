#include "histogram.hpp"

namespace shipml::hist {
namespace {

constexpr std::size_t kAhead = 16;  // rows of a deep node are scattered: fetch them early

// Four-wide statistics fill one 32-byte vector: with AVX2 a bin update is one
// load, one add and one store. target_clones compiles an AVX2 copy beside the
// portable one and picks at load time, so the binary still runs anywhere.
__attribute__((target_clones("avx2", "default"))) void accumulate_four(const BinnedRows& data,
                                                                       const HistogramLayout& layout,
                                                                       const std::uint32_t* rows, std::size_t n,
                                                                       const float* stats, double* hist, std::size_t f0,
                                                                       std::size_t f1) {
  const std::size_t d = data.features;
  const std::uint32_t* offset = layout.offset.data();
  const std::uint8_t* missing = layout.missing.data();
  const bool uniform = layout.uniform;
  for (std::size_t i = 0; i < n; ++i) {
    if (i + kAhead < n) {
      const std::size_t next = rows[i + kAhead];
      __builtin_prefetch(data.data.data() + next * d);
      __builtin_prefetch(stats + next * 4);
    }
    const std::uint32_t r = rows[i];
    const std::uint8_t* b = data.data.data() + static_cast<std::size_t>(r) * d;
    const RowStats<4> v(stats + static_cast<std::size_t>(r) * 4);
    if (uniform) {
      // Four features a step, at fixed distances from one base: an update is
      // a byte load, a shift and the vector add, not the address arithmetic
      // of f * kBinSlots + b each time (the loop issues fewer instructions).
      constexpr std::size_t kFeature = kBinSlots * 4;
      std::size_t f = f0;
      double* h = hist + f0 * kFeature;
      for (; f + 4 <= f1; f += 4, h += 4 * kFeature) {
        v.add_to(h + std::size_t{b[f]} * 4);
        v.add_to(h + kFeature + std::size_t{b[f + 1]} * 4);
        v.add_to(h + 2 * kFeature + std::size_t{b[f + 2]} * 4);
        v.add_to(h + 3 * kFeature + std::size_t{b[f + 3]} * 4);
      }
      for (; f < f1; ++f, h += kFeature) v.add_to(h + std::size_t{b[f]} * 4);
    } else
      for (std::size_t f = f0; f < f1; ++f) v.add_to(hist + (offset[f] + std::min(b[f], missing[f])) * 4);
  }
}

template <int W>
void accumulate_fixed(const BinnedRows& data, const HistogramLayout& layout, const std::uint32_t* rows, std::size_t n,
                      const float* stats, double* hist, std::size_t f0, std::size_t f1) {
  const std::size_t d = data.features;
  for (std::size_t i = 0; i < n; ++i) {
    if (i + kAhead < n) {
      const std::size_t next = rows[i + kAhead];
      __builtin_prefetch(data.data.data() + next * d);
      __builtin_prefetch(stats + next * W);
    }
    const std::uint32_t r = rows[i];
    const std::uint8_t* b = data.data.data() + static_cast<std::size_t>(r) * d;
    const RowStats<W> v(stats + static_cast<std::size_t>(r) * W);
    for (std::size_t f = f0; f < f1; ++f) v.add_to(hist + layout.slot(f, b[f]) * W);
  }
}

}  // namespace

HistogramLayout::HistogramLayout(const std::vector<FeatureBins>& features) {
  std::size_t compact = 0;
  for (const FeatureBins& f : features) compact += static_cast<std::size_t>(f.bins()) + 1;
  uniform = 2 * compact > features.size() * kBinSlots;
  offset.push_back(0);
  for (const FeatureBins& f : features) {
    bins.push_back(static_cast<std::uint8_t>(f.bins()));
    missing.push_back(uniform ? kMissingBin : bins.back());
    offset.push_back(offset.back() + static_cast<std::uint32_t>(missing.back()) + 1);
  }
}

void accumulate(int width, const BinnedRows& data, const HistogramLayout& layout, const std::uint32_t* rows,
                std::size_t n, const float* stats, double* hist, std::size_t f0, std::size_t f1) {
  switch (width) {
    case 2: return accumulate_fixed<2>(data, layout, rows, n, stats, hist, f0, f1);
    case 3: return accumulate_fixed<3>(data, layout, rows, n, stats, hist, f0, f1);
    case 4: return accumulate_four(data, layout, rows, n, stats, hist, f0, f1);
    case 5: return accumulate_fixed<5>(data, layout, rows, n, stats, hist, f0, f1);
    default: break;
  }
  const std::size_t d = data.features, W = static_cast<std::size_t>(width);
  for (std::size_t i = 0; i < n; ++i) {
    const std::size_t r = rows[i];
    const std::uint8_t* b = data.data.data() + r * d;
    const float* s = stats + r * W;
    for (std::size_t f = f0; f < f1; ++f) {
      double* h = hist + layout.slot(f, b[f]) * W;
      for (std::size_t w = 0; w < W; ++w) h[w] += s[w];
    }
  }
}

}  // namespace shipml::hist
