#include "shipml/metrics/curves.hpp"

#include "shipml/metrics/metrics.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>

#include "metrics/finite.hpp"
#include "metrics/weights.hpp"

namespace shipml {
namespace {

// Cumulative false and true positives (weighted: their weights) at each
// distinct score, highest first.
struct Counts {
  std::vector<double> fps, tps, thresholds;
};

Counts binary_counts(std::span<const int> positive, std::span<const double> score, std::span<const double> weights) {
  require_finite(score, "a threshold curve's scores");
  total_weight(weights, score.size(), "a threshold curve");
  // Rows of weight 0 are left out, as scikit-learn leaves them: they add no threshold.
  std::vector<std::size_t> order;
  for (std::size_t i = 0; i < score.size(); ++i)
    if (row_weight(weights, i) != 0) order.push_back(i);
  std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return score[a] > score[b]; });
  Counts c;
  double tp = 0, fp = 0;
  for (std::size_t k = 0; k < order.size(); ++k) {
    (positive[order[k]] ? tp : fp) += row_weight(weights, order[k]);
    if (k + 1 == order.size() || score[order[k + 1]] != score[order[k]]) {
      c.tps.push_back(tp);
      c.fps.push_back(fp);
      c.thresholds.push_back(score[order[k]]);
    }
  }
  return c;
}

}  // namespace

ThresholdCurve roc_curve(std::span<const int> positive, std::span<const double> score,
                         std::span<const double> weights) {
  const Counts c = binary_counts(positive, score, weights);
  ThresholdCurve out;
  if (c.thresholds.empty()) return out;
  const double p = c.tps.back(), n = c.fps.back();
  out.x.push_back(0);
  out.y.push_back(0);
  out.thresholds.push_back(c.thresholds.front() + 1);  // above every score: nothing predicted positive
  for (std::size_t k = 0; k < c.thresholds.size(); ++k) {
    out.x.push_back(n > 0 ? c.fps[k] / n : std::nan(""));
    out.y.push_back(p > 0 ? c.tps[k] / p : std::nan(""));
    out.thresholds.push_back(c.thresholds[k]);
  }
  return out;
}

ThresholdCurve precision_recall_curve(std::span<const int> positive, std::span<const double> score,
                                      std::span<const double> weights) {
  const Counts c = binary_counts(positive, score, weights);
  ThresholdCurve out;
  if (c.thresholds.empty()) return out;
  const double p = c.tps.back();
  for (std::size_t k = c.tps.size(); k-- > 0;) {  // lowest threshold first
    const double predicted = c.tps[k] + c.fps[k];
    out.x.push_back(p > 0 ? c.tps[k] / p : std::nan(""));
    out.y.push_back(predicted > 0 ? c.tps[k] / predicted : 0);
    out.thresholds.push_back(c.thresholds[k]);
  }
  out.x.push_back(0);
  out.y.push_back(1);
  return out;
}

double average_precision(std::span<const int> positive, std::span<const double> score,
                         std::span<const double> weights) {
  const ThresholdCurve pr = precision_recall_curve(positive, score, weights);
  double ap = 0;
  for (std::size_t k = 0; k + 1 < pr.x.size(); ++k) ap += (pr.x[k] - pr.x[k + 1]) * pr.y[k];
  return ap;
}

double average_precision_score(std::span<const int> y_true, const Matrix& proba, std::span<const double> weights) {
  std::vector<int> positive;
  for (int y : y_true) positive.push_back(y == 1 ? 1 : 0);
  const auto col = proba.col(1);
  const std::vector<double> score(col.begin(), col.end());
  double positive_weight = 0;
  for (std::size_t i = 0; i < positive.size(); ++i) positive_weight += positive[i] * row_weight(weights, i);
  if (positive_weight == 0) return std::nan("");  // no positives (of any weight): undefined
  return average_precision(positive, score, weights);
}

}  // namespace shipml
