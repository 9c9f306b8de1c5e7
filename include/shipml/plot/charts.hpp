#pragma once
// Every standard evaluation chart, ready to save: each builder decides the
// title, axes, ranges, legend and reference lines, from what scoring already
// produced (held-out predictions), from a fitted model, or from data.
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "shipml/data/dataset.hpp"
#include "shipml/experiment/curves.hpp"
#include "shipml/experiment/permutation.hpp"
#include "shipml/model/importance.hpp"
#include "shipml/model/scoring.hpp"
#include "shipml/plot/chart.hpp"

namespace shipml {

// Classification, from held-out predictions. Binary charts treat the second
// class as positive; multiclass ROC, precision-recall and calibration draw one
// curve per class against the rest.
Chart roc_chart(const HeldOutPredictions& p);
Chart precision_recall_chart(const HeldOutPredictions& p);
Chart confusion_chart(const HeldOutPredictions& p, bool normalized = false);
Chart lift_chart(const HeldOutPredictions& p);           // binary
Chart gains_chart(const HeldOutPredictions& p);          // binary: cumulative gains
Chart calibration_chart(const HeldOutPredictions& p, int bins = 10);
/// The predicted probability of the positive class per true class (binary), or
/// of the true class per class (multiclass), as the share of each class's rows.
Chart probability_histogram(const HeldOutPredictions& p, int bins = 20);

// Regression, from held-out predictions.
Chart residuals_chart(const HeldOutPredictions& p);
Chart prediction_error_chart(const HeldOutPredictions& p);

// Any model.
/// Coefficients (signed: the top/2 largest and top/2 most negative) or gain shares (the `top` largest).
Chart importance_chart(const LearnedImportance& importance, std::size_t top = 20);
Chart permutation_chart(const PermutationImportance& importance, std::size_t top = 20);
/// A learning or validation curve: the mean score with a ±1 std band.
Chart curve_chart(const Curve& curve);

// Data.
Chart missing_values_chart(const Dataset& data, std::size_t top = 30);
/// Pearson r with a numeric (or binary) target for numeric columns; the
/// correlation ratio η (categorical columns, or a multiclass target) otherwise.
Chart target_correlation_chart(const Dataset& data, std::size_t top = 30);

/// A fitted model's predictions on `data` in held-out form (one fold): what the
/// classification and regression charts take, for a model and a test file.
HeldOutPredictions predictions_on(const Model& model, const Dataset& data);

/// The chart kinds `shipml plot` draws, with what each needs.
struct ChartKind {
  std::string name, needs, doc;
};
const std::vector<ChartKind>& chart_kinds();

/// Where a chart's inputs come from, for make_chart. A kind asks only for what
/// it needs, so a front door fills in what it was given (a run, a model file,
/// data) and each provider says, in the front door's own words, what is
/// missing when it cannot provide.
struct ChartSource {
  std::function<HeldOutPredictions()> predictions;  // the classification and regression charts
  std::function<std::shared_ptr<const Model>()> model;  // a fitted model: importance, permutation
  /// Data with its target; `model_target` is the target of the model in play
  /// ("" when none), for when the front door was not told one.
  std::function<Dataset(const std::string& model_target)> data;
  std::function<Frame()> table;                     // data without a target: missing
  std::function<Model()> unfitted;                  // what the curves fit
  std::string param;                                // validation_curve: the parameter
  std::vector<std::string> values;                  // and its values
  int folds = 5;
  std::uint64_t seed = 42;
  std::size_t top = 20;
  int bins = 0;                                     // 0: the kind's own default
};
/// The chart of the named kind (see chart_kinds()); a UsageError naming the
/// kinds when there is no such kind, or saying what the kind needs.
Chart make_chart(const std::string& kind, const ChartSource& source);

}  // namespace shipml
