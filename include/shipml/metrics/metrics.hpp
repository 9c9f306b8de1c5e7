#pragma once
/// \file
/// Evaluation metrics, each with scikit-learn's definition (tests compare against
/// scikit-learn's numbers). Classification metrics take class indices; scores and
/// probabilities take one column per class. Where scikit-learn raises because a
/// metric is undefined (ROC AUC with one class present), these return NaN.
///
/// Every metric takes optional weights, one per row (scikit-learn's
/// `sample_weight`): a row of weight 2 counts as two rows, one of weight 0 not
/// at all. Empty weights: every row counts once. When the weights sum to 0
/// the metric is NaN (scikit-learn raises).
#include <functional>
#include <span>
#include <string>
#include <vector>

#include "shipml/core/export.hpp"
#include "shipml/core/matrix.hpp"
#include "shipml/core/task.hpp"

namespace shipml {

/// How precision, recall and F1 combine the classes.
enum class Average {
  binary,   ///< class 1 is the positive class; the others are negative
  macro,    ///< the plain mean over the classes
  weighted  ///< the mean over the classes, weighted by their rows (their weight) in y_true
};

/// Share of rows predicted right.
SHIPML_API double accuracy_score(std::span<const int> y_true, std::span<const int> y_pred,
                                 std::span<const double> sample_weight = {});
/// Mean recall over the classes present in y_true.
SHIPML_API double balanced_accuracy_score(std::span<const int> y_true, std::span<const int> y_pred,
                                          std::span<const double> sample_weight = {});
/// Precision, averaged as `average` says.
/// Binary: class 1 is positive. Macro/weighted: over the classes in y_true or y_pred.
/// A zero denominator counts as 0, as scikit-learn's zero_division default does.
SHIPML_API double precision_score(std::span<const int> y_true, std::span<const int> y_pred, Average average,
                                  std::span<const double> sample_weight = {});
/// Recall, averaged as `average` says (as precision_score() does).
SHIPML_API double recall_score(std::span<const int> y_true, std::span<const int> y_pred, Average average,
                               std::span<const double> sample_weight = {});
/// F1, the harmonic mean of precision and recall, averaged as `average` says.
SHIPML_API double f1_score(std::span<const int> y_true, std::span<const int> y_pred, Average average,
                           std::span<const double> sample_weight = {});
/// Binary ROC AUC of scores for class 1 (ties counted half), NaN with one class.
SHIPML_API double roc_auc_binary(std::span<const int> y_true, std::span<const double> score,
                                 std::span<const double> sample_weight = {});
/// Two columns: binary AUC of column 1. More: one-vs-rest macro average.
SHIPML_API double roc_auc_score(std::span<const int> y_true, const Matrix& proba,
                                std::span<const double> sample_weight = {});
/// Mean negative log-likelihood; probabilities clipped to [eps, 1-eps] and rows renormalised.
SHIPML_API double log_loss(std::span<const int> y_true, const Matrix& proba,
                           std::span<const double> sample_weight = {});
/// Average precision of the class-1 probability (binary only): the area under
/// the precision-recall curve as a step function (see curves.hpp).
SHIPML_API double average_precision_score(std::span<const int> y_true, const Matrix& proba,
                                          std::span<const double> sample_weight = {});
/// Mean squared error of the class-1 probability (binary only).
SHIPML_API double brier_score(std::span<const int> y_true, const Matrix& proba,
                              std::span<const double> sample_weight = {});

/// Coefficient of determination, R².
SHIPML_API double r2_score(std::span<const double> y_true, std::span<const double> y_pred,
                           std::span<const double> sample_weight = {});
/// Mean of the squared errors.
SHIPML_API double mean_squared_error(std::span<const double> y_true, std::span<const double> y_pred,
                                     std::span<const double> sample_weight = {});
/// Square root of the mean squared error.
SHIPML_API double root_mean_squared_error(std::span<const double> y_true, std::span<const double> y_pred,
                                          std::span<const double> sample_weight = {});
/// Mean of the absolute errors.
SHIPML_API double mean_absolute_error(std::span<const double> y_true, std::span<const double> y_pred,
                                      std::span<const double> sample_weight = {});
/// Mean absolute error relative to the truth, as a fraction (a truth of 0 divides by machine epsilon).
SHIPML_API double mean_absolute_percentage_error(std::span<const double> y_true, std::span<const double> y_pred,
                                                 std::span<const double> sample_weight = {});
/// Pearson's correlation coefficient; 0 when either side is constant.
SHIPML_API double pearson_correlation(std::span<const double> x, std::span<const double> y);

/// What a metric is computed from: the truth and a model's output on the same rows.
struct SHIPML_API Evaluation {
  Task task = Task::regression;   ///< classification or regression
  int n_classes = 0;              ///< number of classes (0 for regression)
  std::vector<double> truth;      ///< class index or value
  std::vector<double> predicted;  ///< class index or value
  Matrix proba;                   ///< classification: one column per class
  std::vector<double> weights;    ///< each row's weight; empty: every row counts once
};

/// The declaration of a metric: name, doc, task, direction and how to compute it.
struct SHIPML_API MetricInfo {
  std::string name;                                  ///< as given to `-m` and in results
  std::string doc;                                   ///< one line, for `shipml metrics`
  Task task;                                         ///< the task it applies to
  bool greater_is_better = true;                     ///< whether a larger value is better
  bool binary_only = false;                          ///< only for two classes
  std::function<double(const Evaluation&)> compute;  ///< computes it from an evaluation
  /// Computed from the predicted labels alone (accuracy, F1, ...), so a
  /// decision threshold changes it; not from probabilities (ROC AUC, log loss).
  bool from_labels = false;
};

/// Every registered metric, in registration order.
SHIPML_API const std::vector<MetricInfo>& metrics();
/// The named metric; a UsageError listing the known names otherwise.
SHIPML_API const MetricInfo& find_metric(const std::string& name);
/// Checks that a metric fits a task and class count; a UsageError saying why not.
SHIPML_API void check_metric(const MetricInfo& metric, Task task, int n_classes);
/// The metrics reported when the user names none.
SHIPML_API std::vector<std::string> default_metrics(Task task, int n_classes);

}  // namespace shipml
