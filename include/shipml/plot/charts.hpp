#pragma once
/// \file
/// Every standard evaluation chart, ready to save: each builder decides the
/// title, axes, ranges, legend and reference lines, from what scoring already
/// produced (held-out predictions), from a fitted model, or from data.
#include <string>
#include <vector>

#include "shipml/core/export.hpp"
#include "shipml/data/dataset.hpp"
#include "shipml/model/curve.hpp"
#include "shipml/model/importance.hpp"
#include "shipml/model/scoring.hpp"
#include "shipml/plot/chart.hpp"

namespace shipml {

// Classification, from held-out predictions. Binary charts treat the second
// class as positive; multiclass ROC, precision-recall and calibration draw one
// curve per class against the rest.
/// The ROC curve (one per class against the rest for multiclass), AUC in the legend.
SHIPML_API Chart roc_chart(const HeldOutPredictions& p);
/// The precision-recall curve, average precision in the legend.
SHIPML_API Chart precision_recall_chart(const HeldOutPredictions& p);
/// The confusion matrix: counts, or with `normalized` the share of each true class.
SHIPML_API Chart confusion_chart(const HeldOutPredictions& p, bool normalized = false);
/// Lift by share of rows, highest scores first (binary only).
SHIPML_API Chart lift_chart(const HeldOutPredictions& p);
/// Cumulative gains by share of rows, highest scores first (binary only).
SHIPML_API Chart gains_chart(const HeldOutPredictions& p);
/// Observed frequency against predicted probability, in `bins` bins.
SHIPML_API Chart calibration_chart(const HeldOutPredictions& p, int bins = 10);
/// The predicted probability of the positive class per true class (binary), or
/// of the true class per class (multiclass), as the share of each class's rows.
SHIPML_API Chart probability_histogram(const HeldOutPredictions& p, int bins = 20);

// Regression, from held-out predictions.
/// Residual against predicted value.
SHIPML_API Chart residuals_chart(const HeldOutPredictions& p);
/// Predicted against actual value, with the identity line.
SHIPML_API Chart prediction_error_chart(const HeldOutPredictions& p);

// Any model.
/// Coefficients (signed: the top/2 largest and top/2 most negative) or gain shares (the `top` largest).
SHIPML_API Chart importance_chart(const LearnedImportance& importance, std::size_t top = 20);
/// Score drops of the `top` most important columns, with their spread over repeats.
SHIPML_API Chart permutation_chart(const PermutationImportance& importance, std::size_t top = 20);
/// A learning or validation curve: the mean score with a ±1 std band.
SHIPML_API Chart curve_chart(const Curve& curve);

// Data.
/// Share of rows missing, for the `top` columns with most missing.
SHIPML_API Chart missing_values_chart(const Dataset& data, std::size_t top = 30);
/// Pearson r with a numeric (or binary) target for numeric columns; the
/// correlation ratio η (categorical columns, or a multiclass target) otherwise.
SHIPML_API Chart target_correlation_chart(const Dataset& data, std::size_t top = 30);

/// A fitted model's predictions on `data` in held-out form (one fold): what the
/// classification and regression charts take, for a model and a test file.
SHIPML_API HeldOutPredictions predictions_on(const Model& model, const Dataset& data);

/// The chart kinds `shipml plot` draws, with what each needs.
struct SHIPML_API ChartKind {
  /// Name, as given to `shipml plot`.
  std::string name, needs, doc;  ///< what it shows, in one line
  /// \var needs
  /// What it is drawn from: predictions, a model, an estimator, data.
};
/// Every chart kind, in display order.
SHIPML_API const std::vector<ChartKind>& chart_kinds();

}  // namespace shipml
