// The drift chart: which input columns moved, by how much, against the threshold.
#include <algorithm>
#include <cstdio>

#include "shipml/core/error.hpp"
#include "shipml/plot/charts.hpp"

namespace shipml {
namespace {

std::string fixed(double v, int digits) {
  char text[32];
  std::snprintf(text, sizeof text, "%.*f", digits, v);
  return text;
}

}  // namespace

Chart drift_chart(const DriftReport& report, std::size_t top) {
  if (report.columns.empty()) throw UsageError("a drift report with no columns has nothing to chart");
  Chart c{.kind = Chart::Kind::bars, .title = "Drift from the training data", .x_label = "Population stability index"};
  std::vector<const ColumnDrift*> order;
  for (const auto& col : report.columns) order.push_back(&col);
  std::stable_sort(order.begin(), order.end(),
                   [](const ColumnDrift* a, const ColumnDrift* b) { return a->psi > b->psi; });
  for (std::size_t i = 0; i < order.size() && i < top; ++i)
    c.bars.push_back({.label = order[i]->name,
                      .value = order[i]->psi,
                      .text = fixed(order[i]->psi, 3) + (order[i]->flagged ? "  drifted" : "")});
  c.markers.push_back({.x = report.thresholds.psi, .label = "threshold " + fixed(report.thresholds.psi, 2)});
  const std::size_t flagged = report.flagged().size();
  c.subtitle = std::to_string(report.columns.front().rows) + " rows; " + std::to_string(flagged) + " of " +
               std::to_string(report.columns.size()) + " columns drifted" +
               (report.prediction.rows ? "; predictions PSI " + fixed(report.prediction.psi, 3) : "") +
               (order.size() > top ? "; the " + std::to_string(top) + " largest shown" : "");
  return c;
}

}  // namespace shipml
