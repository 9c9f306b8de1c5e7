#pragma once
// Evaluation metrics, each with scikit-learn's definition (tests compare against
// scikit-learn's numbers). Classification metrics take class indices; scores and
// probabilities take one column per class. Where scikit-learn raises because a
// metric is undefined (ROC AUC with one class present), these return NaN.
#include <functional>
#include <span>
#include <string>
#include <vector>

#include "shipml/estimators/estimator.hpp"

namespace shipml {

enum class Average { binary, macro, weighted };

double accuracy_score(std::span<const int> y_true, std::span<const int> y_pred);
/// Mean recall over the classes present in y_true.
double balanced_accuracy_score(std::span<const int> y_true, std::span<const int> y_pred);
/// Binary: class 1 is positive. Macro/weighted: over the classes in y_true or y_pred.
/// A zero denominator counts as 0, as scikit-learn's zero_division default does.
double precision_score(std::span<const int> y_true, std::span<const int> y_pred, Average average);
double recall_score(std::span<const int> y_true, std::span<const int> y_pred, Average average);
double f1_score(std::span<const int> y_true, std::span<const int> y_pred, Average average);
/// Binary ROC AUC of scores for class 1 (ties counted half), NaN with one class.
double roc_auc_binary(std::span<const int> y_true, std::span<const double> score);
/// Two columns: binary AUC of column 1. More: one-vs-rest macro average.
double roc_auc_score(std::span<const int> y_true, const Matrix& proba);
/// Mean negative log-likelihood; probabilities clipped to [eps, 1-eps] and rows renormalised.
double log_loss(std::span<const int> y_true, const Matrix& proba);
/// Average precision of the class-1 probability (binary only): the area under
/// the precision-recall curve as a step function (see curves.hpp).
double average_precision_score(std::span<const int> y_true, const Matrix& proba);
/// Mean squared error of the class-1 probability (binary only).
double brier_score(std::span<const int> y_true, const Matrix& proba);

double r2_score(std::span<const double> y_true, std::span<const double> y_pred);
double mean_squared_error(std::span<const double> y_true, std::span<const double> y_pred);
double root_mean_squared_error(std::span<const double> y_true, std::span<const double> y_pred);
double mean_absolute_error(std::span<const double> y_true, std::span<const double> y_pred);
double mean_absolute_percentage_error(std::span<const double> y_true, std::span<const double> y_pred);
/// Pearson's correlation coefficient; 0 when either side is constant.
double pearson_correlation(std::span<const double> x, std::span<const double> y);

/// What a metric is computed from: the truth and a model's output on the same rows.
struct Evaluation {
  Task task = Task::regression;
  int n_classes = 0;
  std::vector<double> truth;      // class index or value
  std::vector<double> predicted;  // class index or value
  Matrix proba;                   // classification: one column per class
};

struct MetricInfo {
  std::string name;
  std::string doc;
  Task task;
  bool greater_is_better = true;
  bool binary_only = false;
  std::function<double(const Evaluation&)> compute;
};

const std::vector<MetricInfo>& metrics();
/// The named metric; a UsageError listing the known names otherwise.
const MetricInfo& find_metric(const std::string& name);
/// Checks that a metric fits a task and class count; a UsageError saying why not.
void check_metric(const MetricInfo& metric, Task task, int n_classes);
/// The metrics reported when the user names none.
std::vector<std::string> default_metrics(Task task, int n_classes);

}  // namespace shipml
