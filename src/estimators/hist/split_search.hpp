#pragma once
// A node's best split, feature by feature, from its statistics per bin: every
// cut after a bin (with missing values on either side), or, for a category
// feature, every cut through its categories in the criterion's order.
// The grower hands each feature's sums here, from a histogram or summed from
// the node's rows, and keeps the best cut over all features.
#include <algorithm>
#include <array>
#include <bit>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <numeric>
#include <type_traits>
#include <vector>

#include "binning.hpp"
#include "grower.hpp"

namespace shipml::hist {

// Bins 0 .. n-1, for a split search over every bin of a histogram. (Not
// std::views::iota: clang up to 14 cannot compile libstdc++ 12's ranges, and
// the fuzzers build with clang.)
struct AllBins {
  int n;
  struct iterator {
    int b;
    int operator*() const { return b; }
    iterator& operator++() {
      ++b;
      return *this;
    }
    bool operator==(const iterator&) const = default;
  };
  iterator begin() const { return {0}; }
  iterator end() const { return {n}; }
};

struct Split {
  double gain = -std::numeric_limits<double>::infinity();
  int feature = -1;
  std::uint8_t threshold = 0;
  bool missing_left = false;
  bool categorical = false;
  std::array<std::uint32_t, 8> bitset{};
  std::vector<double> left, right;  // children's statistics
  // Per bin, 1 if its rows go left.
  std::array<std::uint8_t, 256> sides() const {
    std::array<std::uint8_t, 256> left_of;
    for (std::size_t b = 0; b < left_of.size(); ++b)
      left_of[b] = categorical ? (bitset[b >> 5] >> (b & 31)) & 1u : (b == kMissingBin ? missing_left : b <= threshold);
    return left_of;
  }
};

// The split search's working vectors: one set per thread that searches.
struct SearchScratch {
  std::vector<double> left, right, L;  // a cut's children's sums; the sums up to the cut
  std::vector<int> cats;
  std::vector<double> key;
  std::vector<std::size_t> idx;
  explicit SearchScratch(std::size_t width) : left(width), right(width), L(width) {}
};

// C is the criterion's concrete (final) type, so its calls in the split search
// are inlined; Criterion itself works too, through virtual calls.
template <class C>
class SplitSearch {
  static constexpr std::size_t fixed_width() {
    if constexpr (requires { C::kWidth; }) return static_cast<std::size_t>(C::kWidth);
    else return 0;
  }
  static constexpr std::size_t kFixed = fixed_width();
  // A cut's sums: a local array when the width is fixed, so the scan over a
  // feature's bins keeps them in registers; the scratch's vectors otherwise.
  using Sums =
      std::conditional_t<(kFixed > 0), std::array<double, std::max<std::size_t>(kFixed, 1)>, std::vector<double>&>;
  static Sums sums(std::vector<double>& spare) {
    if constexpr (kFixed > 0) return Sums{};
    else return spare;
  }

 public:
  SplitSearch(const C& criterion, const GrowerOptions& options, Random& rng)
      : c_(criterion), opt_(options), rng_(rng), W_(static_cast<std::size_t>(criterion.width())) {}

  // The statistics' width: a constant when the criterion's is fixed, so the
  // split search's loops over it unroll.
  std::size_t width() const {
    if constexpr (kFixed > 0) return kFixed;
    else return W_;
  }

