// Charts of contributions (SHAP's summary, dependence and waterfall plots)
// and of partial dependence. Each is a pure function of its data: the dots'
// jitter is computed from the rows' order, never drawn at random, so the same
// contributions always give the same picture.
#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <numeric>

#include "shipml/core/error.hpp"
#include "shipml/core/names.hpp"
#include "shipml/plot/charts.hpp"

namespace shipml {
namespace {

std::string number(double v, const char* format = "%.4g") {
  char buf[48];
  std::snprintf(buf, sizeof buf, format, v);
  return buf;
}

// "1st", "2nd", "13th": a row named by its place, which reads the same
// whether the reader counts from 0 or from 1.
std::string ordinal(std::size_t n) {
  const std::size_t last = n % 10, last_two = n % 100;
  const char* suffix = last_two >= 11 && last_two <= 13 ? "th"
                       : last == 1                      ? "st"
                       : last == 2                      ? "nd"
                       : last == 3                      ? "rd"
                                                        : "th";
  return std::to_string(n) + suffix;
}

// The contributions checked for shape, and the index of the output shown.
std::size_t checked_output(const Contributions& c, const std::string& output, const char* chart) {
  const std::string what = std::string("the ") + chart + " chart: ";
  if (c.values.empty() || c.values.size() != c.outputs.size() || c.expected.size() != c.outputs.size())
    throw UsageError(what + "the contributions have " + std::to_string(c.outputs.size()) + " outputs, " +
                     std::to_string(c.values.size()) + " matrices and " + std::to_string(c.expected.size()) +
                     " expected values (one of each per output)");
  for (const Matrix& m : c.values)
    if (static_cast<std::size_t>(m.cols()) != c.columns.size() || m.rows() != c.values[0].rows())
      throw UsageError(what + "each output needs a rows x " + std::to_string(c.columns.size()) +
                       " matrix (one column per input column)");
  if (c.values[0].rows() == 0) throw UsageError(what + "the contributions cover no rows");
  if (output.empty()) return 0;
  const auto it = std::find(c.outputs.begin(), c.outputs.end(), output);
  if (it == c.outputs.end())
    throw UsageError(what + (c.outputs.size() == 1
                                 ? "these contributions explain one output (" +
                                       (c.outputs[0].empty() ? "a regression" : "class " + c.outputs[0]) +
                                       "); there is no class '" + echoed(output) + "' to choose"
                                 : "no class '" + echoed(output) + "' (classes: " + listed(c.outputs) + ")"));
  return static_cast<std::size_t>(it - c.outputs.begin());
}

// The data rows must be the rows explained, in order.
void check_rows(const Contributions& c, const Frame& data, const char* chart) {
  const auto rows = static_cast<std::size_t>(c.values[0].rows());
  if (data.cols() > 0 && data.rows() != rows)
    throw UsageError(std::string("the ") + chart + " chart: the data has " + std::to_string(data.rows()) +
                     " rows but the contributions cover " + std::to_string(rows) +
                     "; give the rows that were explained");
}

std::size_t column_index(const Contributions& c, const std::string& name, const char* chart) {
  const auto it = std::find(c.columns.begin(), c.columns.end(), name);
  if (it == c.columns.end())
    throw UsageError(std::string("the ") + chart + " chart: no column '" + echoed(name) +
                     "' in the contributions (columns: " + listed(c.columns) + ")");
  return static_cast<std::size_t>(it - c.columns.begin());
}

std::vector<std::size_t> ranking(const Contributions& c, std::size_t output) {
  const Matrix& m = c.values[output];
  std::vector<double> mean_abs(c.columns.size());
  for (std::size_t j = 0; j < mean_abs.size(); ++j) mean_abs[j] = m.col(static_cast<Eigen::Index>(j)).cwiseAbs().mean();
  std::vector<std::size_t> order(c.columns.size());
  std::iota(order.begin(), order.end(), std::size_t{0});
  std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return mean_abs[a] > mean_abs[b]; });
  return order;
}

