#include "flat_forest.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

#include "shipml/core/error.hpp"
#include "shipml/core/parallel.hpp"

namespace shipml::hist {

namespace {

constexpr std::uint32_t kNodeBytes = sizeof(FlatNode);

// Byte offset of a feature's value for lane 0 of a group of prepared rows, or
// of its NaN-to--inf copy.
std::uint32_t value_offset(std::size_t feature, bool missing_left) {
  return static_cast<std::uint32_t>((2 * feature + (missing_left ? 1 : 0)) * FlatForest::kLanes * sizeof(double));
}

// Takes every lane `depth` steps down its tree (next(k, at) is lane k's next
// node), checking every few steps whether all have arrived: the deep trees of a
// forest end most paths well before their deepest leaf.
template <std::size_t N, class Next>
inline void descend(std::uint32_t (&at)[N], std::size_t lanes, int depth, const Next& next) {
  constexpr int kCheckEvery = 8;
  for (int level = 0;;) {
    for (const int until = std::min(depth, level + kCheckEvery); level < until; ++level) {
#pragma GCC unroll 16  // kLanes: each lane's offset stays in a register
      for (std::size_t k = 0; k < lanes; ++k) at[k] = next(k, at[k]);
    }
    if (level >= depth) return;
    bool moved = false;
    for (std::size_t k = 0; k < lanes; ++k) {
      const std::uint32_t to = next(k, at[k]);
      moved |= to != at[k];
      at[k] = to;
    }
    if (++level >= depth || !moved) return;
  }
}

}  // namespace

// Prepared rows in groups of kLanes: for each feature, its kLanes values side
// by side, then their NaN-to--inf copies. A node's value offset plus 8 x lane
// is where a lane's value is, with no per-row pointer to keep.
struct FlatForest::Block {
  const double* groups;
  std::size_t group_values;  // 2 x features x kLanes
  const std::vector<FeatureBins>& bins;
  const char* group(std::size_t g) const { return reinterpret_cast<const char*>(groups + g * group_values); }
};

FlatForest::FlatForest(const std::vector<HistTree>& trees) {
  std::size_t total = 0, values = 0, bitsets = 0;
  for (const auto& t : trees) {
    total += t.nodes.size();
    values += t.values.size();
    bitsets += t.bitsets.size();
  }
  // Reserved whole: grown a tree at a time, they would be copied and new memory touched each time.
  nodes_.reserve(total);
  leaf_of_.reserve(total);
  bitset_of_.reserve(total);
  values_.reserve(values);
  bitsets_.reserve(bitsets);
  std::size_t leaves = 0;
  for (const auto& t : trees) {
    if (t.nodes.size() >= static_cast<std::size_t>(std::numeric_limits<std::int32_t>::max() / kNodeBytes))
      throw ModelError("a tree has too many nodes to predict with (" + std::to_string(t.nodes.size()) + ")");
    // Leaf payloads number the leaves of their own tree.
    const std::size_t first_leaf = leaves;
    leaves += t.values.size() / static_cast<std::size_t>(t.value_width);
    if (leaves > std::numeric_limits<std::uint32_t>::max())
      throw ModelError("the ensemble has too many leaves to predict with");
    trees_.push_back({nodes_.size(), t.depth(), false});
    for (std::size_t i = 0; i < t.nodes.size(); ++i) {
      const Node& n = t.nodes[i];
      FlatNode flat{};
      if (n.left < 0) {
        flat = {std::numeric_limits<double>::infinity(), static_cast<std::uint32_t>(i) * kNodeBytes,
                value_offset(0, true)};
      } else if (n.flags & Node::kCategorical) {
        flat = {0.0, static_cast<std::uint32_t>(n.left) * kNodeBytes, FlatNode::kCategorical | n.feature};
        trees_.back().categorical = true;
      } else {
        flat = {n.cut, static_cast<std::uint32_t>(n.left) * kNodeBytes,
                value_offset(n.feature, n.flags & Node::kMissingLeft)};
      }
      nodes_.push_back(flat);
      leaf_of_.push_back(n.left < 0 ? static_cast<std::uint32_t>(first_leaf + n.payload) : 0);
      bitset_of_.push_back(flat.value & FlatNode::kCategorical ? static_cast<std::uint32_t>(bitsets_.size() + n.payload)
                                                               : 0);
    }
    values_.insert(values_.end(), t.values.begin(), t.values.end());
    bitsets_.insert(bitsets_.end(), t.bitsets.begin(), t.bitsets.end());
  }
}

// One step down from the node at byte offset `at` of a tree for one lane of a
// group of prepared rows; a leaf stays where it is. Only trees with categorical
// splits pay for the test kWithCategories adds.
template <bool kWithCategories>
inline std::uint32_t FlatForest::step(const char* tree, std::uint32_t at, const char* group, std::size_t lane,
                                      const Block& block, const TreeInfo& info) const {
  const FlatNode& n = *reinterpret_cast<const FlatNode*>(tree + at);
  if (kWithCategories && __builtin_expect((n.value & FlatNode::kCategorical) != 0, 0)) {
    const std::size_t feature = n.value & ~FlatNode::kCategorical;
    const double x = *reinterpret_cast<const double*>(group + value_offset(feature, false) + lane * sizeof(double));
    const std::uint8_t b = block.bins[feature].bin(x);
    const std::uint32_t* bits = bitsets_.data() + bitset_of_[info.first + static_cast<std::size_t>(at / kNodeBytes)];
    return n.left + ((bits[b >> 5] >> (b & 31)) & 1u ? 0 : kNodeBytes);
  }
  const double x = *reinterpret_cast<const double*>(group + n.value + lane * sizeof(double));
  return n.left + (x <= n.cut ? 0 : kNodeBytes);
}

// Full groups of prepared rows [0, groups) down one tree, the kLanes rows of a
// group side by side; row r's `width` values are added at out + r * row_stride.
template <bool kWithCategories>
void FlatForest::walk_rows(const TreeInfo& tree, const Block& block, std::size_t groups, double* out, std::size_t width,
                           std::size_t row_stride) const {
  const char* nodes = reinterpret_cast<const char*>(nodes_.data() + tree.first);
  for (std::size_t g = 0; g < groups; ++g) {
    const char* group = block.group(g);
    const std::size_t r0 = g * kLanes;
    std::uint32_t at[kLanes] = {};
    descend(at, kLanes, tree.depth, [&](std::size_t k, std::uint32_t node) {
      return step<kWithCategories>(nodes, node, group, k, block, tree);
    });
    if (width == 1) {  // boosting: one value per leaf
      for (std::size_t k = 0; k < kLanes; ++k) out[(r0 + k) * row_stride] += *leaf_values(tree, at[k], 1);
      continue;
    }
    for (std::size_t k = 0; k < kLanes; ++k) {
      const double* v = leaf_values(tree, at[k], width);
      double* o = out + (r0 + k) * row_stride;
      for (std::size_t c = 0; c < width; ++c) o[c] += v[c];
    }
  }
}

// One prepared row (`lane` of `group`) down several trees side by side (a
// single-row request, or the last rows of X). Leaves are added in tree order,
// as walk_rows does, so the sums are the same to the last bit.
void FlatForest::walk_trees(std::size_t stride, std::size_t offset, const Block& block, const char* group,
                            std::size_t lane, double* out, std::size_t width) const {
  constexpr std::size_t kTreeLanes = 8;
  for (std::size_t t0 = offset; t0 < trees_.size(); t0 += kTreeLanes * stride) {
    const TreeInfo* tree[kTreeLanes];
    std::uint32_t at[kTreeLanes] = {};
    std::size_t lanes = 0;
    int depth = 0;
    for (std::size_t t = t0; t < trees_.size() && lanes < kTreeLanes; t += stride) {
      tree[lanes++] = &trees_[t];
      depth = std::max(depth, trees_[t].depth);
    }
    descend(at, lanes, depth, [&](std::size_t k, std::uint32_t node) {
      return step<true>(reinterpret_cast<const char*>(nodes_.data() + tree[k]->first), node, group, lane, block,
                        *tree[k]);
    });
    for (std::size_t k = 0; k < lanes; ++k) {
      const double* v = leaf_values(*tree[k], at[k], width);
      for (std::size_t c = 0; c < width; ++c) out[c] += v[c];
    }
  }
}

void FlatForest::accumulate(const FeatureMatrix& X, const std::vector<FeatureBins>& bins, std::size_t classes,
                            std::size_t width, double* out) const {
  // Every class in one pass: preparing the rows costs more than walking them
  // down a round's trees when rows are wide (784 features, 10 classes: 5x).
  const std::size_t row_stride = classes * width;
  const std::size_t features = X.cols(), group_values = 2 * std::max<std::size_t>(features, 1) * kLanes;
  // Blocks of prepared rows that stay in cache while every tree visits them;
  // blocks of fewer than 4 groups pay more per tree than they save.
  constexpr std::size_t kBlockBytes = 64 * 1024, kMaxGroups = 16;
  const std::size_t block_groups =
      std::clamp<std::size_t>(kBlockBytes / (group_values * sizeof(double)), 4, kMaxGroups);
  const std::size_t block_rows = block_groups * kLanes;
  const std::size_t blocks = (X.rows() + block_rows - 1) / block_rows;
  const auto predict_block = [&](std::size_t b) {
    const std::size_t begin = b * block_rows, rows = std::min(X.rows(), begin + block_rows) - begin;
    thread_local std::vector<double> prepared;  // reused: no allocation per call once warm
    prepared.resize((rows + kLanes - 1) / kLanes * group_values);
    const double minus_infinity = -std::numeric_limits<double>::infinity();
    for (std::size_t j = 0; j < features; ++j) {
      const double* column = X.column(j) + begin;
      for (std::size_t r = 0; r < rows; ++r) {
        double* at = prepared.data() + r / kLanes * group_values + 2 * j * kLanes + r % kLanes;
        at[0] = column[r];
        at[kLanes] = std::isnan(column[r]) ? minus_infinity : column[r];
      }
    }
    if (features == 0) std::fill(prepared.begin(), prepared.end(), 0.0);  // leaves read a value
    const Block block{prepared.data(), group_values, bins};
    double* block_out = out + begin * row_stride;
    const std::size_t groups = rows / kLanes;
    for (std::size_t t = 0; t < trees_.size() && groups > 0; ++t) {
      double* class_out = block_out + t % classes * width;
      if (trees_[t].categorical) walk_rows<true>(trees_[t], block, groups, class_out, width, row_stride);
      else walk_rows<false>(trees_[t], block, groups, class_out, width, row_stride);
    }
    for (std::size_t r = groups * kLanes; r < rows; ++r)
      for (std::size_t c = 0; c < classes; ++c)
        walk_trees(classes, c, block, block.group(r / kLanes), r % kLanes, block_out + r * row_stride + c * width,
                   width);
  };
  // One block (a single-row request, say) runs here: no task to hand out, no allocation.
  if (blocks == 1) predict_block(0);
  else parallel_for(blocks, 0, predict_block);
}

}  // namespace shipml::hist
