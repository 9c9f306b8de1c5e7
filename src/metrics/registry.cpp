#include "metrics/finite.hpp"
#include "shipml/core/error.hpp"
#include "shipml/core/names.hpp"
#include "shipml/metrics/metrics.hpp"

namespace shipml {
namespace {

std::vector<int> as_classes(const std::vector<double>& v) { return {v.begin(), v.end()}; }

using Weights = std::span<const double>;
using LabelFn = double (*)(std::span<const int>, std::span<const int>, Weights);
using AveragedFn = double (*)(std::span<const int>, std::span<const int>, Average, Weights);
using ProbaFn = double (*)(std::span<const int>, const Matrix&, Weights);
using ValueFn = double (*)(std::span<const double>, std::span<const double>, Weights);

// Every metric refuses what is not a finite number (NaN from a diverged model, an
// infinite target, a weight) with a message naming it, rather than hang or
// answer NaN. Weights, when the evaluation has them, weigh every metric.
MetricInfo checked(MetricInfo m) {
  m.compute = [name = m.name, compute = std::move(m.compute)](const Evaluation& e) {
    require_finite(e.truth, name + ": the true values");
    require_finite(e.predicted, name + ": the model's predictions");
    require_finite({e.proba.data(), static_cast<std::size_t>(e.proba.size())}, name + ": the model's probabilities");
    require_finite(e.weights, name + ": the weights");
    return compute(e);
  };
  return m;
}

MetricInfo labels(std::string name, std::string doc, LabelFn fn) {
  return checked({std::move(name), std::move(doc), Task::classification, true, false,
                  [fn](const Evaluation& e) { return fn(as_classes(e.truth), as_classes(e.predicted), e.weights); },
                  true});
}
MetricInfo averaged(std::string name, std::string doc, AveragedFn fn, Average average) {
  return checked({std::move(name), std::move(doc), Task::classification, true, average == Average::binary,
                  [fn, average](const Evaluation& e) {
                    return fn(as_classes(e.truth), as_classes(e.predicted), average, e.weights);
                  },
                  true});
}
MetricInfo proba(std::string name, std::string doc, ProbaFn fn, bool greater_is_better, bool binary_only) {
  return checked({std::move(name), std::move(doc), Task::classification, greater_is_better, binary_only,
                  [fn](const Evaluation& e) { return fn(as_classes(e.truth), e.proba, e.weights); }});
}
MetricInfo values(std::string name, std::string doc, ValueFn fn, bool greater_is_better) {
  return checked({std::move(name), std::move(doc), Task::regression, greater_is_better, false,
                  [fn](const Evaluation& e) { return fn(e.truth, e.predicted, e.weights); }});
}

}  // namespace

const std::vector<MetricInfo>& metrics() {
  static const std::vector<MetricInfo> all = {
      labels("accuracy", "fraction of rows classified correctly", accuracy_score),
      labels("balanced_accuracy", "mean recall over classes", balanced_accuracy_score),
      averaged("precision", "precision of the positive (second) class", precision_score, Average::binary),
      averaged("precision_macro", "unweighted mean precision over classes", precision_score, Average::macro),
      averaged("precision_weighted", "support-weighted mean precision", precision_score, Average::weighted),
      averaged("recall", "recall of the positive (second) class", recall_score, Average::binary),
      averaged("recall_macro", "unweighted mean recall over classes", recall_score, Average::macro),
      averaged("recall_weighted", "support-weighted mean recall", recall_score, Average::weighted),
      averaged("f1", "F1 of the positive (second) class", f1_score, Average::binary),
      averaged("f1_macro", "unweighted mean F1 over classes", f1_score, Average::macro),
      averaged("f1_weighted", "support-weighted mean F1", f1_score, Average::weighted),
      proba("roc_auc", "area under the ROC curve (one-vs-rest macro for multiclass)", roc_auc_score, true, false),
      proba("log_loss", "mean negative log-likelihood of the true class", log_loss, false, false),
      proba("brier", "mean squared error of the positive-class probability", brier_score, false, true),
      proba("average_precision", "area under the precision-recall curve of the positive class", average_precision_score,
            true, true),
      values("r2", "coefficient of determination", r2_score, true),
      values("mse", "mean squared error", mean_squared_error, false),
      values("rmse", "root mean squared error", root_mean_squared_error, false),
      values("mae", "mean absolute error", mean_absolute_error, false),
      values("mape", "mean absolute percentage error (a fraction, not %)", mean_absolute_percentage_error, false),
  };
  return all;
}

const MetricInfo& find_metric(const std::string& name) { return find_named(metrics(), name, "metric"); }

void check_metric(const MetricInfo& metric, Task task, int n_classes) {
  if (metric.task != task)
    throw UsageError("metric '" + metric.name + "' is for " + std::string(to_string(metric.task)) + ", but this is a " +
                     std::string(to_string(task)) + " task");
  if (metric.binary_only && n_classes != 2)
    throw UsageError("metric '" + metric.name + "' needs two classes, this target has " + std::to_string(n_classes) +
                     (metric.name == "brier" || metric.name == "average_precision"
                          ? ""
                          : " (try " + metric.name + "_macro or " + metric.name + "_weighted)"));
}

std::vector<std::string> default_metrics(Task task, int n_classes) {
  if (task == Task::regression) return {"r2", "rmse", "mae", "mape"};
  if (n_classes == 2)
    return {"accuracy", "balanced_accuracy", "precision", "recall", "f1", "roc_auc", "log_loss", "brier"};
  return {"accuracy", "balanced_accuracy", "f1_macro", "f1_weighted", "roc_auc", "log_loss"};
}

}  // namespace shipml