// At most `most` rows, evenly spread over the data's order.
std::vector<std::size_t> drawn_rows(std::size_t n, std::size_t most) {
  std::vector<std::size_t> out;
  most = std::max<std::size_t>(1, most);
  const std::size_t stride = std::max<std::size_t>(1, (n + most - 1) / most);
  for (std::size_t i = 0; i < n; i += stride) out.push_back(i);
  return out;
}

// Each row's place on the colour scale by its value of `column`: 0 at the 5th
// percentile, 1 at the 95th (an outlier does not wash out the rest, as in
// SHAP); NaN for a categorical column or a missing value (grey).
std::vector<double> shades(const Frame& data, const std::string& column) {
  const Column* col = data.find(column);
  std::vector<double> out(data.rows(), NAN);
  if (!col || !col->is_numeric()) return out;
  std::vector<double> present;
  for (double v : col->values())
    if (!std::isnan(v)) present.push_back(v);
  if (present.empty()) return out;
  std::sort(present.begin(), present.end());
  auto at = [&](double q) { return present[static_cast<std::size_t>(q * static_cast<double>(present.size() - 1))]; };
  double low = at(0.05), high = at(0.95);
  if (high <= low) low = present.front(), high = present.back();
  for (std::size_t i = 0; i < out.size(); ++i) {
    const double v = col->values()[i];
    if (!std::isnan(v)) out[i] = high > low ? std::clamp((v - low) / (high - low), 0.0, 1.0) : 0.5;
  }
  return out;
}

// Offsets that spread dots of nearly equal value across their row (SHAP's
// beeswarm): values fall into 100 bins over their range; within a bin the dots
// take turns above and below the middle, in the rows' order; the widest pile
// spans `half` either way.
std::vector<double> swarm_offsets(const std::vector<double>& x, double half) {
  std::vector<double> out(x.size(), 0);
  if (x.empty()) return out;
  const auto [lo, hi] = std::minmax_element(x.begin(), x.end());
  const double width = *hi - *lo;
  constexpr int kBins = 100;
  std::vector<int> filled(kBins + 1, 0);
  double widest = 0;
  for (std::size_t i = 0; i < x.size(); ++i) {
    const int bin = width > 0 ? static_cast<int>(std::lround((x[i] - *lo) / width * kBins)) : 0;
    const int layer = filled[static_cast<std::size_t>(bin)]++;
    out[i] = std::ceil(layer / 2.0) * (layer % 2 ? 1 : -1);
    widest = std::max(widest, std::abs(out[i]));
  }
  if (widest > 0)
    for (double& o : out) o *= half / widest;
  return out;
}

// A category's dots spread across its slot: the golden-ratio sequence fills
// [-half, half] evenly, the same way every time.
double golden_offset(std::size_t k, double half) {
  const double t = std::fmod(static_cast<double>(k) * 0.6180339887498949, 1.0);
  return (2 * t - 1) * half;
}

std::string output_note(const Contributions& c, std::size_t output) {
  return c.outputs.size() > 1 ? "; class " + c.outputs[output] + " (of " + std::to_string(c.outputs.size()) + ")" : "";
}

// " for good": the class whose raw output is shown (a binary classifier's second, or the one chosen).
std::string for_class(const Contributions& c, std::size_t output) {
  return c.outputs[output].empty() ? "" : " for " + c.outputs[output];
}

std::string method_note(const Contributions& c) {
  return c.method +
         (c.exact ? " contributions" : " estimates (row sums within ± " + number(c.error_bound, "%.3g") + ")");
}

