#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>

#include "metrics/finite.hpp"
#include "metrics/weights.hpp"
#include "shipml/metrics/metrics.hpp"

namespace shipml {
namespace {

// Weighted counts per class (scikit-learn's multilabel_confusion_matrix with
// sample_weight). A class is present when a row names it, whatever its weight,
// as scikit-learn's labels are.
struct Confusion {
  std::vector<double> tp, fp, fn, support;  // per class
  std::vector<bool> present;                // in y_true or y_pred
};

Confusion confusion(std::span<const int> y_true, std::span<const int> y_pred, std::span<const double> weights) {
  int k = 0;
  for (int v : y_true) k = std::max(k, v + 1);
  for (int v : y_pred) k = std::max(k, v + 1);
  Confusion c{std::vector<double>(k), std::vector<double>(k), std::vector<double>(k), std::vector<double>(k),
              std::vector<bool>(k)};
  for (std::size_t i = 0; i < y_true.size(); ++i) {
    const int t = y_true[i], p = y_pred[i];
    const double w = row_weight(weights, i);
    c.present[t] = c.present[p] = true;
    c.support[t] += w;
    if (t == p) c.tp[t] += w;
    else c.fp[p] += w, c.fn[t] += w;
  }
  return c;
}

double ratio(double a, double b) { return b > 0 ? a / b : 0.0; }

enum class Kind { precision, recall, f1 };

double per_class(const Confusion& c, int k, Kind kind) {
  const double p = ratio(c.tp[k], c.tp[k] + c.fp[k]), r = ratio(c.tp[k], c.tp[k] + c.fn[k]);
  switch (kind) {
    case Kind::precision: return p;
    case Kind::recall: return r;
    case Kind::f1: return ratio(2 * c.tp[k], 2 * c.tp[k] + c.fp[k] + c.fn[k]);
  }
  return 0;
}

double averaged(std::span<const int> y_true, std::span<const int> y_pred, Average average, Kind kind,
                std::span<const double> weights, const char* metric) {
  if (total_weight(weights, y_true.size(), metric) == 0 && !weights.empty()) return kNoWeight;
  const Confusion c = confusion(y_true, y_pred, weights);
  const int k = static_cast<int>(c.tp.size());
  if (average == Average::binary) return k > 1 ? per_class(c, 1, kind) : 0.0;
  double sum = 0, weight = 0;
  for (int j = 0; j < k; ++j) {
    if (!c.present[j]) continue;
    const double w = average == Average::weighted ? c.support[j] : 1.0;
    sum += w * per_class(c, j, kind);
    weight += w;
  }
  return ratio(sum, weight);
}

}  // namespace

double accuracy_score(std::span<const int> y_true, std::span<const int> y_pred, std::span<const double> w) {
  const double total = total_weight(w, y_true.size(), "accuracy");
  if (total == 0 && !w.empty()) return kNoWeight;
  double hits = 0;
  for (std::size_t i = 0; i < y_true.size(); ++i) hits += y_true[i] == y_pred[i] ? row_weight(w, i) : 0.0;
  return ratio(hits, total);
}

double balanced_accuracy_score(std::span<const int> y_true, std::span<const int> y_pred, std::span<const double> w) {
  if (total_weight(w, y_true.size(), "balanced_accuracy") == 0 && !w.empty()) return kNoWeight;
  const Confusion c = confusion(y_true, y_pred, w);
  double sum = 0, classes = 0;
  for (std::size_t j = 0; j < c.tp.size(); ++j)
    if (c.support[j] > 0) sum += c.tp[j] / c.support[j], classes += 1;
  return ratio(sum, classes);
}

double precision_score(std::span<const int> t, std::span<const int> p, Average a, std::span<const double> w) {
  return averaged(t, p, a, Kind::precision, w, "precision");
}
double recall_score(std::span<const int> t, std::span<const int> p, Average a, std::span<const double> w) {
  return averaged(t, p, a, Kind::recall, w, "recall");
}
double f1_score(std::span<const int> t, std::span<const int> p, Average a, std::span<const double> w) {
  return averaged(t, p, a, Kind::f1, w, "f1");
}

double roc_auc_binary(std::span<const int> y_true, std::span<const double> score, std::span<const double> w) {
  require_finite(score, "roc_auc: the scores");
  const std::size_t n = y_true.size();
  total_weight(w, n, "roc_auc");
  std::vector<std::size_t> order(n);
  std::iota(order.begin(), order.end(), 0);
  std::sort(order.begin(), order.end(), [&](auto a, auto b) { return score[a] < score[b]; });
  if (w.empty()) {
    // Mann-Whitney U with mid-ranks for ties: equal to the trapezoidal area under
    // the ROC curve over distinct thresholds.
    double positives = 0, rank_sum = 0;
    for (std::size_t i = 0; i < n;) {
      std::size_t j = i;
      while (j < n && score[order[j]] == score[order[i]]) ++j;
      const double mid_rank = 0.5 * static_cast<double>(i + 1 + j);
      for (std::size_t m = i; m < j; ++m)
        if (y_true[order[m]] == 1) rank_sum += mid_rank, positives += 1;
      i = j;
    }
    const double negatives = static_cast<double>(n) - positives;
    if (positives == 0 || negatives == 0) return std::numeric_limits<double>::quiet_NaN();
    return (rank_sum - positives * (positives + 1) / 2) / (positives * negatives);
  }
  // Weighted, as scikit-learn's trapezoid over weighted true and false positive
  // rates: each pair of a positive and a negative row counts the product of
  // their weights, a tie in score half of it.
  double positives = 0, negatives = 0, below = 0, area = 0;
  for (std::size_t i = 0; i < n;) {
    std::size_t j = i;
    double tied_positives = 0, tied_negatives = 0;
    for (; j < n && score[order[j]] == score[order[i]]; ++j)
      (y_true[order[j]] == 1 ? tied_positives : tied_negatives) += w[order[j]];
    area += tied_positives * (below + 0.5 * tied_negatives);
    below += tied_negatives;
    positives += tied_positives;
    negatives += tied_negatives;
    i = j;
  }
  if (positives == 0 || negatives == 0) return std::numeric_limits<double>::quiet_NaN();
  return area / (positives * negatives);
}

double roc_auc_score(std::span<const int> y_true, const Matrix& proba, std::span<const double> w) {
  std::vector<double> column(y_true.size());
  std::vector<int> is_class(y_true.size());
  auto auc_of = [&](int k) {
    for (std::size_t i = 0; i < y_true.size(); ++i) {
      column[i] = proba(static_cast<Eigen::Index>(i), k);
      is_class[i] = y_true[i] == k;
    }
    return roc_auc_binary(is_class, column, w);
  };
  if (proba.cols() == 2) return auc_of(1);
  double sum = 0;
  for (int k = 0; k < proba.cols(); ++k) sum += auc_of(k);  // NaN when a class is absent, as sklearn refuses
  return sum / static_cast<double>(proba.cols());
}

double log_loss(std::span<const int> y_true, const Matrix& proba, std::span<const double> w) {
  const double rows = total_weight(w, y_true.size(), "log_loss");
  if (rows == 0 && !w.empty()) return kNoWeight;
  const double eps = std::numeric_limits<double>::epsilon();
  double total = 0;
  for (std::size_t i = 0; i < y_true.size(); ++i) {
    const auto row = static_cast<Eigen::Index>(i);
    double norm = 0;
    for (Eigen::Index k = 0; k < proba.cols(); ++k) norm += std::clamp(proba(row, k), eps, 1 - eps);
    total -= row_weight(w, i) * std::log(std::clamp(proba(row, y_true[i]), eps, 1 - eps) / norm);
  }
  return total / rows;
}

double brier_score(std::span<const int> y_true, const Matrix& proba, std::span<const double> w) {
  const double rows = total_weight(w, y_true.size(), "brier");
  if (rows == 0 && !w.empty()) return kNoWeight;
  double total = 0;
  for (std::size_t i = 0; i < y_true.size(); ++i) {
    const double d = proba(static_cast<Eigen::Index>(i), 1) - (y_true[i] == 1);
    total += row_weight(w, i) * d * d;
  }
  return total / rows;
}

}  // namespace shipml
