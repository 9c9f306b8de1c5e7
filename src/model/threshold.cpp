// Decision thresholds: reading them, checking them, and tuning one the way
// scikit-learn 1.5's TunedThresholdClassifierCV does, so the same held-out
// scores give the same threshold.
#include "shipml/model/threshold.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>

#include "shipml/core/error.hpp"
#include "shipml/core/frame.hpp"
#include "shipml/core/names.hpp"
#include "shipml/metrics/metrics.hpp"

namespace shipml {
namespace {

// numpy.linspace(start, stop, n): i·step + start, the last exactly stop.
std::vector<double> linspace(double start, double stop, std::size_t n) {
  std::vector<double> out(n);
  const double step = (stop - start) / static_cast<double>(n - 1);
  for (std::size_t i = 0; i < n; ++i) out[i] = static_cast<double>(i) * step + start;
  out.back() = stop;
  return out;
}

// numpy.interp(x, xp, fp) for increasing xp: fp's ends outside, linear inside.
double interp(double x, const std::vector<double>& xp, const std::vector<double>& fp) {
  if (x <= xp.front()) return fp.front();
  if (x >= xp.back()) return fp.back();
  const auto j = static_cast<std::size_t>(std::upper_bound(xp.begin(), xp.end(), x) - xp.begin()) - 1;
  if (xp[j] == x) return fp[j];
  const double slope = (fp[j + 1] - fp[j]) / (xp[j + 1] - xp[j]);
  return slope * (x - xp[j]) + fp[j];
}

std::string labels_only_metrics() {
  std::vector<std::string> names;
  for (const auto& m : metrics())
    if (m.from_labels) names.push_back(m.name);
  return join(names);
}

}  // namespace

ThresholdSpec ThresholdSpec::parse(const std::string& text) {
  ThresholdSpec t;
  if (text.starts_with("tune:")) {
    t.metric = text.substr(5);
  } else {
    double v = 0;
    const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), v);
    if (error != std::errc() || end != text.data() + text.size() || text.empty())
      throw UsageError("threshold '" + echoed(text) +
                       "': give a probability such as 0.3, or tune:METRIC to tune it (tune:f1)");
    t.value = v;
  }
  t.check();
  return t;
}

std::string ThresholdSpec::to_string() const { return value ? format_number(*value) : "tune:" + metric; }

void ThresholdSpec::check() const {
  if (value) {
    if (!(*value >= 0 && *value <= 1))
      throw UsageError("threshold " + format_number(*value) +
                       ": a threshold is a probability of the positive class, from 0 to 1");
    return;
  }
  if (metric.empty())
    throw UsageError("tune: names the metric the threshold maximises (" + labels_only_metrics() + ")");
  const MetricInfo& m = find_metric(metric);
  if (m.task != Task::classification || !m.from_labels)
    throw UsageError("threshold tune:" + metric + ": " + metric +
                     " does not depend on the threshold (it reads probabilities, or values); tune one computed from "
                     "labels: " +
                     labels_only_metrics());
  if (folds < 2) throw UsageError("tuning a threshold needs at least 2 folds, got " + std::to_string(folds));
}

TunedThreshold tune_threshold(const std::vector<ThresholdFold>& folds, const std::string& metric, std::size_t points) {
  const MetricInfo& m = find_metric(metric);
  if (folds.empty() || points < 2) throw UsageError("tuning a threshold needs folds and at least 2 thresholds");
  std::vector<std::vector<double>> fold_thresholds, fold_scores;
  double low = INFINITY, high = -INFINITY;
  for (std::size_t f = 0; f < folds.size(); ++f) {
    const ThresholdFold& fold = folds[f];
    if (fold.score.empty()) throw DataError("fold " + std::to_string(f + 1) + " has no rows to tune a threshold on");
    const auto [lo, hi] = std::minmax_element(fold.score.begin(), fold.score.end());
    if (std::abs(*lo - *hi) <= 1e-8 + 1e-5 * std::abs(*hi))  // numpy.isclose, as scikit-learn checks
      throw DataError("the model gives every held-out row of fold " + std::to_string(f + 1) +
                      " the same probability: there is no threshold to tune");
    Evaluation e{Task::classification, 2, {fold.truth.begin(), fold.truth.end()}, {}, {}};
    e.proba.resize(static_cast<Eigen::Index>(fold.score.size()), 2);
    for (std::size_t i = 0; i < fold.score.size(); ++i) {
      e.proba(static_cast<Eigen::Index>(i), 0) = 1 - fold.score[i];
      e.proba(static_cast<Eigen::Index>(i), 1) = fold.score[i];
    }
    fold_thresholds.push_back(linspace(*lo, *hi, points));
    fold_scores.emplace_back();
    for (double t : fold_thresholds.back()) {
      e.predicted.clear();
      for (double s : fold.score) e.predicted.push_back(s >= t ? 1 : 0);
      fold_scores.back().push_back(m.compute(e));
    }
    low = std::min(low, *lo);
    high = std::max(high, *hi);
  }
  TunedThreshold best{0, -INFINITY};
  for (double t : linspace(low, high, points)) {
    double sum = 0;
    for (std::size_t f = 0; f < folds.size(); ++f) sum += interp(t, fold_thresholds[f], fold_scores[f]);
    const double mean = sum / static_cast<double>(folds.size());
    if (mean > best.score) best = {t, mean};  // the first of equal scores, as argmax
  }
  return best;
}

}  // namespace shipml
