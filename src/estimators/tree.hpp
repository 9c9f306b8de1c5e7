#pragma once
// A fitted binary decision tree stored as flat arrays (cache-friendly, trivially
// saved). Row goes left when x[feature] <= threshold; a missing (NaN) value goes
// the way the split learned for it.
#include <cstdint>
#include <nlohmann/json.hpp>
#include <vector>

#include "explain/tree_shap.hpp"
#include "shipml/core/binary.hpp"
#include "shipml/estimators/estimator.hpp"

namespace shipml {

struct Tree {
  static constexpr std::int32_t kLeaf = -1;
  std::vector<std::int32_t> feature;  // kLeaf for leaves
  std::vector<double> threshold;
  std::vector<std::int32_t> left, right;
  std::vector<std::uint8_t> missing_left;
  std::vector<double> value;    // value_width entries per node (class fractions or the mean)
  std::vector<double> gain;     // weighted impurity decrease of each split (0 for leaves)
  std::vector<double> samples;  // training samples that reached the node
  int value_width = 1;

  std::size_t size() const { return feature.size(); }
  /// The leaf a row of X reaches.
  std::size_t leaf(const FeatureMatrix& X, std::size_t row) const;
  const double* leaf_value(std::size_t node) const { return value.data() + node * value_width; }
  /// For every split node, whether row `row` goes left: the decisions leaf() makes.
  void route(const FeatureMatrix& X, std::size_t row, std::vector<std::uint8_t>& goes_left) const;
  /// The tree for TreeSHAP: its leaf values `columns`, its samples as the cover.
  explain::ShapTree shap_tree(const std::vector<int>& columns) const;
  /// Nested JSON: splits by feature name, threshold and missing direction; leaves; each node's cover.
  nlohmann::json dump(const std::vector<std::string>& names) const;

  void save(BinaryWriter& out) const;
  /// Loads and checks every index, so a corrupted file cannot send prediction astray.
  void load(BinaryReader& in, std::size_t n_features);
};

}  // namespace shipml
