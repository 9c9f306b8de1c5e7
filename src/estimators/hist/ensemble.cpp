#include "ensemble.hpp"

namespace shipml::hist {

void Ensemble::finish() {
  flat = FlatForest(trees);
  explainer.reset();
}

void Ensemble::accumulate(const FeatureMatrix& X, std::size_t classes, std::size_t width, double* out) const {
  flat.accumulate(X, binner.features(), classes, width, out);
}

nlohmann::json Ensemble::importances(const std::vector<std::string>& names) const {
  std::vector<double> gain(names.size(), 0.0), splits(names.size(), 0.0);
  for (const auto& t : trees)
    for (std::size_t i = 0; i < t.nodes.size(); ++i)
      if (t.nodes[i].left >= 0 && t.nodes[i].feature < names.size()) {
        gain[t.nodes[i].feature] += t.gain[i];
        splits[t.nodes[i].feature] += 1;
      }
  double total = 0;
  for (double g : gain) total += g;
  nlohmann::json by_gain = nlohmann::json::object(), by_splits = nlohmann::json::object();
  for (std::size_t j = 0; j < names.size(); ++j) {
    by_gain[names[j]] = total > 0 ? gain[j] / total : 0.0;
    by_splits[names[j]] = splits[j];
  }
  return {{"feature_importances_gain", by_gain}, {"feature_importances_splits", by_splits}};
}

nlohmann::json Ensemble::dump(const std::vector<std::string>& names) const {
  nlohmann::json out = nlohmann::json::array();
  for (const auto& t : trees) out.push_back(t.dump(binner.features(), names));
  return out;
}

void Ensemble::save(BinaryWriter& out) const {
  binner.save(out);
  out.u64(trees.size());
  for (const auto& t : trees) t.save(out);
}

void Ensemble::load(BinaryReader& in, std::size_t features) {
  binner.load(in);
  if (binner.features().size() != features) BinaryReader::fail("the binning does not match the features");
  trees.assign(in.count(40), {});
  for (auto& t : trees) t.load(in, features);
  finish();
}

}  // namespace shipml::hist
