// Classification charts from held-out predictions.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <numeric>

#include "shipml/core/error.hpp"
#include "shipml/metrics/curves.hpp"
#include "shipml/metrics/metrics.hpp"
#include "shipml/plot/charts.hpp"

namespace shipml {
namespace {

std::string fixed(double v, int decimals = 3) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.*f", decimals, v);
  return buf;
}

const Evaluation& classification(const HeldOutPredictions& p, const char* chart) {
  if (p.evaluation.task != Task::classification || p.classes.empty())
    throw UsageError(std::string(chart) + " is a classification chart; these predictions are a regression's");
  if (p.size() == 0) throw UsageError(std::string(chart) + ": there are no predictions to draw");
  return p.evaluation;
}

// One class against the rest: 1 where the truth is class c.
std::vector<int> is_class(const Evaluation& e, std::size_t c) {
  std::vector<int> out;
  for (double t : e.truth) out.push_back(static_cast<std::size_t>(t) == c ? 1 : 0);
  return out;
}

std::vector<double> proba_of(const Evaluation& e, std::size_t c) {
  const auto col = e.proba.col(static_cast<Eigen::Index>(c));
  return {col.begin(), col.end()};
}

// The classes that get a curve: the positive one for binary, each for multiclass.
std::vector<std::size_t> curve_classes(const HeldOutPredictions& p) {
  if (p.classes.size() == 2) return {1};
  std::vector<std::size_t> out(p.classes.size());
  std::iota(out.begin(), out.end(), std::size_t{0});
  return out;
}

// Monotone curves with many points lose nothing visible at 2000 of them.
void thin(std::vector<double>& x, std::vector<double>& y, std::size_t most = 2000) {
  if (x.size() <= most) return;
  std::vector<double> tx, ty;
  const double stride = static_cast<double>(x.size() - 1) / static_cast<double>(most - 1);
  for (std::size_t k = 0; k < most; ++k) {
    const auto i = static_cast<std::size_t>(std::llround(static_cast<double>(k) * stride));
    tx.push_back(x[i]);
    ty.push_back(y[i]);
  }
  x = std::move(tx);
  y = std::move(ty);
}

std::string rows_note(const HeldOutPredictions& p) {
  std::size_t folds = 0;
  for (auto f : p.fold) folds = std::max(folds, f + 1);
  return std::to_string(p.size()) + " held-out predictions" +
         (folds > 1 ? ", " + std::to_string(folds) + " folds" : "");
}

Series reference(std::vector<double> x, std::vector<double> y, std::string name) {
  return {.kind = Series::Kind::line, .name = std::move(name), .x = std::move(x), .y = std::move(y), .reference = true};
}

void unit_square(Chart& c) {
  c.x_min = 0, c.x_max = 1, c.y_min = 0, c.y_max = 1;
  c.square = true;
}

const std::vector<double>& binary_check(const HeldOutPredictions& p, const char* chart) {
  if (p.classes.size() != 2)
    throw UsageError(std::string(chart) + " needs a binary target; this one has " + std::to_string(p.classes.size()) +
                     " classes (try roc, pr or calibration, which draw one curve per class)");
  return p.evaluation.truth;
}

// Share of all positives among the top-scored fraction of rows, at 100 fractions.
void gains(const HeldOutPredictions& p, std::vector<double>& fraction, std::vector<double>& captured) {
  const Evaluation& e = p.evaluation;
  const auto positive = is_class(e, 1);
  const auto score = proba_of(e, 1);
  std::vector<std::size_t> order(score.size());
  std::iota(order.begin(), order.end(), std::size_t{0});
  std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return score[a] > score[b]; });
  const double total = std::accumulate(positive.begin(), positive.end(), 0.0), n = static_cast<double>(order.size());
  fraction = {0};
  captured = {0};
  double found = 0;
  std::size_t next = 1;
  for (std::size_t k = 0; k < order.size(); ++k) {
    found += positive[order[k]];
    if (static_cast<double>(k + 1) >= static_cast<double>(next) / 100.0 * n || k + 1 == order.size()) {
      fraction.push_back(static_cast<double>(k + 1) / n);
      captured.push_back(total > 0 ? found / total : 0);
      while (static_cast<double>(next) / 100.0 * n <= static_cast<double>(k + 1)) ++next;
    }
  }
}

}  // namespace

Chart roc_chart(const HeldOutPredictions& p) {
  const Evaluation& e = classification(p, "roc");
  Chart c{.title = "ROC curve",
          .subtitle = rows_note(p),
          .x_label = "False positive rate",
          .y_label = "True positive rate"};
  unit_square(c);
  for (std::size_t k : curve_classes(p)) {
    const auto positive = is_class(e, k);
    const auto score = proba_of(e, k);
    ThresholdCurve roc = roc_curve(positive, score);
    const double auc = roc_auc_binary(positive, score);
    const std::string label = p.classes.size() == 2 ? "AUC " + fixed(auc) : p.classes[k] + " (AUC " + fixed(auc) + ")";
    thin(roc.x, roc.y);
    c.series.push_back({.name = label, .x = roc.x, .y = roc.y});
  }
  c.series.push_back(reference({0, 1}, {0, 1}, "chance"));
  return c;
}

