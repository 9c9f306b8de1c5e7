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
#include <memory>
#include <mutex>
#include <vector>

#include "leaf_paths.hpp"
#include "shap_tree.hpp"
#include "shipml/estimators/estimator.hpp"

namespace shipml::explain {

/// Which of a tree's leaf values are explained, for a learner with `classes`
/// classes (0: a regressor): the value; the second class's (two classes, whose
/// first is 1 minus it); every class's.
std::vector<int> explained_values(int classes);

/// Sets goes_left[node], for every split node of tree `tree`, to whether row `row`
/// takes its left branch, as the learner's prediction decides.
using Route = std::function<void(std::size_t tree, std::size_t row, std::vector<std::uint8_t>& goes_left)>;

/// An ensemble's trees in TreeSHAP's form, for outputs that are `base[o]`
/// plus `scale` x the sum of the trees' leaf values (a tree's value k adds to
/// output first_output + k). Built once per fitted model (TreeExplainerCache):
/// each leaf's tables over the subsets of its path are then paid for once,
/// however the rows come (a batch, or one per server request).
class TreeExplainer {
 public:
  TreeExplainer(std::vector<ShapTree> trees, double scale, std::vector<double> base);
  TreeExplainer(const TreeExplainer&) = delete;  // paths_ point into trees_
  TreeExplainer& operator=(const TreeExplainer&) = delete;

  /// The contributions of X's rows: per output, rows x request.groups, the
  /// features' values summed into their groups. Rows are explained in parallel.
  FeatureContributions explain(const FeatureMatrix& X, const ContributionRequest& request, const Route& route) const;

 private:
  std::vector<ShapTree> trees_;
  std::vector<LeafPaths> paths_;
  double scale_;
  std::vector<double> expected_;
  std::size_t nodes_ = 0;  // the largest tree's
};

/// A learner's TreeExplainer, built on first use and kept. Copies start empty,
/// and so does an assignment: a learner that refits or loads builds its own.
class TreeExplainerCache {
 public:
  TreeExplainerCache() = default;
  TreeExplainerCache(const TreeExplainerCache&) {}
  TreeExplainerCache& operator=(const TreeExplainerCache&) {
    reset();
    return *this;
  }
  /// The explainer, from `build` the first time (thread-safe).
  std::shared_ptr<const TreeExplainer> get(const std::function<std::unique_ptr<TreeExplainer>()>& build) const;
  /// Forgets the explainer: call when the trees change.
  void reset();

 private:
  mutable std::mutex mutex_;
  mutable std::shared_ptr<const TreeExplainer> explainer_;
};

/// Adds `scale` x the tree's expected value (its leaves' values weighted by the
/// share of the root's cover that reaches each, split by split) to expected[first_output + k].
void add_expected_value(const ShapTree& tree, double scale, double* expected);

}  // namespace shipml::explain
