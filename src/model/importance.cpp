#include "shipml/model/importance.hpp"

#include <cmath>

#include "shipml/core/error.hpp"

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

}  // namespace shipml
