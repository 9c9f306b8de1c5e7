#include "shipml/experiment/make_chart.hpp"

#include "shipml/core/error.hpp"
#include "shipml/core/names.hpp"
#include "shipml/experiment/curves.hpp"
#include "shipml/experiment/permutation.hpp"

namespace shipml {

namespace {

// The provider, or a UsageError saying what the kind needs.
template <typename Provider>
const Provider& need(const Provider& provider, const std::string& kind) {
  if (provider) return provider;
  for (const auto& k : chart_kinds())
    if (k.name == kind) throw UsageError("the " + kind + " chart needs " + k.needs);
  throw UsageError("the " + kind + " chart needs more input");
}

}  // namespace

Chart make_chart(const std::string& kind, const ChartSource& s) {
  const auto predictions = [&] { return need(s.predictions, kind)(); };
  if (kind == "roc") return roc_chart(predictions());
  if (kind == "pr") return precision_recall_chart(predictions());
  if (kind == "confusion") return confusion_chart(predictions());
  if (kind == "confusion_normalized") return confusion_chart(predictions(), true);
  if (kind == "lift") return lift_chart(predictions());
  if (kind == "gains") return gains_chart(predictions());
  if (kind == "calibration") return calibration_chart(predictions(), s.bins ? s.bins : 10);
  if (kind == "proba") return probability_histogram(predictions(), s.bins ? s.bins : 20);
  if (kind == "residuals") return residuals_chart(predictions());
  if (kind == "prediction_error") return prediction_error_chart(predictions());
  if (kind == "importance") return importance_chart(learned_importance(*need(s.model, kind)()), s.top);
  if (kind == "permutation") {
    const auto m = need(s.model, kind)();
    return permutation_chart(permutation_importance(*m, need(s.data, kind)(m->target()), "", 5, s.seed), s.top);
  }
  const Validation v{.folds = s.folds, .seed = s.seed, .gap = s.gap};
  if (kind == "learning_curve")
    return curve_chart(
        learning_curve(need(s.unfitted, kind)(), need(s.data, kind)(""), {0.1, 0.325, 0.55, 0.775, 1.0}, v));
  if (kind == "validation_curve") {
    if (s.param.empty() || s.values.empty())
      throw UsageError("the validation_curve chart needs a parameter and its values");
    return curve_chart(validation_curve(need(s.unfitted, kind)(), need(s.data, kind)(""), s.param, s.values, v));
  }
  if (kind == "summary" || kind == "dependence" || kind == "waterfall") {
    if (kind == "dependence" && s.feature.empty())
      throw UsageError("the dependence chart needs a feature: the input column to show");
    // Given by the front door, else explained here: the fitted model on the rows.
    const Contributions contributions =
        s.contributions || !s.model ? need(s.contributions, kind)() : s.model()->contributions(need(s.table, kind)());
    const Frame data = need(s.table, kind)();
    const ContributionChartOptions o{.output = s.output, .top = s.top, .color_by = s.color_by};
    if (kind == "summary") return contributions_summary(contributions, data, o);
    if (kind == "waterfall") return contribution_waterfall(contributions, s.row, data, o);
    return contribution_dependence(contributions, data, s.feature, o);
  }
  if (kind == "pdp") {
    if (s.feature.empty()) throw UsageError("the pdp chart needs a feature: the input column to vary");
    const auto m = need(s.model, kind)();
    const PartialDependenceOptions o{
        .grid = s.bins ? static_cast<std::size_t>(s.bins) : 20, .seed = s.seed, .output = s.output};
    return partial_dependence_chart(partial_dependence(*m, need(s.table, kind)(), s.feature, o));
  }
  if (kind == "missing") return missing_values_chart({need(s.table, kind)(), "", ""}, s.top);
  if (kind == "correlation") return target_correlation_chart(need(s.data, kind)(""), s.top);
  std::vector<std::string> names;
  for (const auto& k : chart_kinds()) names.push_back(k.name);
  throw UsageError("unknown chart '" + kind + "' (charts: " + join(names) + ")");
}

}  // namespace shipml