// The corner of the plot that the series cross least, for the legend: points
// (and lines, sampled along each segment) are counted in each corner's box.
Chart::Corner emptiest_corner(const std::vector<Series>& series) {
  std::vector<std::pair<double, double>> points;
  for (const auto& s : series) {
    if (s.reference) continue;
    for (std::size_t k = 0; k < s.x.size() && k < s.y.size(); ++k) {
      points.emplace_back(s.x[k], s.y[k]);
      if (s.kind == Series::Kind::line && k + 1 < s.x.size())
        for (double t = 0.125; t < 1; t += 0.125)
          points.emplace_back(s.x[k] + t * (s.x[k + 1] - s.x[k]), s.y[k] + t * (s.y[k + 1] - s.y[k]));
    }
  }
  double x0 = INFINITY, x1 = -INFINITY, y0 = INFINITY, y1 = -INFINITY;
  for (const auto& [x, y] : points)
    x0 = std::min(x0, x), x1 = std::max(x1, x), y0 = std::min(y0, y), y1 = std::max(y1, y);
  const Chart::Corner corners[] = {Chart::Corner::top_left, Chart::Corner::top_right, Chart::Corner::bottom_right,
                                   Chart::Corner::bottom_left};
  std::size_t count[4] = {0, 0, 0, 0};
  for (const auto& [x, y] : points) {
    const bool left = x <= x0 + 0.45 * (x1 - x0), right = x >= x0 + 0.55 * (x1 - x0);
    const bool top = y >= y0 + 0.7 * (y1 - y0), bottom = y <= y0 + 0.3 * (y1 - y0);
    count[0] += top && left, count[1] += top && right, count[2] += bottom && right, count[3] += bottom && left;
  }
  return corners[std::min_element(count, count + 4) - count];
}

}  // namespace

std::vector<std::string> contribution_ranking(const Contributions& c, const std::string& output) {
  std::vector<std::string> names;
  for (std::size_t j : ranking(c, checked_output(c, output, "summary"))) names.push_back(c.columns[j]);
  return names;
}

Chart contributions_summary(const Contributions& c, const Frame& data, const ContributionChartOptions& o) {
  const std::size_t output = checked_output(c, o.output, "summary");
  check_rows(c, data, "summary");
  const Matrix& m = c.values[output];
  const auto n = static_cast<std::size_t>(m.rows());
  const auto order = ranking(c, output);
  const std::size_t shown = std::min(std::max<std::size_t>(1, o.top), order.size());
  const auto rows = drawn_rows(n, o.max_rows);
  Chart chart{.title = "Contributions to the predictions",
              .x_label = "Contribution to the raw model output" + for_class(c, output),
              .y_label = ""};
  chart.subtitle = method_note(c) + " of " + std::to_string(n) + " rows" +
                   (rows.size() < n ? " (" + std::to_string(rows.size()) + " drawn)" : "") + "; " +
                   (shown < order.size() ? "the " + std::to_string(shown) + " of " + std::to_string(order.size()) +
                                               " columns with the largest"
                                         : "columns by") +
                   " mean |contribution|" + output_note(c, output);
  // The zero line first, under the dots.
  chart.series.push_back(
      {.kind = Series::Kind::line, .x = {0, 0}, .y = {-0.5, static_cast<double>(shown) - 0.5}, .reference = true});
  bool any_shade = false, categorical = false, missing = false;
  for (std::size_t r = 0; r < shown; ++r) {
    const std::size_t j = order[r];
    const double y = static_cast<double>(shown - 1 - r);  // the largest at the top
    Series s{.kind = Series::Kind::points, .color = 0};
    for (std::size_t i : rows) s.x.push_back(m(static_cast<Eigen::Index>(i), static_cast<Eigen::Index>(j)));
    for (double offset : swarm_offsets(s.x, 0.38)) s.y.push_back(y + offset);
    if (const Column* col = data.find(c.columns[j])) {
      const auto shade = shades(data, c.columns[j]);
      for (std::size_t i : rows) s.shade.push_back(shade[i]);
      any_shade = true;
      if (!col->is_numeric()) categorical = true;
      else missing = missing || std::any_of(s.shade.begin(), s.shade.end(), [](double v) { return std::isnan(v); });
    }
    chart.series.push_back(std::move(s));
  }
  for (std::size_t r = shown; r-- > 0;) chart.y_categories.push_back(c.columns[order[r]]);
  if (any_shade) chart.color_scale = ColorScale{.label = "feature value"};
  // Grey is no place on the scale: say what it stands for.
  if (categorical || missing)
    chart.subtitle += std::string("; grey: ") + (categorical ? "categorical columns' values" : "") +
                      (categorical && missing ? " and " : "") + (missing ? "missing values" : "");
  return chart;
}

