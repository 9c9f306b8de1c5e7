#pragma once
/// \file
/// Every standard evaluation chart, ready to save: each builder decides the
/// title, axes, ranges, legend and reference lines, from what scoring already
/// produced (held-out predictions), from a fitted model, or from data.
#include <string>
#include <vector>

#include "shipml/core/export.hpp"
#include "shipml/data/dataset.hpp"
#include "shipml/model/contributions.hpp"
#include "shipml/model/curve.hpp"
#include "shipml/model/drift.hpp"
#include "shipml/model/importance.hpp"
#include "shipml/model/partial_dependence.hpp"
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
/// Each column's population stability index, most drifted first (the `top`
/// of them), flagged ones marked, with the threshold as a line; the
/// predictions' own drift in the subtitle.
SHIPML_API Chart drift_chart(const DriftReport& report, std::size_t top = 30);
/// Score drops of the `top` most important columns, with their spread over repeats.
SHIPML_API Chart permutation_chart(const PermutationImportance& importance, std::size_t top = 20);
/// A learning or validation curve: the mean score with a ±1 std band.
SHIPML_API Chart curve_chart(const Curve& curve);

// Explanations: what each column contributed to each prediction (from the
// explanation engine, see docs/explain.md), and how predictions follow one
// column (any model). `data` holds the rows that were explained, in the same
// order; its values colour the dots and name the waterfall's bars.
/// What the contribution charts show; each chart reads the fields it uses.
struct SHIPML_API ContributionChartOptions {
  std::string output;           ///< multiclass: the class whose contributions are shown ("" = the first)
  std::size_t top = 20;         ///< summary, waterfall: how many columns get a row or a bar of their own
  std::size_t max_rows = 1000;  ///< summary, dependence: rows drawn, evenly spread (every row counts in the ordering)
  std::string color_by;         ///< dependence: the column whose value colours the dots ("" = none)
};
/// The input columns by mean |contribution| over the rows, largest first (the
/// summary's order), for `output` ("" = the first).
SHIPML_API std::vector<std::string> contribution_ranking(const Contributions& contributions,
                                                         const std::string& output = "");
/// SHAP's summary (beeswarm): a row per column, the `top` by mean
/// |contribution| from the top down, a dot per data row at its contribution,
/// coloured low to high by the column's value (grey: categorical or missing).
SHIPML_API Chart contributions_summary(const Contributions& contributions, const Frame& data,
                                       const ContributionChartOptions& options = {});
/// One column's contribution (y) against its value (x), a dot per row;
/// coloured by `options.color_by`'s value; a categorical column's levels along x.
SHIPML_API Chart contribution_dependence(const Contributions& contributions, const Frame& data,
                                         const std::string& feature, const ContributionChartOptions& options = {});
/// One row's prediction built up from the expected value: a bar per column,
/// largest |contribution| at the top, the `top` largest and the rest summed
/// into one bar, each starting where the one below it ends; lines mark the
/// expected value and the output. `row` counts from 0; `data` names the bars'
/// values (empty: the column names alone).
SHIPML_API Chart contribution_waterfall(const Contributions& contributions, std::size_t row, const Frame& data = {},
                                        const ContributionChartOptions& options = {.top = 10});
/// Partial dependence: the mean prediction over every row (bold) as one
/// column takes each value of its grid, over thin translucent ICE lines of a
/// sample of rows (partial_dependence() computes them, for any model).
SHIPML_API Chart partial_dependence_chart(const PartialDependence& dependence);

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
