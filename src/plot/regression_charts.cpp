// Regression charts from held-out predictions.
#include <algorithm>
#include <cmath>

#include "shipml/core/error.hpp"
#include "shipml/plot/charts.hpp"

namespace shipml {
namespace {

const Evaluation& regression(const HeldOutPredictions& p, const char* chart) {
  if (p.evaluation.task != Task::regression)
    throw UsageError(std::string(chart) + " is a regression chart; these predictions are a classifier's");
  if (p.size() == 0) throw UsageError(std::string(chart) + ": there are no predictions to draw");
  return p.evaluation;
}

// At most `most` rows, evenly spread over the data's order: a scatter of a
// million points draws no more than one of ten thousand.
std::vector<std::size_t> sample(std::size_t n, std::size_t most = 10000) {
  std::vector<std::size_t> out;
  const std::size_t stride = (n + most - 1) / most;
  for (std::size_t i = 0; i < n; i += std::max<std::size_t>(1, stride)) out.push_back(i);
  return out;
}

std::string note(const HeldOutPredictions& p, std::size_t drawn) {
  std::string s = std::to_string(p.size()) + " held-out predictions";
  if (drawn < p.size()) s += ", " + std::to_string(drawn) + " drawn";
  return s;
}

}  // namespace

Chart residuals_chart(const HeldOutPredictions& p) {
  const Evaluation& e = regression(p, "residuals");
  const auto rows = sample(p.size());
  Chart c{.title = "Residuals",
          .subtitle = note(p, rows.size()),
          .x_label = "Predicted value",
          .y_label = "Residual (actual - predicted)"};
  Series s{.kind = Series::Kind::points};
  for (std::size_t i : rows) s.x.push_back(e.predicted[i]), s.y.push_back(e.truth[i] - e.predicted[i]);
  const auto [lo, hi] = std::minmax_element(s.x.begin(), s.x.end());
  c.series.push_back(s);
  c.series.push_back({.kind = Series::Kind::line, .name = "zero", .x = {*lo, *hi}, .y = {0, 0}, .reference = true});
  c.legend = Chart::Corner::top_right;
  return c;
}

Chart prediction_error_chart(const HeldOutPredictions& p) {
  const Evaluation& e = regression(p, "prediction error");
  const auto rows = sample(p.size());
  Chart c{.title = "Predicted against actual",
          .subtitle = note(p, rows.size()),
          .x_label = "Actual value",
          .y_label = "Predicted value"};
  Series s{.kind = Series::Kind::points};
  for (std::size_t i : rows) s.x.push_back(e.truth[i]), s.y.push_back(e.predicted[i]);
  // Both axes over the same round range, so the identity line is the diagonal.
  double lo = INFINITY, hi = -INFINITY;
  for (std::size_t i = 0; i < s.x.size(); ++i) lo = std::min({lo, s.x[i], s.y[i]}), hi = std::max({hi, s.x[i], s.y[i]});
  const auto ticks = nice_ticks(lo, hi);
  c.x_min = c.y_min = ticks.front();
  c.x_max = c.y_max = ticks.back();
  c.square = true;
  c.legend = Chart::Corner::top_left;
  c.series.push_back(s);
  c.series.push_back({.kind = Series::Kind::line,
                      .name = "perfect prediction",
                      .x = {ticks.front(), ticks.back()},
                      .y = {ticks.front(), ticks.back()},
                      .reference = true});
  return c;
}

}  // namespace shipml