  // The best split of feature f into `best`, from its statistics per bin `fh`
  // (bin b at fh + b * width(); missing values' at M) over `bins`, in order: every
  // bin of a histogram, or the bins a summed node's rows use.
  template <class Bins>
  void feature(int f, const FeatureBins& fb, const double* fh, const double* M, const Bins& bins, const double* total,
               double parent_score, Split& best, SearchScratch& scratch) {
    Sums L = sums(scratch.L);
    const bool has_missing = c_.count(M) > 0.5;
    const auto stats = [&](int b) { return fh + static_cast<std::size_t>(b) * width(); };
    if (fb.categorical) {
      std::vector<int>& cats = scratch.cats;
      cats.clear();
      bool rare = false;  // categories too small to split off: they stay on the right
      for (int b : bins) {
        const double rows = c_.count(stats(b));
        if (rows >= std::max(0.5, opt_.min_category_rows)) cats.push_back(b);
        else rare = rare || rows > 0.5;
      }
      if (cats.size() + (rare ? 1 : 0) < 2) return;
      std::vector<double>& key = scratch.key;
      key.resize(cats.size());
      for (std::size_t i = 0; i < cats.size(); ++i) key[i] = c_.order(stats(cats[i]), total);
      std::vector<std::size_t>& idx = scratch.idx;
      idx.resize(cats.size());
      std::iota(idx.begin(), idx.end(), 0);
      std::stable_sort(idx.begin(), idx.end(), [&](auto a, auto b) { return key[a] < key[b]; });
      std::size_t first = 1, last = rare ? cats.size() : cats.size() - 1;
      if (opt_.random_splits) first = last = 1 + rng_.below(cats.size() - 1);
      std::fill(L.begin(), L.end(), 0.0);
      for (std::size_t k = 0; k < last; ++k) {
        const double* s = stats(cats[idx[k]]);
        for (std::size_t w = 0; w < width(); ++w) L[w] += s[w];
        if (k + 1 < first) continue;
        consider(L, M, total, parent_score, has_missing, true, scratch, best, [&](Split& s, bool missing_left) {
          s.feature = f;
          s.categorical = true;
          s.threshold = 0;  // unused: left a numeric cut's, it would depend on which cuts came before
          s.bitset.fill(0);
          for (std::size_t j = 0; j <= k; ++j) s.bitset[cats[idx[j]] >> 5] |= 1u << (cats[idx[j]] & 31);
          if (missing_left) s.bitset[7] |= 1u << 31;
          s.missing_left = missing_left;
        });
      }
      return;
    }
    const int nb = fb.bins();
    if (nb < 2) return;
    int lo = 0, hi = nb - 1;  // cut range: after bin lo .. after bin hi-1
    if (opt_.random_splits) {
      // The first and last bins with rows, and a cut drawn uniformly between.
      const auto has_rows = [&](int b) { return c_.count(stats(b)) > 0.5; };
      auto first = bins.begin();
      while (first != bins.end() && !has_rows(*first)) ++first;
      if (first == bins.end()) return;
      lo = *first;
      for (auto b = first; b != bins.end(); ++b)
        if (has_rows(*b)) hi = *b;
      if (lo >= hi) return;
      const int cut = lo + static_cast<int>(rng_.below(static_cast<std::uint64_t>(hi - lo)));
      lo = cut;
      hi = cut + 1;
    }
    // Cuts after bins lo .. hi-1. A cut after an empty bin ties with the cut
    // before it, so past lo only the bins in `bins` need a look.
    const auto cut_after = [&](int b) {
      consider(L, M, total, parent_score, has_missing, false, scratch, best, [&](Split& s, bool missing_left) {
        s.feature = f;
        s.categorical = false;
        s.threshold = static_cast<std::uint8_t>(b);
        s.missing_left = missing_left;
      });
    };
    std::fill(L.begin(), L.end(), 0.0);
    auto b = bins.begin();
    const auto end = bins.end();
    for (; b != end && *b <= lo; ++b)
      for (std::size_t w = 0; w < width(); ++w) L[w] += stats(*b)[w];
    cut_after(lo);
    for (; b != end && *b < hi; ++b) {
      const double* s = stats(*b);
      // A bin of exact zeros (no rows) leaves the sums as they were: its cut
      // would tie with the one before it, which comes first and wins.
      if (all_zero(s)) continue;
      for (std::size_t w = 0; w < width(); ++w) L[w] += s[w];
      cut_after(*b);
    }
  }

 private:
  // Whether every lane is 0.0 or -0.0: their bits past the sign are all 0.
  // One test for the bin instead of a compare and branch per lane (most bins of
  // a deep node are empty).
  bool all_zero(const double* s) const {
    std::uint64_t bits = 0;
    for (std::size_t w = 0; w < width(); ++w) bits |= std::bit_cast<std::uint64_t>(s[w]);
    return (bits << 1) == 0;
  }

  bool valid(const Sums& l, const Sums& r) const {
    return c_.count(l.data()) >= opt_.min_samples_leaf && c_.count(r.data()) >= opt_.min_samples_leaf &&
           c_.count(l.data()) > 0.5 && c_.count(r.data()) > 0.5 && c_.weight(l.data()) >= opt_.min_child_weight &&
           c_.weight(r.data()) >= opt_.min_child_weight;
  }

  // score(l) + score(r), both at once where the criterion can.
  double score_both(const double* l, const double* r) const {
    if constexpr (requires { c_.score_both(l, r); }) return c_.score_both(l, r);
    else return c_.score(l) + c_.score(r);
  }

  // Copies lane by lane: a fixed-width `from` never has its address taken,
  // so it can stay in registers.
  void copy(const Sums& from, std::vector<double>& to) const {
    to.resize(width());
    for (std::size_t w = 0; w < width(); ++w) to[w] = from[w];
  }

  // Tries left = L (+ missing), right = the rest; keeps it if it beats `best`.
  void consider(const Sums& L, const double* M, const double* total, double parent_score, bool has_missing,
                bool categorical, SearchScratch& s, Split& best, const auto& describe) const {
    Sums left = sums(s.left);
    Sums right = sums(s.right);
    for (int missing_left = 0; missing_left < (has_missing ? 2 : 1); ++missing_left) {
      for (std::size_t w = 0; w < width(); ++w) {
        left[w] = L[w] + (missing_left ? M[w] : 0.0);
        right[w] = total[w] - left[w];
      }
      if (!valid(left, right)) continue;
      const double gain = categorical ? c_.score_categorical(left.data()) + c_.score_categorical(right.data()) -
                                            c_.score_categorical(total)
                                      : score_both(left.data(), right.data()) - parent_score;
      if (gain > best.gain) {
        best.gain = gain;
        copy(left, best.left);
        copy(right, best.right);
        // Missing values never seen here go with the larger child.
        describe(best, has_missing ? missing_left == 1 : c_.count(left.data()) >= c_.count(right.data()));
      }
    }
  }

  const C& c_;
  const GrowerOptions& opt_;
  Random& rng_;
  std::size_t W_;
};

}  // namespace shipml::hist
