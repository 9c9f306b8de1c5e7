// Charts of the data itself: missing values and each column's link to the target.
#include <algorithm>
#include <cmath>
#include <map>

#include "shipml/metrics/metrics.hpp"
#include "shipml/plot/charts.hpp"

namespace shipml {
namespace {

// The correlation ratio η: how much of the variance of `values` lies between the groups.
double correlation_ratio(const std::vector<double>& values, const std::vector<int>& groups) {
  std::map<int, std::pair<double, double>> by_group;  // count, sum
  double total = 0;
  for (std::size_t i = 0; i < values.size(); ++i) {
    auto& [n, s] = by_group[groups[i]];
    n += 1, s += values[i];
    total += values[i];
  }
  const double mean = total / static_cast<double>(values.size());
  double between = 0, all = 0;
  for (const auto& [g, ns] : by_group) between += ns.first * std::pow(ns.second / ns.first - mean, 2);
  for (double v : values) all += (v - mean) * (v - mean);
  return all > 0 ? std::sqrt(between / all) : 0;
}

void keep_top(Chart& c, std::size_t top, std::size_t total, const std::string& what) {
  std::stable_sort(c.bars.begin(), c.bars.end(),
                   [](const Bar& a, const Bar& b) { return std::abs(a.value) > std::abs(b.value); });
  if (c.bars.size() > top) c.bars.resize(top);
  c.subtitle = (c.bars.size() < total ? "the " + std::to_string(c.bars.size()) + " largest of " : "") +
               std::to_string(total) + " " + what;
}

}  // namespace

Chart missing_values_chart(const Dataset& data, std::size_t top) {
  Chart c{.kind = Chart::Kind::bars, .title = "Missing values", .x_label = "Share of rows missing"};
  std::size_t complete = 0;
  for (const Column& col : data.frame.columns()) {
    const double share =
        static_cast<double>(col.missing_count()) / static_cast<double>(std::max<std::size_t>(1, data.rows()));
    if (share > 0) c.bars.push_back({col.name(), share});
    else ++complete;
  }
  const std::size_t with_missing = c.bars.size();
  keep_top(c, top, with_missing, "columns with missing values");
  c.subtitle = std::to_string(data.rows()) + " rows; " + (with_missing ? c.subtitle + "; " : "no missing values; ") +
               std::to_string(complete) + " columns complete";
  c.x_min = 0;
  return c;
}

Chart target_correlation_chart(const Dataset& data, std::size_t top) {
  const Column& target = data.labels();
  const Task task = infer_task(target);
  std::vector<double> y;
  std::vector<int> y_class;
  std::vector<std::string> classes;
  if (task == Task::classification) {
    classes = class_labels(target);
    y_class = class_indices(target, classes);
  } else {
    y = target_values(target);
  }
  const bool binary = classes.size() == 2;
  Chart c{.kind = Chart::Kind::bars,
          .title = "Correlation with " + data.target,
          .x_label = task == Task::regression || binary ? "Pearson r (numbers), correlation ratio η (categories)"
                                                        : "Correlation ratio η"};
  const Frame features = data.features();
  for (const Column& col : features.columns()) {
    std::vector<double> x, t;
    std::vector<int> groups, tc;
    for (std::size_t i = 0; i < col.size(); ++i) {
      if (col.is_missing(i)) continue;
      if (col.is_numeric()) x.push_back(col.values()[i]);
      else groups.push_back(col.codes()[i]);
      if (task == Task::classification) tc.push_back(y_class[i]), t.push_back(y_class[i]);
      else t.push_back(y[i]);
    }
    double value = 0;
    if (x.size() + groups.size() < 2) value = 0;
    else if (!col.is_numeric()) value = correlation_ratio(t, groups);                // target spread across categories
    else if (task == Task::regression || binary) value = pearson_correlation(x, t);  // signed
    else value = correlation_ratio(x, tc);                                           // the number spread across classes
    c.bars.push_back({col.name(), value});
  }
  keep_top(c, top, features.cols(), "features");
  return c;
}

}  // namespace shipml
