#include "shipml/model/importance.hpp"

#include <algorithm>
#include <cmath>
#include <iomanip>
#include <sstream>

#include "shipml/core/error.hpp"
#include "shipml/io/csv.hpp"

namespace shipml {

bool LearnedImportance::is_signed() const {
  for (double v : encoded_values)
    if (v < 0) return true;
  return false;
}

namespace {

// inspect() names each value by its encoded feature; read them back in encoded order.
std::vector<double> by_name(const nlohmann::json& values, const std::vector<std::string>& names) {
  std::vector<double> out;
  for (const auto& n : names) out.push_back(values.contains(n) ? values.at(n).get<double>() : 0.0);
  return out;
}

}  // namespace

LearnedImportance learned_importance(const Model& model) {
  if (!model.fitted()) throw UsageError("feature importances need a fitted model");
  const nlohmann::json learned = model.inspect();
  LearnedImportance out;
  out.encoded = model.encoded_features();
  if (learned.contains("coefficients")) {
    out.kind = "coefficient";
    // Regression: {feature: w}; classification: {class: {feature: w}}, one class for binary.
    const nlohmann::json& per_class = learned.at("coefficients");
    if (per_class.empty() || !per_class.begin().value().is_object()) {
      out.encoded_values = by_name(per_class, out.encoded);
    } else if (per_class.size() == 1) {
      out.encoded_values = by_name(per_class.begin().value(), out.encoded);
    } else {
      out.encoded_values.assign(out.encoded.size(), 0.0);
      for (const auto& [label, weights] : per_class.items()) {
        const auto w = by_name(weights, out.encoded);
        for (std::size_t j = 0; j < w.size(); ++j) out.encoded_values[j] += w[j] * w[j];
      }
      for (double& v : out.encoded_values) v = std::sqrt(v);
    }
  } else if (learned.contains("feature_importances_gain") || learned.contains("feature_importances")) {
    out.kind = "gain";
    out.encoded_values = by_name(learned.contains("feature_importances_gain") ? learned.at("feature_importances_gain")
                                                                              : learned.at("feature_importances"),
                                 out.encoded);
  } else {
    return out;
  }
  for (const auto& f : model.schema().fields()) out.columns.push_back(f.name);
  out.column_values.assign(out.columns.size(), 0.0);
  const auto sources = model.encoded_sources();
  for (std::size_t j = 0; j < sources.size() && j < out.encoded_values.size(); ++j)
    out.column_values.at(sources[j]) += std::abs(out.encoded_values[j]);
  return out;
}

std::string PermutationImportance::table() const {
  std::ostringstream o;
  std::size_t width = 8;
  for (const auto& f : features) width = std::max(width, f.feature.size());
  width = std::min<std::size_t>(width, 40);
  o << std::left << std::setw(6) << "rank" << std::setw(static_cast<int>(width + 2)) << "feature"
    << "drop in " << metric << " (mean ± std)\n";
  for (std::size_t i = 0; i < features.size(); ++i) {
    std::string name = features[i].feature;
    if (name.size() > width) name = name.substr(0, width - 1) + "…";
    o << std::left << std::setw(6) << (i + 1) << std::setw(static_cast<int>(width + 2)) << name << std::fixed
      << std::setprecision(4) << features[i].mean << " ± " << features[i].stddev << '\n';
  }
  return o.str();
}

std::string PermutationImportance::to_csv() const {
  std::vector<double> rank, mean, stddev;
  std::vector<std::string> names;
  for (std::size_t i = 0; i < features.size(); ++i) {
    rank.push_back(static_cast<double>(i + 1));
    names.push_back(features[i].feature);
    mean.push_back(features[i].mean);
    stddev.push_back(features[i].stddev);
  }
  Frame table;
  table.add(Column::numeric("rank", rank));
  table.add(Column::from_strings("feature", names));
  table.add(Column::numeric("mean_drop", mean));
  table.add(Column::numeric("std_drop", stddev));
  const std::size_t reps = features.empty() ? 0 : features.front().drops.size();
  for (std::size_t r = 0; r < reps; ++r) {
    std::vector<double> drop;
    for (const auto& f : features) drop.push_back(f.drops[r]);
    std::string name = "repeat";  // two steps: g++ 12 misreports "x" + to_string() (-Wrestrict)
    name += std::to_string(r);
    table.add(Column::numeric(name, drop));
  }
  return shipml::to_csv(table);
}

nlohmann::json PermutationImportance::to_json() const {
  nlohmann::json j = {{"method", "permutation"},
                      {"metric", metric},
                      {"greater_is_better", greater_is_better},
                      {"baseline", baseline},
                      {"features", nlohmann::json::array()}};
  for (const auto& f : features)
    j["features"].push_back({{"feature", f.feature}, {"mean", f.mean}, {"std", f.stddev}, {"drops", f.drops}});
  return j;
}

}  // namespace shipml