Chart precision_recall_chart(const HeldOutPredictions& p) {
  const Evaluation& e = classification(p, "pr");
  Chart c{.title = "Precision-recall curve", .subtitle = rows_note(p), .x_label = "Recall", .y_label = "Precision"};
  unit_square(c);
  c.legend = Chart::Corner::bottom_left;
  for (std::size_t k : curve_classes(p)) {
    const auto positive = is_class(e, k);
    const auto score = proba_of(e, k);
    ThresholdCurve pr = precision_recall_curve(positive, score);
    const double ap = average_precision(positive, score);
    const std::string label = p.classes.size() == 2 ? "AP " + fixed(ap) : p.classes[k] + " (AP " + fixed(ap) + ")";
    thin(pr.x, pr.y);
    c.series.push_back({.kind = Series::Kind::line, .name = label, .x = pr.x, .y = pr.y});
  }
  if (p.classes.size() == 2) {  // a model that knows nothing: precision = prevalence
    const auto positive = is_class(e, 1);
    const double prevalence =
        std::accumulate(positive.begin(), positive.end(), 0.0) / static_cast<double>(positive.size());
    c.series.push_back(reference({0, 1}, {prevalence, prevalence}, "chance (" + fixed(prevalence, 2) + ")"));
  }
  return c;
}

Chart confusion_chart(const HeldOutPredictions& p, bool normalized) {
  const Evaluation& e = classification(p, "confusion");
  const std::size_t k = p.classes.size();
  Chart c{.kind = Chart::Kind::heatmap,
          .title = normalized ? "Confusion matrix (share of each true class)" : "Confusion matrix",
          .subtitle = rows_note(p),
          .x_label = "Predicted class",
          .y_label = "True class"};
  c.row_labels = c.col_labels = p.classes;
  std::vector<std::vector<double>> counts(k, std::vector<double>(k, 0));
  for (std::size_t i = 0; i < e.truth.size(); ++i)
    counts[static_cast<std::size_t>(e.truth[i])][static_cast<std::size_t>(e.predicted[i])] += 1;
  c.cells = counts;
  c.cell_text.assign(k, std::vector<std::string>(k));
  for (std::size_t r = 0; r < k; ++r) {
    const double row_total = std::accumulate(counts[r].begin(), counts[r].end(), 0.0);
    for (std::size_t j = 0; j < k; ++j) {
      if (normalized) c.cells[r][j] = row_total > 0 ? counts[r][j] / row_total : 0;
      c.cell_text[r][j] = normalized ? fixed(c.cells[r][j], 2) : std::to_string(static_cast<long long>(counts[r][j]));
    }
  }
  return c;
}

Chart gains_chart(const HeldOutPredictions& p) {
  classification(p, "gains");
  binary_check(p, "gains");
  Chart c{.title = "Cumulative gains",
          .subtitle = rows_note(p),
          .x_label = "Share of rows, highest scores first",
          .y_label = "Share of " + p.classes[1] + " found"};
  unit_square(c);
  std::vector<double> x, y;
  gains(p, x, y);
  c.series.push_back({.name = "model", .x = x, .y = y});
  c.series.push_back(reference({0, 1}, {0, 1}, "random order"));
  return c;
}

Chart lift_chart(const HeldOutPredictions& p) {
  classification(p, "lift");
  binary_check(p, "lift");
  Chart c{.title = "Lift",
          .subtitle = rows_note(p),
          .x_label = "Share of rows, highest scores first",
          .y_label = "Lift (" + p.classes[1] + " rate / overall rate)"};
  c.x_min = 0, c.x_max = 1, c.y_min = 0;
  c.legend = Chart::Corner::top_right;
  std::vector<double> x, y, lift_x, lift_y;
  gains(p, x, y);
  for (std::size_t i = 1; i < x.size(); ++i) lift_x.push_back(x[i]), lift_y.push_back(y[i] / x[i]);
  c.series.push_back({.name = "model", .x = lift_x, .y = lift_y});
  c.series.push_back(reference({0, 1}, {1, 1}, "random order"));
  return c;
}

