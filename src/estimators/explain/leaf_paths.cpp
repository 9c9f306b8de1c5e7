#include "leaf_paths.hpp"

#include <algorithm>
#include <bit>

namespace shipml::explain {
namespace {

// The coefficients of q(t) / (zero + t), highest first: q has degree m and
// the factor (zero + t). Top down, so an error in one coefficient reaches the
// next multiplied by zero, at most 1: nothing grows.
void divide(const double* q, std::size_t m, double zero, double* r) {
  r[m - 1] = q[m];
  for (std::size_t j = m - 1; j > 0; --j) r[j - 1] = q[j] - zero * r[j];
}

// q(t) x (zero + t) in place; q has degree m and room for m + 2 coefficients.
void multiply(double* q, std::size_t m, double zero) {
  q[m + 1] = q[m];
  for (std::size_t j = m; j > 0; --j) q[j] = zero * q[j] + q[j - 1];
  q[0] *= zero;
}

}  // namespace

LeafPaths::LeafPaths(const ShapTree& tree) : tree_(tree), place_(tree.left.size(), 0) {
  std::vector<Step> path;             // the splits from the root to the node being visited
  std::vector<std::int32_t> uniques;  // their features, each once, in the order met
  const auto visit = [&](const auto& self, std::int32_t node) -> void {
    const auto n = static_cast<std::size_t>(node);
    if (!tree.leaf(n)) {
      const auto known =
          static_cast<std::size_t>(std::find(uniques.begin(), uniques.end(), tree.feature[n]) - uniques.begin());
      place_[n] = static_cast<std::uint8_t>(std::min<std::size_t>(known, 255));
      const bool first = known == uniques.size();
      if (first) uniques.push_back(tree.feature[n]);
      for (const bool left : {true, false}) {
        path.push_back({node, left, static_cast<std::uint32_t>(known)});
        self(self, left ? tree.left[n] : tree.right[n]);
        path.pop_back();
      }
      if (first) uniques.pop_back();
      return;
    }
    leaves_.push_back({node, static_cast<std::uint32_t>(steps_.size()), static_cast<std::uint32_t>(path.size()),
                       static_cast<std::uint32_t>(features_.size()), static_cast<std::uint32_t>(uniques.size())});
    features_.insert(features_.end(), uniques.begin(), uniques.end());
    zero_.resize(features_.size(), 1.0);
    for (const Step& step : path) {
      const auto from = static_cast<std::size_t>(step.node);
      zero_[leaves_.back().first_unique + step.unique] *=
          tree.share(from, step.left ? tree.left[from] : tree.right[from]);
      steps_.push_back(step);
    }
  };
  visit(visit, 0);
  // Shapley weights w(s, d) = s! (d - s - 1)! / d!, from w(0, d) = 1 / d.
  for (std::uint32_t d = 1; d <= static_cast<std::uint32_t>(tree.depth); ++d) {
    double w = 1.0 / d;
    for (std::uint32_t s = 0; s < d; ++s) {
      weights_.push_back(w);
      w *= static_cast<double>(s + 1) / static_cast<double>(d - s - 1 > 0 ? d - s - 1 : 1);
    }
  }
}

double LeafPaths::h(const double* poly, std::size_t degree, std::uint32_t d) const {
  double sum = 0;
  for (std::size_t j = 0; j <= degree; ++j) sum += weight(j, d) * poly[j];
  return sum;
}

void LeafPaths::tabulate(std::size_t& budget) {
  std::size_t entries = 0;
  for (const Leaf& leaf : leaves_) {
    if (leaf.count > kMostTabulated) return;
    entries += (std::size_t{1} << leaf.count) * leaf.count;
  }
  if (entries > budget) return;
  budget -= entries;
  tabulated_ = true;
  tables_.reserve(entries);
  std::vector<double> polys, h_of, p_of;
  for (Leaf& leaf : leaves_) {
    const std::uint32_t d = leaf.count;
    const std::size_t count = std::size_t{1} << d, width = d + 1;
    const double* zero = zero_.data() + leaf.first_unique;
    // h and P of every subset; the polynomial of a subset is its subset
    // without its lowest feature's, times one factor.
    polys.assign(count * width, 0.0);
    polys[0] = 1;
    h_of.assign(count, 0.0);
    p_of.assign(count, 1.0);
    for (std::size_t mask = 0; mask < count; ++mask) {
      const std::size_t degree = static_cast<std::size_t>(std::popcount(mask));
      double* q = polys.data() + mask * width;
      if (mask > 0) {
        const auto low = static_cast<std::uint32_t>(std::countr_zero(mask));
        std::copy_n(polys.data() + (mask & (mask - 1)) * width, degree, q);
        multiply(q, degree - 1, zero[low]);
      }
      for (std::uint32_t k = 0; k < d; ++k)
        if (!(mask >> k & 1u)) p_of[mask] *= zero[k];
      // h of the whole set (all d ones) is never asked for: no feature is outside it.
      if (mask + 1 < count) h_of[mask] = h(q, degree, d);
    }
    // A row reads one A's d contributions, side by side.
    leaf.table = tables_.size();
    for (std::size_t mask = 0; mask < count; ++mask)
      for (std::uint32_t k = 0; k < d; ++k) {
        const std::size_t bit = std::size_t{1} << k;
        tables_.push_back(p_of[mask] * ((mask & bit) ? (1 - zero[k]) * h_of[mask ^ bit] : -h_of[mask]));
      }
  }
}

void LeafPaths::add(const std::vector<std::uint8_t>& goes_left, double scale, double* phi, std::size_t stride) const {
  if (tabulated_) return add_tabulated(goes_left, scale, phi, stride);
  thread_local std::vector<std::uint8_t> one;
  thread_local std::vector<double> scratch;
  const auto most = static_cast<std::size_t>(tree_.depth) + 1;
  one.resize(most);
  scratch.resize(3 * most);
  for (const Leaf& leaf : leaves_) add_leaf(leaf, goes_left, scale, phi, stride, one.data(), scratch.data());
}

void LeafPaths::add_leaf(const Leaf& leaf, const std::vector<std::uint8_t>& goes_left, double scale, double* phi,
                         std::size_t stride, std::uint8_t* one, double* scratch) const {
  const std::uint32_t d = leaf.count;
  if (d == 0) return;  // a tree that is one leaf: nothing to share out
  std::fill_n(one, d, std::uint8_t{1});
  for (std::uint32_t s = leaf.first_step; s < leaf.first_step + leaf.steps; ++s) {
    const Step& step = steps_[s];
    if ((goes_left[static_cast<std::size_t>(step.node)] != 0) != step.left) one[step.unique] = 0;
  }
  const double* zero = zero_.data() + leaf.first_unique;
  double outside = scale;  // P: scale x the zero shares of the features outside A
  for (std::uint32_t k = 0; k < d; ++k)
    if (!one[k]) outside *= zero[k];
  if (outside == 0) return;  // a branch no training weight reached: every coalition's value is 0

  double h_all = 0;                     // h(A), for the features outside A
  double* poly = scratch;               // prod(k in A) (zero_k + t)
  double* h_without = scratch + d + 1;  // h(A \ {k}), for the features in A
  double* rest = h_without + d + 1;     // poly / (zero_k + t)
  std::size_t m = 0;
  poly[0] = 1;
  for (std::uint32_t k = 0; k < d; ++k)
    if (one[k]) multiply(poly, m++, zero[k]);
  if (m < d) h_all = h(poly, m, d);
  for (std::uint32_t k = 0; k < d; ++k) {
    if (!one[k]) continue;
    divide(poly, m, zero[k], rest);
    h_without[k] = h(rest, m - 1, d);
  }

  const double* v = tree_.value.data() + static_cast<std::size_t>(leaf.node) * static_cast<std::size_t>(tree_.width);
  for (std::uint32_t k = 0; k < d; ++k) {
    const double c = outside * (one[k] ? (1 - zero[k]) * h_without[k] : -h_all);
    double* out = phi + static_cast<std::size_t>(features_[leaf.first_unique + k]) * stride + tree_.first_output;
    for (int o = 0; o < tree_.width; ++o) out[o] += c * v[o];
  }
}

void LeafPaths::add_tabulated(const std::vector<std::uint8_t>& goes_left, double scale, double* phi,
                              std::size_t stride) const {
  // Children come after their parent: one pass carries each node's A (as a
  // mask of places, all set at the root) down to its children.
  thread_local std::vector<std::uint32_t> reach;
  reach.resize(place_.size());
  reach[0] = ~0u;
  for (std::size_t n = 0; n < place_.size(); ++n) {
    if (tree_.leaf(n)) continue;
    const std::uint32_t bit = 1u << place_[n], a = reach[n];
    const bool left = goes_left[n] != 0;
    reach[static_cast<std::size_t>(tree_.left[n])] = left ? a : a & ~bit;
    reach[static_cast<std::size_t>(tree_.right[n])] = left ? a & ~bit : a;
  }
  // Each leaf reads d numbers from its own table, far from the last leaf's:
  // all of them are asked for first, so the memory fetches them side by side.
  thread_local std::vector<const double*> rows;
  rows.resize(leaves_.size());
  for (std::size_t l = 0; l < leaves_.size(); ++l) {
    const Leaf& leaf = leaves_[l];
    const std::size_t a = reach[static_cast<std::size_t>(leaf.node)] & ((1u << leaf.count) - 1);
    rows[l] = tables_.data() + leaf.table + a * leaf.count;
    __builtin_prefetch(rows[l]);
    __builtin_prefetch(rows[l] + leaf.count - 1);
  }
  const auto width = static_cast<std::size_t>(tree_.width);
  for (std::size_t l = 0; l < leaves_.size(); ++l) {
    const Leaf& leaf = leaves_[l];
    const double* c = rows[l];
    const std::int32_t* feature = features_.data() + leaf.first_unique;
    const double* v = tree_.value.data() + static_cast<std::size_t>(leaf.node) * width;
    for (std::uint32_t k = 0; k < leaf.count; ++k) {
      double* out = phi + static_cast<std::size_t>(feature[k]) * stride + tree_.first_output;
      for (std::size_t o = 0; o < width; ++o) out[o] += scale * c[k] * v[o];
    }
  }
}

}  // namespace shipml::explain
