#pragma once
// The node statistics and scores of each histogram learner (see Criterion).
#include <algorithm>
#include <cmath>

#include "grower.hpp"

namespace shipml::hist {

/// Gradient boosting: stats (gradient, hessian, rows, and a zero that pads a
/// bin to four doubles, one vector register); the second-order gain
/// G²/(H + λ) and leaf -G/(H + λ), as XGBoost and LightGBM. With a max delta
/// step the leaf is held within ±max_delta_step and the gain is the loss
/// reduction of that held step, -(2Gw + (H + λ)w²), as XGBoost's: where the
/// hessian vanishes (log loss at probabilities near 0 or 1) the Newton step
/// -G/H is not to be trusted, nor is the gain G²/H that would pick it.
class BoostingCriterion final : public Criterion {
 public:
  BoostingCriterion(double l2, double cat_smooth, double cat_l2, double max_delta_step = 0)
      : l2_(l2), cat_smooth_(cat_smooth), cat_l2_(cat_l2), max_delta_(max_delta_step) {}
  static constexpr int kWidth = 4;  // known when compiling: the split search's loops unroll
  int width() const override { return kWidth; }
  // Inlined in the split search's scan over bins (where score is called per
  // cut); GCC would otherwise call it there, through registers spilled and restored.
  [[gnu::always_inline]] double score(const double* s) const override { return gain(s[0], s[1] + l2_); }
  double score_categorical(const double* s) const override { return gain(s[0], s[1] + l2_ + cat_l2_); }
  double count(const double* s) const override { return s[2]; }
  double weight(const double* s) const override { return s[1]; }
  double order(const double* s, const double*) const override { return s[0] / (s[1] + cat_smooth_); }
  void leaf(const double* s, double* out) const override { *out = s[1] + l2_ > 0 ? step(s[0], s[1] + l2_) : 0.0; }

 private:
  double step(double g, double h) const {
    const double w = -g / h;
    return max_delta_ > 0 ? std::clamp(w, -max_delta_, max_delta_) : w;
  }
  [[gnu::always_inline]] double gain(double g, double h) const {
    if (max_delta_ <= 0) return g * g / h;
    const double w = step(g, h);
    return -(2 * g * w + h * w * w);
  }
  double l2_, cat_smooth_, cat_l2_, max_delta_;
};

/// Classification forests: stats (weight per class..., rows). Gini or entropy;
/// leaves hold class fractions.
class ClassCountCriterion final : public Criterion {
 public:
  ClassCountCriterion(int classes, bool entropy) : ClassCountCriterion(classes, entropy, classes == 2) {}
  /// The same criterion over statistics in `lanes` of the classes (see class_lanes.hpp).
  ClassCountCriterion in_lanes(int lanes) const { return {lanes, entropy_, binary_}; }
  int width() const override { return k_ + 1; }
  int value_width() const override { return k_; }
  double count(const double* s) const override { return s[k_]; }
  double weight(const double* s) const override {
    double w = 0;
    for (int c = 0; c < k_; ++c) w += s[c];
    return w;
  }
  // Gini: minimising n - Σc²/n is maximising Σc²/n. Entropy: maximising Σ c·ln(c/n).
  double score(const double* s) const override {
    const double n = weight(s);
    if (n <= 0) return 0;
    double out = 0;
    if (entropy_) {
      for (int c = 0; c < k_; ++c)
        if (!(s[c] <= 0)) out += s[c] * std::log(s[c] / n);
    } else {
      for (int c = 0; c < k_; ++c)
        if (!(s[c] <= 0)) out += s[c] * s[c] / n;
    }
    return out;
  }
  // score(l) + score(r), the two side by side in the lanes of one vector:
  // each lane does score()'s operations in its order (the same sums, bit for
  // bit), one division for both. Gini only: entropy's log has no vector form.
  double score_both(const double* l, const double* r) const {
    if (entropy_) return score(l) + score(r);
    using Pair = double __attribute__((vector_size(16)));
    using Mask = long long __attribute__((vector_size(16)));
    Pair n = {0.0, 0.0}, out = {0.0, 0.0};
    for (int c = 0; c < k_; ++c) n += Pair{l[c], r[c]};
    for (int c = 0; c < k_; ++c) {
      const Pair s = {l[c], r[c]};
      const Mask skipped = s <= Pair{0.0, 0.0};  // NaN compares false: added, as score() adds it
      out += reinterpret_cast<Pair>(reinterpret_cast<Mask>(s * s / n) & ~skipped);  // + 0.0: the same sum
    }
    return (n[0] <= 0 ? 0.0 : out[0]) + (n[1] <= 0 ? 0.0 : out[1]);
  }
  bool pure(const double* s) const override {
    int classes = 0;
    for (int c = 0; c < k_; ++c) classes += s[c] > 0;
    return classes <= 1;
  }
  // Categories sorted by the share of the node's most common class (for two
  // classes this is Breiman's optimal ordering of the positive share).
  double order(const double* s, const double* parent) const override {
    int top = binary_ ? 1 : 0;
    if (!binary_)
      for (int c = 1; c < k_; ++c)
        if (parent[c] > parent[top]) top = c;
    const double n = weight(s);
    return n > 0 ? s[top] / n : 0;
  }
  void leaf(const double* s, double* out) const override {
    const double n = weight(s);
    for (int c = 0; c < k_; ++c) out[c] = n > 0 ? s[c] / n : 1.0 / k_;
  }

 private:
  ClassCountCriterion(int classes, bool entropy, bool binary) : k_(classes), entropy_(entropy), binary_(binary) {}
  int k_;
  bool entropy_;
  bool binary_;  // two classes in all (if fewer in lanes): categories order by the second's share
};

/// Regression forests: stats (weight, weighted y, rows); squared error.
class VarianceCriterion final : public Criterion {
 public:
  static constexpr int kWidth = 3;
  int width() const override { return kWidth; }
  double count(const double* s) const override { return s[2]; }
  double weight(const double* s) const override { return s[0]; }
  double score(const double* s) const override { return s[0] > 0 ? s[1] * s[1] / s[0] : 0; }
  double order(const double* s, const double*) const override { return s[0] > 0 ? s[1] / s[0] : 0; }
  void leaf(const double* s, double* out) const override { *out = s[0] > 0 ? s[1] / s[0] : 0; }
};

}  // namespace shipml::hist
