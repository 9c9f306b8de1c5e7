#pragma once
// A tree's TreeSHAP values leaf by leaf. Path-dependent TreeSHAP gives a
// coalition S of features the value sum over leaves of v x prod(k in S) one_k
// x prod(k not in S) zero_k, over the unique features k on the leaf's path:
// zero_k is the share of the cover that follows the path through k's splits,
// one_k is 1 when the row follows all of them (else 0). Each leaf is a game of
// its own d unique features, and its Shapley values have a closed form in the
// set A of features whose one_k is 1, with P = prod(k not in A) zero_k:
//
//   k in A:      v x (1 - zero_k) x P x h(A \ {k})
//   k not in A:  -v x P x h(A)
//
// where h(B) = sum over S within B of w(|S|, d) x prod(k in B \ S) zero_k and
// w(s, d) = s! (d - s - 1)! / d!, the Shapley weight. The sum is the
// coefficients of prod(k in B) (zero_k + t) weighted by w, so h(A \ {k}) for
// every k costs O(d) each by dividing one polynomial by (zero_k + t): O(d²)
// per leaf and row, the cost of Lundberg et al.'s Algorithm 2 without its
// recursion. A fitted model's leaves tabulate their d contributions for each
// of the 2^d sets A once (after Yang, "Fast TreeSHAP", 2021): a row then reads
// d numbers side by side per leaf, after one pass over the nodes that finds
// every leaf's A.
#include <cstdint>
#include <vector>

#include "shap_tree.hpp"

namespace shipml::explain {

class LeafPaths {
 public:
  /// The paths of `tree`'s leaves; the tree must outlive this.
  explicit LeafPaths(const ShapTree& tree);

  /// Tabulates every leaf's contributions for each A when the tables fit in
  /// `budget` numbers (decreased by what they use) and no path has more than
  /// 16 distinct features; the leaves keep their O(d²) form otherwise.
  void tabulate(std::size_t& budget);

  /// Adds `scale` x one row's TreeSHAP values of the tree to phi[feature x
  /// stride + first_output + k]; goes_left[node]: whether the row takes the
  /// node's left branch, for every split node.
  void add(const std::vector<std::uint8_t>& goes_left, double scale, double* phi, std::size_t stride) const;

 private:
  // A split on a leaf's path: the way to the leaf, and which of the leaf's
  // unique features it splits on.
  struct Step {
    std::int32_t node;
    bool left;
    std::uint32_t unique;
  };
  struct Leaf {
    std::int32_t node;
    std::uint32_t first_step, steps;    // into steps_
    std::uint32_t first_unique, count;  // into features_ and zero_: d = count
    std::size_t table = 0;              // into tables_: d contributions (before v) for each of the 2^d sets A
  };
  static constexpr std::uint32_t kMostTabulated = 16;  // 2^16 subsets for one leaf at most

  // Without tables: a leaf's A from its steps, and h(A \ {k}) by polynomial
  // division. `one` holds d flags, `scratch` 3 x (d + 1) numbers.
  void add_leaf(const Leaf& leaf, const std::vector<std::uint8_t>& goes_left, double scale, double* phi,
                std::size_t stride, std::uint8_t* one, double* scratch) const;
  // With tables: every leaf's A from one pass over the nodes.
  void add_tabulated(const std::vector<std::uint8_t>& goes_left, double scale, double* phi, std::size_t stride) const;
  // h of the subset whose polynomial (of `degree`) is `poly`, in a leaf of d unique features.
  double h(const double* poly, std::size_t degree, std::uint32_t d) const;
  double weight(std::size_t s, std::uint32_t d) const { return weights_[d * (d - 1) / 2 + s]; }

  const ShapTree& tree_;
  std::vector<Leaf> leaves_;
  std::vector<Step> steps_;
  std::vector<std::int32_t> features_;
  std::vector<double> zero_;
  // A split's feature's place among the unique features of the path to it:
  // the bit it clears in the A of the leaves below the branch a row does not take.
  std::vector<std::uint8_t> place_;
  bool tabulated_ = false;
  std::vector<double> tables_;
  std::vector<double> weights_;  // w(s, d) for d = 1.. and s < d, row after row
};

}  // namespace shipml::explain
