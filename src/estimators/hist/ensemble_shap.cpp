// An ensemble's trees for TreeSHAP (explain/tree_shap.hpp): each node's cover
// is the training weight (forests) or hessian (boosting) the tree keeps, and a
// row goes the way FlatForest sends it when predicting.
#include <cmath>

#include "../explain/tree_shap.hpp"
#include "ensemble.hpp"

namespace shipml::hist {
namespace {

explain::ShapTree shap_tree(const HistTree& t, const std::vector<int>& columns, std::size_t first_output) {
  explain::ShapTree s;
  const std::size_t n = t.nodes.size();
  s.left.assign(n, -1);
  s.right.assign(n, -1);
  s.feature.assign(n, -1);
  s.cover = t.cover;
  s.width = static_cast<int>(columns.size());
  s.first_output = first_output;
  s.value.assign(n * columns.size(), 0.0);
  for (std::size_t i = 0; i < n; ++i) {
    const Node& node = t.nodes[i];
    if (node.left >= 0) {
      s.left[i] = node.left;
      s.right[i] = node.left + 1;
      s.feature[i] = node.feature;
      continue;
    }
    const double* v =
        t.values.data() + static_cast<std::size_t>(node.payload) * static_cast<std::size_t>(t.value_width);
    for (std::size_t k = 0; k < columns.size(); ++k) s.value[i * columns.size() + k] = v[columns[k]];
  }
  s.finish();
  return s;
}

// FlatForest's decisions: a numeric split sends x <= cut left and NaN the way
// it learned; a categorical split bins the code (NaN and codes without a bin
// take the missing bin) and looks the bin up in its bitset.
void route(const HistTree& t, const std::vector<FeatureBins>& bins, const FeatureMatrix& X, std::size_t row,
           std::vector<std::uint8_t>& goes_left) {
  for (std::size_t i = 0; i < t.nodes.size(); ++i) {
    const Node& node = t.nodes[i];
    if (node.left < 0) continue;
    const double x = X(row, node.feature);
    if (node.flags & Node::kCategorical) {
      const std::uint8_t b = bins[node.feature].bin(x);
      goes_left[i] = (t.bitsets[node.payload + (b >> 5)] >> (b & 31)) & 1u;
    } else {
      goes_left[i] = std::isnan(x) ? (node.flags & Node::kMissingLeft) != 0 : x <= node.cut;
    }
  }
}

}  // namespace

FeatureContributions Ensemble::contributions(const FeatureMatrix& X, const ContributionRequest& request,
                                             const std::vector<int>& columns, std::size_t stride, double scale,
                                             const std::vector<double>& base) const {
  const auto walker = explainer.get([&] {
    std::vector<explain::ShapTree> shap;
    shap.reserve(trees.size());
    for (std::size_t t = 0; t < trees.size(); ++t)
      shap.push_back(shap_tree(trees[t], columns, (t % stride) * columns.size()));
    return std::make_unique<explain::TreeExplainer>(std::move(shap), scale, base);
  });
  return walker->explain(X, request, [&](std::size_t t, std::size_t row, std::vector<std::uint8_t>& goes_left) {
    route(trees[t], binner.features(), X, row, goes_left);
  });
}

}  // namespace shipml::hist
