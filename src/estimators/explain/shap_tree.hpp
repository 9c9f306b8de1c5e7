#pragma once
// A tree as TreeSHAP reads it (tree_shap.hpp), whatever learner grew it.
#include <cstddef>
#include <cstdint>
#include <vector>

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

}  // namespace shipml::explain
