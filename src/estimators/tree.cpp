#include "tree.hpp"

#include <cmath>
#include <functional>

namespace shipml {

std::size_t Tree::leaf(const FeatureMatrix& X, std::size_t row) const {
  std::size_t node = 0;
  while (feature[node] != kLeaf) {
    const double x = X(row, feature[node]);
    const bool go_left = std::isnan(x) ? missing_left[node] : x <= threshold[node];
    node = static_cast<std::size_t>(go_left ? left[node] : right[node]);
  }
  return node;
}

void Tree::route(const FeatureMatrix& X, std::size_t row, std::vector<std::uint8_t>& goes_left) const {
  for (std::size_t node = 0; node < size(); ++node) {
    if (feature[node] == kLeaf) continue;
    const double x = X(row, feature[node]);
    goes_left[node] = std::isnan(x) ? missing_left[node] : x <= threshold[node];
  }
}

explain::ShapTree Tree::shap_tree(const std::vector<int>& columns) const {
  explain::ShapTree t;
  t.left = left;
  t.right = right;
  t.feature = feature;
  t.cover = samples;
  t.width = static_cast<int>(columns.size());
  t.value.reserve(size() * columns.size());
  for (std::size_t node = 0; node < size(); ++node)
    for (int c : columns) t.value.push_back(leaf_value(node)[c]);
  t.finish();
  return t;
}

nlohmann::json Tree::dump(const std::vector<std::string>& names) const {
  std::function<nlohmann::json(std::size_t)> at = [&](std::size_t i) -> nlohmann::json {
    if (feature[i] == kLeaf) {
      const double* v = leaf_value(i);
      return {
          {"leaf", value_width == 1 ? nlohmann::json(v[0]) : nlohmann::json(std::vector<double>(v, v + value_width))},
          {"cover", samples[i]}};
    }
    const auto f = static_cast<std::size_t>(feature[i]);
    return {{"feature", f < names.size() ? names[f] : std::to_string(f)},
            {"threshold", threshold[i]},
            {"missing_goes", missing_left[i] ? "left" : "right"},
            {"gain", gain[i]},
            {"cover", samples[i]},
            {"left", at(static_cast<std::size_t>(left[i]))},
            {"right", at(static_cast<std::size_t>(right[i]))}};
  };
  return nlohmann::json::array({at(0)});
}

void Tree::save(BinaryWriter& out) const {
  out.u32(static_cast<std::uint32_t>(value_width));
  out.array(feature);
  out.array(threshold);
  out.array(left);
  out.array(right);
  out.array(missing_left);
  out.array(value);
  out.array(gain);
  out.array(samples);
}

void Tree::load(BinaryReader& in, std::size_t n_features) {
  value_width = static_cast<int>(in.u32());
  feature = in.array<std::int32_t>();
  threshold = in.array<double>();
  left = in.array<std::int32_t>();
  right = in.array<std::int32_t>();
  missing_left = in.array<std::uint8_t>();
  value = in.array<double>();
  gain = in.array<double>();
  samples = in.array<double>();
  const std::size_t n = feature.size();
  if (n == 0 || value_width < 1 || threshold.size() != n || left.size() != n || right.size() != n ||
      missing_left.size() != n || gain.size() != n || samples.size() != n ||
      value.size() != n * static_cast<std::size_t>(value_width))
    BinaryReader::fail("tree arrays have inconsistent sizes");
  // Children always come after their parent, which also rules out cycles.
  for (std::size_t i = 0; i < n; ++i) {
    if (feature[i] == kLeaf) continue;
    if (feature[i] < 0 || static_cast<std::size_t>(feature[i]) >= n_features ||
        left[i] <= static_cast<std::int32_t>(i) || right[i] <= static_cast<std::int32_t>(i) ||
        static_cast<std::size_t>(left[i]) >= n || static_cast<std::size_t>(right[i]) >= n)
      BinaryReader::fail("tree node " + std::to_string(i) + " points outside the tree");
  }
}

}  // namespace shipml
