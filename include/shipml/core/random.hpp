#pragma once
/// \file
/// A small seeded generator whose streams are the same on every platform and
/// standard library (std:: distributions are not), so a seed always means the
/// same split, the same bootstrap, the same tree.
#include <cstdint>
#include <span>
#include <string>
#include <utility>

#include "shipml/core/export.hpp"

namespace shipml {

/// A seeded generator (SplitMix64) with the same streams everywhere.
class SHIPML_API Random {
 public:
  /// A generator whose stream `seed` decides.
  explicit Random(std::uint64_t seed) : state_(seed) {}

  /// SplitMix64: fast, passes BigCrush, and any seed (even 0) is a good one.
  std::uint64_t next() {
    std::uint64_t z = (state_ += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
  }
  /// Uniform in [0, 1).
  double uniform() { return static_cast<double>(next() >> 11) * 0x1.0p-53; }
  /// Uniform integer in [0, n), n > 0 (Lemire's multiply-shift, unbiased).
  std::uint64_t below(std::uint64_t n) {
    __uint128_t m = static_cast<__uint128_t>(next()) * n;
    auto low = static_cast<std::uint64_t>(m);
    if (low < n) {
      const std::uint64_t threshold = -n % n;
      while (low < threshold) {
        m = static_cast<__uint128_t>(next()) * n;
        low = static_cast<std::uint64_t>(m);
      }
    }
    return static_cast<std::uint64_t>(m >> 64);
  }
  /// Shuffles `items` in place (Fisher-Yates), as the seed decides.
  template <class T>
  void shuffle(std::span<T> items) {
    for (std::size_t i = items.size(); i > 1; --i) std::swap(items[i - 1], items[below(i)]);
  }
  /// An independent generator for sub-task `index` (a fold, a tree).
  Random fork(std::uint64_t index) const { return Random(Random(state_ ^ (index * 0xd1b54a32d192ed03ULL)).next()); }

 private:
  std::uint64_t state_;
};

/// 128 bits from the system's random source, as 32 hex digits: ids no two
/// processes share (run ids, UI sessions). Read fresh each time: a generator
/// kept in memory would hand forked processes the same ids.
SHIPML_API std::string random_id();

}  // namespace shipml