Chart contribution_dependence(const Contributions& c, const Frame& data, const std::string& feature,
                              const ContributionChartOptions& o) {
  const std::size_t output = checked_output(c, o.output, "dependence");
  check_rows(c, data, "dependence");
  const std::size_t j = column_index(c, feature, "dependence");
  const Column* x = data.find(feature);
  if (!x)
    throw UsageError("the dependence chart needs the values of '" + echoed(feature) + "': the data has no such column");
  const Column* by = o.color_by.empty() ? nullptr : data.find(o.color_by);
  if (!o.color_by.empty() && !by)
    throw UsageError("the dependence chart: no column '" + echoed(o.color_by) + "' in the data to colour the dots by");
  const Matrix& m = c.values[output];
  const auto rows = drawn_rows(data.rows(), o.max_rows);
  Chart chart{.title = "Dependence on " + feature,
              .x_label = feature,
              .y_label = "Contribution of " + feature + for_class(c, output)};

  // Where each row's dot sits; a categorical column's levels along the axis,
  // each level's dots spread across its slot.
  std::vector<double> px(data.rows(), NAN);
  std::size_t missing = 0;
  if (x->is_numeric()) {
    for (std::size_t i : rows) px[i] = x->values()[i];
  } else {
    chart.x_categories = x->categories();
    std::vector<std::size_t> seen(chart.x_categories.size(), 0);
    for (std::size_t i : rows)
      if (!x->is_missing(i)) {
        const auto code = static_cast<std::size_t>(x->codes()[i]);
        px[i] = static_cast<double>(code) + golden_offset(seen[code]++, 0.3);
      }
  }
  for (std::size_t i : rows) missing += std::isnan(px[i]);

  // One series, shaded by a numeric colour column; a series per level of a categorical one.
  std::vector<std::string> groups = {""};
  if (by && !by->is_numeric()) groups = by->categories();
  std::vector<Series> series(groups.size());
  for (std::size_t g = 0; g < groups.size(); ++g)
    series[g] = {.kind = Series::Kind::points, .name = groups[g], .color = static_cast<int>(g)};
  Series no_level{.kind = Series::Kind::points, .name = "missing", .color = 7};
  const auto shade = by && by->is_numeric() ? shades(data, o.color_by) : std::vector<double>{};
  for (std::size_t i : rows) {
    if (std::isnan(px[i])) continue;
    Series& s = by && !by->is_numeric()
                    ? (by->is_missing(i) ? no_level : series[static_cast<std::size_t>(by->codes()[i])])
                    : series[0];
    s.x.push_back(px[i]);
    s.y.push_back(m(static_cast<Eigen::Index>(i), static_cast<Eigen::Index>(j)));
    if (!shade.empty()) s.shade.push_back(shade[i]);
  }
  if (!no_level.x.empty()) series.push_back(std::move(no_level));
  std::erase_if(series, [](const Series& s) { return s.x.empty(); });
  double lo = INFINITY, hi = -INFINITY;
  for (const auto& s : series)
    for (double v : s.x) lo = std::min(lo, v), hi = std::max(hi, v);
  if (!chart.x_categories.empty()) lo = -0.5, hi = static_cast<double>(chart.x_categories.size()) - 0.5;
  if (std::isfinite(lo))
    chart.series.push_back({.kind = Series::Kind::line, .x = {lo, hi}, .y = {0, 0}, .reference = true});
  for (auto& s : series) chart.series.push_back(std::move(s));
  if (!shade.empty()) chart.color_scale = ColorScale{.label = o.color_by};
  chart.legend = emptiest_corner(chart.series);
  chart.subtitle = method_note(c) + " of " + std::to_string(data.rows()) + " rows" +
                   (rows.size() < data.rows() ? " (" + std::to_string(rows.size()) + " drawn)" : "") +
                   (missing ? "; " + std::to_string(missing) + " with " + feature + " missing not shown" : "") +
                   (by ? "; coloured by " + o.color_by : "") + output_note(c, output);
  return chart;
}

