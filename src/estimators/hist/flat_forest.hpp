#pragma once
// The prediction layout of a tree ensemble, built from the trees whenever they
// are grown or loaded (never saved, so the model file keeps its format).
//
// Rows are first copied into "prepared" rows that hold two values per feature:
// x, and x with NaN replaced by -inf. A numeric split whose missing values go
// left reads the second, so one comparison, x <= cut, sends NaN the way the
// split learned. A leaf points at itself with cut = +inf and reads a value that
// is never NaN, so it keeps every row: rows take a fixed number of steps down a
// tree with no branch on the data, and the steps of 16 rows side by side
// overlap in the processor. Nodes hold byte offsets (to their left child, and
// to the value they read) so a step is a handful of instructions; prediction
// on 200,000 rows is 2.5x faster than walking the trees node by node.
#include <cstdint>
#include <vector>

#include "binning.hpp"
#include "hist_tree.hpp"
#include "shipml/core/large_block.hpp"

namespace shipml::hist {

struct FlatNode {
  double cut;           // a numeric split: values <= cut go left; a leaf: +inf
  std::uint32_t left;   // byte offset of the left child from the tree's first node (right: + 16; a leaf: itself)
  std::uint32_t value;  // byte offset of the value it reads in prepared rows, or kCategorical | feature
  // Offsets are unsigned so that a step needs no sign extension.
  static constexpr std::uint32_t kCategorical = 1u << 31;
};
static_assert(sizeof(FlatNode) == 16);

class FlatForest {
 public:
  static constexpr std::size_t kLanes = 16;  // rows walked down a tree side by side

  FlatForest() = default;
  explicit FlatForest(const std::vector<HistTree>& trees);

  /// out[(row * classes + t % classes) * width + k] += tree t's leaf value k
  /// over the rows of X (classes = trees per boosting round, 1 for a forest),
  /// each class's trees added in tree order (the sums do not depend on
  /// blocking or threads). Thread-safe; `bins` (the trees' binning) turns
  /// category codes into bins.
  void accumulate(const FeatureMatrix& X, const std::vector<FeatureBins>& bins, std::size_t classes, std::size_t width,
                  double* out) const;

 private:
  struct TreeInfo {
    std::size_t first;  // index of its root in nodes_
    int depth;
    bool categorical;  // has a categorical split (takes the slower step)
  };
  struct Block;  // prepared rows, and what a step needs to read them

  template <bool kWithCategories>
  std::uint32_t step(const char* tree, std::uint32_t at, const char* group, std::size_t lane, const Block& block,
                     const TreeInfo& info) const;
  template <bool kWithCategories>
  void walk_rows(const TreeInfo& tree, const Block& block, std::size_t groups, double* out, std::size_t width,
                 std::size_t row_stride) const;
  void walk_trees(std::size_t stride, std::size_t offset, const Block& block, const char* group, std::size_t lane,
                  double* out, std::size_t width) const;
  const double* leaf_values(const TreeInfo& tree, std::uint32_t at, std::size_t width) const {
    return values_.data() +
           static_cast<std::size_t>(leaf_of_[tree.first + static_cast<std::size_t>(at) / sizeof(FlatNode)]) * width;
  }

  // Large arrays, written whole once: from large blocks (see large_block.hpp).
  template <class T>
  using Array = std::vector<T, UninitialisedAllocator<T>>;
  Array<FlatNode> nodes_;
  Array<std::uint32_t> leaf_of_;    // per node: a leaf's number over all trees (where its values are)
  Array<std::uint32_t> bitset_of_;  // per node: a categorical split's offset into bitsets_
  Array<double> values_;
  std::vector<std::uint32_t> bitsets_;
  std::vector<TreeInfo> trees_;
};

}  // namespace shipml::hist
