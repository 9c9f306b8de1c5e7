#include "shipml/plot/charts.hpp"

namespace shipml {

const std::vector<ChartKind>& chart_kinds() {
  static const std::vector<ChartKind> kinds = {
      {"roc", "predictions (classification)", "ROC curve, one per class for multiclass, AUC in the legend"},
      {"pr", "predictions (classification)", "precision-recall curve with average precision"},
      {"confusion", "predictions (classification)", "confusion matrix of counts"},
      {"confusion_normalized", "predictions (classification)", "confusion matrix as shares of each true class"},
      {"lift", "predictions (binary)", "lift against the share of rows taken, highest scores first"},
      {"gains", "predictions (binary)", "cumulative gains"},
      {"calibration", "predictions (classification)", "observed frequency against predicted probability"},
      {"proba", "predictions (classification)", "histogram of predicted probabilities per true class"},
      {"residuals", "predictions (regression)", "residual against predicted value"},
      {"prediction_error", "predictions (regression)", "predicted against actual, with the identity line"},
      {"importance", "a model", "coefficients or gain importances"},
      {"permutation", "a model and data", "permutation importance with ± std"},
      {"summary", "a fitted model (or its contributions) and data",
       "each column's contribution per row, coloured by its value, columns by mean |contribution|"},
      {"dependence", "a fitted model (or its contributions), data and --feature COL",
       "one column's contribution against its value (--color-by COL)"},
      {"waterfall", "a fitted model (or its contributions), data and --row N",
       "one prediction built up from the expected value, a bar per column"},
      {"pdp", "a model, data and --feature COL",
       "partial dependence: the mean prediction as one column varies, with ICE lines of 50 rows"},
      {"learning_curve", "an estimator and data", "held-out score against training rows, ± std"},
      {"validation_curve", "an estimator, data and --param NAME=v1,v2,...", "held-out score against one parameter"},
      {"missing", "data", "share of missing values per column"},
      {"correlation", "data with a target", "each feature's correlation with the target"},
  };
  return kinds;
}

}  // namespace shipml