Chart calibration_chart(const HeldOutPredictions& p, int bins) {
  const Evaluation& e = classification(p, "calibration");
  if (bins < 2) throw UsageError("calibration needs at least 2 bins");
  // A calibrated model's run keeps its probabilities before calibration too:
  // then each curve is drawn twice, after (solid) and before (dashed), with
  // the scores that say which is better calibrated.
  const bool before_after = p.uncalibrated.rows() == e.proba.rows() && p.uncalibrated.cols() == e.proba.cols();
  const bool binary = p.classes.size() == 2;
  Chart c{.title = before_after ? "Calibration, before and after" : "Calibration",
          .subtitle = rows_note(p) + ", " + std::to_string(bins) + " bins",
          .x_label = "Mean predicted probability",
          .y_label = "Observed frequency"};
  unit_square(c);
  c.legend = Chart::Corner::top_left;
  c.wide_legend = before_after;
  const std::vector<int> truth(e.truth.begin(), e.truth.end());
  auto curve = [&](const Matrix& proba, std::size_t k) {
    const auto positive = is_class(e, k);
    std::vector<double> sum_p(static_cast<std::size_t>(bins), 0), sum_y(sum_p), count(sum_p);
    for (Eigen::Index i = 0; i < proba.rows(); ++i) {
      const double score = proba(i, static_cast<Eigen::Index>(k));
      const auto b = std::min<std::size_t>(static_cast<std::size_t>(bins) - 1, static_cast<std::size_t>(score * bins));
      sum_p[b] += score, sum_y[b] += positive[static_cast<std::size_t>(i)], count[b] += 1;
    }
    Series s{.kind = Series::Kind::line};
    for (std::size_t b = 0; b < count.size(); ++b)
      if (count[b] > 0) s.x.push_back(sum_p[b] / count[b]), s.y.push_back(sum_y[b] / count[b]);
    return s;
  };
  // The class's Brier score against the rest (the binary Brier score for the positive class).
  auto brier = [&](const Matrix& proba, std::size_t k) {
    double total = 0;
    for (std::size_t i = 0; i < truth.size(); ++i) {
      const double d =
          proba(static_cast<Eigen::Index>(i), static_cast<Eigen::Index>(k)) - (truth[i] == static_cast<int>(k));
      total += d * d;
    }
    return total / static_cast<double>(truth.size());
  };
  int color = 0;
  for (std::size_t k : curve_classes(p)) {
    Series after = curve(e.proba, k);
    after.name = binary ? "model" : p.classes[k];
    if (before_after) {
      Series before = curve(p.uncalibrated, k);
      if (binary) {  // two colours, each curve named with its scores
        after.name = "calibrated: Brier " + fixed(brier(e.proba, k)) + ", log loss " + fixed(log_loss(truth, e.proba));
        before.name = "uncalibrated: Brier " + fixed(brier(p.uncalibrated, k)) + ", log loss " +
                      fixed(log_loss(truth, p.uncalibrated));
        after.color = color++;
        before.color = color++;
      } else {  // a colour per class, dashed before: one legend entry per class keeps the legend off the curves
        after.name =
            p.classes[k] + ": Brier " + fixed(brier(e.proba, k)) + " (" + fixed(brier(p.uncalibrated, k)) + " before)";
        after.color = before.color = color++;
      }
      before.dashed = true;
      c.series.push_back(std::move(after));
      c.series.push_back(std::move(before));
    } else {
      c.series.push_back(std::move(after));
    }
  }
  if (before_after && !binary)
    c.subtitle += "; dashed: before calibration; log loss " + fixed(log_loss(truth, e.proba)) + " after, " +
                  fixed(log_loss(truth, p.uncalibrated)) + " before";
  c.series.push_back(reference({0, 1}, {0, 1}, "perfectly calibrated"));
  return c;
}

Chart probability_histogram(const HeldOutPredictions& p, int bins) {
  const Evaluation& e = classification(p, "probability histogram");
  const bool binary = p.classes.size() == 2;
  Chart c{.title = "Predicted probabilities",
          .subtitle = rows_note(p),
          .x_label = binary ? "Predicted probability of " + p.classes[1] : "Predicted probability of the true class",
          .y_label = "Share of the class's rows"};
  c.x_min = 0, c.x_max = 1, c.y_min = 0;
  c.legend = Chart::Corner::top_right;
  for (std::size_t k = 0; k < p.classes.size(); ++k) {
    Series s{.kind = Series::Kind::step, .name = "true " + p.classes[k]};
    std::vector<double> counts(static_cast<std::size_t>(bins), 0);
    double n = 0;
    for (std::size_t i = 0; i < e.truth.size(); ++i) {
      if (static_cast<std::size_t>(e.truth[i]) != k) continue;
      const double v = e.proba(static_cast<Eigen::Index>(i), static_cast<Eigen::Index>(binary ? 1 : k));
      counts[std::min<std::size_t>(static_cast<std::size_t>(bins) - 1, static_cast<std::size_t>(v * bins))] += 1;
      n += 1;
    }
    for (int b = 0; b <= bins; ++b) s.x.push_back(static_cast<double>(b) / bins);
    for (double v : counts) s.y.push_back(n > 0 ? v / n : 0);
    c.series.push_back(s);
  }
  return c;
}

}  // namespace shipml
