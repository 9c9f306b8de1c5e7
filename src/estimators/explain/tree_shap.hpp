#pragma once
// Path-dependent TreeSHAP (Lundberg et al., "Consistent individualized feature
// attribution for tree ensembles", 2018, Algorithm 2): the exact Shapley
// values of a tree's prediction for one row, where a feature outside a
// coalition is integrated out along the tree by the training cover of each
// branch (the path-dependent conditional expectation). Computed leaf by leaf
// in closed form (leaf_paths.hpp): O(leaves x depth²) per row and tree, or
// O(leaves x depth) once a leaf's table over the subsets of its path pays off.
//
// Every tree learner (decision_tree, the histogram forests, hist_gbdt) is
// explained by this one walker: a learner copies its trees into ShapTree and
// says, per row, which way each split sends it, exactly as its prediction does
// (missing values, category subsets, the NaN direction a split learned).
#include <cstdint>
#include <functional>
#include <vector>

#include "shipml/estimators/estimator.hpp"

namespace shipml::explain {

/// A tree as TreeSHAP walks it, whatever learner grew it. Children come after
/// their parent.
struct ShapTree {
  std::vector<std::int32_t> left, right;  ///< children; -1 at a leaf
  std::vector<std::int32_t> feature;      ///< the encoded feature a node splits on (unused at leaves)
  std::vector<double> cover;              ///< training weight (forests) or hessian (boosting) reaching each node
  std::vector<double> value;              ///< `width` values per node, the outputs it adds to (read at leaves)
  int width = 1;                          ///< values per node
  std::size_t first_output = 0;           ///< the output its first value adds to
  int depth = 0;                          ///< deepest leaf (root: 0); set by finish()

  bool leaf(std::size_t node) const { return left[node] < 0; }
  /// The share of a split's cover that goes to `child`: its cover over both
  /// children's, not the node's own, so the shares sum to 1 even where a cover
  /// is a float sum (hessians) that its children's do not add up to exactly.
  double share(std::size_t node, std::int32_t child) const;
  /// Checks the children's order and sets `depth`; call once the arrays are filled.
  void finish();
};

/// Which of a tree's leaf values are explained, for a learner with `classes`
/// classes (0: a regressor): the value; the second class's (two classes, whose
/// first is 1 minus it); every class's.
std::vector<int> explained_values(int classes);

/// Sets goes_left[node], for every split node of tree `tree`, to whether row `row`
/// takes its left branch, as the learner's prediction decides.
using Route = std::function<void(std::size_t tree, std::size_t row, std::vector<std::uint8_t>& goes_left)>;

/// The contributions of X's rows to outputs that are `base[o]` plus `scale` x
/// the sum of the trees' leaf values (a tree's value k adds to output
/// first_output + k): per output, rows x request.groups, the features' values
/// summed into their groups. Rows are explained in parallel.
FeatureContributions tree_shap(const std::vector<ShapTree>& trees, double scale, const std::vector<double>& base,
                               const FeatureMatrix& X, const ContributionRequest& request, const Route& route);

/// Adds `scale` x the tree's expected value (its leaves' values weighted by the
/// share of the root's cover that reaches each, split by split) to expected[first_output + k].
void add_expected_value(const ShapTree& tree, double scale, double* expected);

}  // namespace shipml::explain