Chart contribution_waterfall(const Contributions& c, std::size_t row, const Frame& data,
                             const ContributionChartOptions& o) {
  const std::size_t output = checked_output(c, o.output, "waterfall");
  check_rows(c, data, "waterfall");
  const Matrix& m = c.values[output];
  const auto n = static_cast<std::size_t>(m.rows());
  if (row >= n)
    throw UsageError("the waterfall chart: the " + ordinal(row + 1) +
                     " row was asked for, but the contributions cover " + std::to_string(n) + " rows");
  const auto r = static_cast<Eigen::Index>(row);
  std::vector<std::size_t> order(c.columns.size());
  std::iota(order.begin(), order.end(), std::size_t{0});
  std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
    return std::abs(m(r, static_cast<Eigen::Index>(a))) > std::abs(m(r, static_cast<Eigen::Index>(b)));
  });
  const std::size_t own = order.size() <= o.top ? order.size() : std::max<std::size_t>(1, o.top);
  Chart chart{.kind = Chart::Kind::bars,
              .title = "Contributions to one prediction",
              .x_label = "Raw model output" + for_class(c, output)};
  auto label = [&](std::size_t j) {
    const Column* col = data.find(c.columns[j]);
    if (!col) return c.columns[j];
    if (col->is_missing(row)) return c.columns[j] + " = missing";
    return c.columns[j] + " = " + (col->is_numeric() ? number(col->values()[row]) : col->text(row));
  };
  for (std::size_t k = 0; k < own; ++k)
    chart.bars.push_back({.label = label(order[k]), .value = m(r, static_cast<Eigen::Index>(order[k]))});
  if (own < order.size()) {
    double rest = 0;
    for (std::size_t k = own; k < order.size(); ++k) rest += m(r, static_cast<Eigen::Index>(order[k]));
    chart.bars.push_back({.label = std::to_string(order.size() - own) + " other columns", .value = rest});
  }
  // From the expected value at the bottom, each bar starts where the one below it ends.
  const double expected = c.expected[output];
  double total = expected;
  for (std::size_t k = chart.bars.size(); k-- > 0;) {
    Bar& b = chart.bars[k];
    b.base = total;
    b.text = number(b.value, "%+.3g");
    total += b.value;
  }
  chart.markers = {{.x = expected, .label = "E[f(x)] = " + number(expected)},
                   {.x = total, .label = "f(x) = " + number(total), .emphasis = true}};
  chart.subtitle = "the " + ordinal(row + 1) + " of " + std::to_string(n) + " rows, from the expected output E[f(x)] " +
                   "to its own f(x); " + method_note(c) + output_note(c, output);
  return chart;
}

Chart partial_dependence_chart(const PartialDependence& pd) {
  if (pd.average.empty()) throw UsageError("the pdp chart: the partial dependence has no grid points");
  Chart chart{.title = "Partial dependence on " + pd.feature,
              .x_label = pd.feature,
              .y_label = pd.prediction.empty() ? ""
                                               : std::string(1, static_cast<char>(std::toupper(pd.prediction[0]))) +
                                                     pd.prediction.substr(1)};
  std::vector<double> x;
  for (std::size_t g = 0; g < pd.size(); ++g) x.push_back(pd.categorical ? static_cast<double>(g) : pd.grid[g]);
  if (pd.categorical) chart.x_categories = pd.levels;
  // Thin translucent lines, so where many rows run together the colour deepens.
  const double opacity = std::clamp(6.0 / static_cast<double>(std::max<std::size_t>(1, pd.ice.size())), 0.12, 0.5);
  for (std::size_t k = 0; k < pd.ice.size(); ++k)
    chart.series.push_back({.kind = Series::Kind::line,
                            .name = k == 0 ? "each of " + std::to_string(pd.ice.size()) + " rows (ICE)" : "",
                            .x = x,
                            .y = pd.ice[k],
                            .color = 0,
                            .width = 1,
                            .opacity = opacity});
  chart.series.push_back({.kind = Series::Kind::line,
                          .name = "mean over " + std::to_string(pd.rows) + " rows (partial dependence)",
                          .x = x,
                          .y = pd.average,
                          .color = 3,
                          .width = 3.5});
  chart.legend = emptiest_corner(chart.series);
  // The column is named in the title and on the axis; the subtitle says how the lines were made.
  chart.subtitle = "each row predicted at " + std::to_string(pd.size()) + (pd.categorical ? " levels" : " values") +
                   " of the column, its other columns unchanged" + (pd.output.empty() ? "" : "; class " + pd.output);
  return chart;
}

}  // namespace shipml
