// Charts of what a model learned or needs: importances and score curves.
#include <algorithm>
#include <charconv>
#include <cmath>

#include "shipml/core/error.hpp"
#include "shipml/core/names.hpp"
#include "shipml/plot/charts.hpp"

namespace shipml {

Chart importance_chart(const LearnedImportance& imp, std::size_t top) {
  if (imp.empty()) throw UsageError("this model learns no coefficients or importances; use the permutation chart");
  const bool signed_values = imp.is_signed() || imp.kind == "coefficient";
  Chart c{.kind = Chart::Kind::bars,
          .title = imp.kind == "coefficient" ? "Coefficients (standardised inputs)" : "Feature importance (gain)",
          .x_label = imp.kind == "coefficient" ? "Coefficient" : "Share of the total split gain"};
  std::vector<std::size_t> order(imp.encoded.size());
  for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::stable_sort(order.begin(), order.end(),
                   [&](std::size_t a, std::size_t b) { return imp.encoded_values[a] > imp.encoded_values[b]; });
  // Signed: half the bars for the largest, half for the most negative.
  const std::size_t head = signed_values ? (top + 1) / 2 : top, tail = signed_values ? top / 2 : 0;
  std::vector<std::size_t> shown;
  if (order.size() <= head + tail) {
    shown = order;
  } else {
    shown.assign(order.begin(), order.begin() + static_cast<std::ptrdiff_t>(head));
    shown.insert(shown.end(), order.end() - static_cast<std::ptrdiff_t>(tail), order.end());
  }
  for (std::size_t i : shown) c.bars.push_back({imp.encoded[i], imp.encoded_values[i]});
  c.subtitle =
      shown.size() < order.size()
          ? (signed_values ? "the " + std::to_string(head) + " largest and " + std::to_string(tail) + " smallest of "
                           : "the " + std::to_string(head) + " largest of ") +
                std::to_string(order.size()) + " encoded features"
          : std::to_string(order.size()) + " encoded features";
  return c;
}

Chart permutation_chart(const PermutationImportance& imp, std::size_t top) {
  Chart c{.kind = Chart::Kind::bars,
          .title = "Permutation importance",
          .x_label = "Drop in " + imp.metric + " when shuffled (mean ± std)"};
  for (std::size_t i = 0; i < imp.features.size() && i < top; ++i)
    c.bars.push_back({imp.features[i].feature, imp.features[i].mean, imp.features[i].stddev});
  c.subtitle =
      std::to_string(imp.features[0].drops.size()) + " shuffles per feature; baseline " + imp.metric + " " +
      tick_label(imp.baseline, 0.0001) +
      (imp.features.size() > top ? "; the " + std::to_string(top) + " largest of " + std::to_string(imp.features.size())
                                 : "");
  return c;
}

Chart curve_chart(const Curve& curve) {
  if (curve.points.empty()) throw UsageError("the curve has no points");
  const bool learning = curve.x_label == "training rows";
  Chart c{.title = learning ? "Learning curve" : "Validation curve: " + curve.x_label,
          .x_label = learning ? "Training rows per fold" : curve.x_label,
          .y_label = curve.metric + " on held-out rows"};
  // Parameter values: numbers on a linear axis, or on log10 when they span
  // two orders of magnitude (C, learning_rate); text values by position.
  std::vector<double> x;
  bool numeric = true;
  for (const auto& p : curve.points) {
    double v = 0;
    const auto [end, ec] = std::from_chars(p.x.data(), p.x.data() + p.x.size(), v);
    numeric = numeric && ec == std::errc() && end == p.x.data() + p.x.size();
    x.push_back(learning ? static_cast<double>(p.train_rows) : v);
  }
  if (!numeric) {
    for (std::size_t i = 0; i < x.size(); ++i) x[i] = static_cast<double>(i);
    c.x_label += " (in the order tried: ";
    for (std::size_t i = 0; i < curve.points.size(); ++i) c.x_label += (i ? ", " : "") + curve.points[i].x;
    c.x_label += ")";
  } else if (!learning) {
    const auto [lo, hi] = std::minmax_element(x.begin(), x.end());
    if (*lo > 0 && *hi / *lo >= 100) {
      for (double& v : x) v = std::log10(v);
      c.x_label = "log10(" + curve.x_label + ")";
    }
  }
  Series band{.kind = Series::Kind::band, .name = "± 1 std over folds", .x = x, .color = 0};
  Series mean{.kind = Series::Kind::line, .name = "mean over folds", .x = x, .color = 0};
  for (const auto& p : curve.points) {
    mean.y.push_back(p.mean);
    band.low.push_back(p.mean - p.stddev);
    band.high.push_back(p.mean + p.stddev);
  }
  c.series = {band, mean};
  c.subtitle = std::to_string(curve.points.front().folds.size()) + "-fold cross-validation";
  return c;
}

HeldOutPredictions predictions_on(const Model& model, const Dataset& data) {
  const Predictions pred = model.predict(data.features());
  HeldOutPredictions out;
  out.classes = model.classes();
  Evaluation& e = out.evaluation;
  e.task = model.task();
  e.n_classes = static_cast<int>(out.classes.size());
  if (e.task == Task::classification) {
    const auto idx = class_indices(data.labels(), out.classes);
    for (std::size_t i = 0; i < idx.size(); ++i)
      if (idx[i] < 0)
        throw DataError(data.source + ": row " + std::to_string(i + 1) + ": class '" + echoed(data.labels().text(i)) +
                        "' was not seen in training (classes: " + listed(out.classes) + ")");
    e.truth.assign(idx.begin(), idx.end());
    e.proba = pred.proba;
    if (model.calibration()) out.uncalibrated = model.predict_proba_uncalibrated(data.features());
  } else {
    e.truth = target_values(data.labels());
  }
  e.predicted = pred.values;
  for (std::size_t i = 0; i < data.rows(); ++i) out.rows.push_back(i), out.fold.push_back(0);
  return out;
}

}  // namespace shipml
