#pragma once
// A list of histogram trees and the binning they read, with the prediction path
// every ensemble shares (the trees laid out for it: flat_forest.hpp).
#include <nlohmann/json.hpp>
#include <vector>

#include "../explain/tree_shap.hpp"
#include "binning.hpp"
#include "flat_forest.hpp"
#include "hist_tree.hpp"
#include "shipml/estimators/feature_contributions.hpp"

namespace shipml::hist {

struct Ensemble {
  Binner binner;
  std::vector<HistTree> trees;
  FlatForest flat;  // the trees laid out for prediction; set by finish()
  // The trees in TreeSHAP's form, built on the first explanation; finish() forgets it.
  explain::TreeExplainerCache explainer;

  /// Call after the trees are grown or loaded: lays them out for prediction.
  void finish();

  /// Sums of leaf values over raw rows (no binning): out[(row * classes +
  /// t % classes) * width + k] += tree t's value k (classes = trees per
  /// boosting round), each class's trees in order. Thread-safe.
  void accumulate(const FeatureMatrix& X, std::size_t classes, std::size_t width, double* out) const;

  /// Path-dependent TreeSHAP contributions (explain/tree_shap.hpp) of outputs
  /// that are base[o] plus `scale` x leaf values: tree t adds its leaf values
  /// `columns` to outputs (t % stride) x columns.size() + k (stride: trees per
  /// boosting round); the same for every call on the same trees. Splits send
  /// rows exactly as accumulate() does.
  FeatureContributions contributions(const FeatureMatrix& X, const ContributionRequest& request,
                                     const std::vector<int>& columns, std::size_t stride, double scale,
                                     const std::vector<double>& base) const;

  /// Gain and split count per feature, summed over trees.
  nlohmann::json importances(const std::vector<std::string>& names) const;
  /// Every tree as nested JSON.
  nlohmann::json dump(const std::vector<std::string>& names) const;

  void save(BinaryWriter& out) const;
  void load(BinaryReader& in, std::size_t features);
};

}  // namespace shipml::hist
