// 2 to 10 runs side by side: the parameters that differ marked, metrics in
// columns, and for classification runs that kept their held-out predictions,
// their ROC and precision-recall curves on one chart each.
#include <set>

#include "shipml/core/error.hpp"
#include "shipml/plot/chart.hpp"
#include "shipml/plot/charts.hpp"
#include "shipml/report/report.hpp"
#include "ui/pages.hpp"

namespace shipml::ui {
namespace {

constexpr std::size_t kMostRuns = 10;

// One chart of every run's curve: each run's first own series (the curve, not
// a reference line), named by its run, over the first chart's axes and guides.
std::optional<Chart> overlay(const std::vector<RunRecord>& runs,
                             const std::vector<std::optional<HeldOutPredictions>>& held,
                             Chart (*draw)(const HeldOutPredictions&)) {
  std::optional<Chart> out;
  int color = 0;
  for (std::size_t i = 0; i < runs.size(); ++i) {
    if (!held[i] || held[i]->classes.size() != 2) continue;
    Chart chart = draw(*held[i]);
    if (!out) {
      out = chart;
      out->series.clear();
      out->subtitle = "";
      for (const auto& s : chart.series)
        if (s.reference) out->series.push_back(s);
    }
    for (auto& s : chart.series)
      if (!s.reference && s.kind == Series::Kind::line) {
        s.name = runs[i].id.substr(0, 8);
        if (const auto e = runs[i].params.find("estimator"); e != runs[i].params.end()) s.name += " " + e->second;
        s.color = color++;
        out->series.push_back(std::move(s));
        break;
      }
  }
  if (out && color < 2) return std::nullopt;  // one curve is the run's own page
  return out;
}

std::string cell_row(const std::string& name, const std::vector<std::string>& cells, bool differs) {
  std::string html =
      "<tr" + std::string(differs ? " class=\"differs\"" : "") + "><th scope=\"row\">" + html_escape(name) + "</th>";
  for (const auto& c : cells) html += "<td>" + html_escape(c) + "</td>";
  return html + "</tr>\n";
}

}  // namespace

Page compare_page(Context& c) {
  std::vector<std::string> ids = c.query.all("run");
  if (ids.size() < 2 || ids.size() > kMostRuns)
    return message_page(400, "Pick 2 to 10 runs",
                        "Compare takes 2 to 10 runs; " + std::to_string(ids.size()) + " were picked.");
  std::vector<RunRecord> runs;
  for (const auto& id : ids) runs.push_back(find_run(c, id));

  Page page;
  page.title = "Compare " + std::to_string(runs.size()) + " runs";
  page.section = "runs";
  std::string& html = page.body;
  html += "<h1>" + html_escape(page.title) + "</h1>\n<table class=\"compare\"><thead><tr><th></th>";
  for (const auto& r : runs) html += "<th>" + run_link(r.id) + "</th>";
  html += "</tr></thead><tbody>\n";
  const auto row_of = [&](auto value) {
    std::vector<std::string> cells;
    for (const auto& r : runs) cells.push_back(value(r));
    return cells;
  };
  for (const auto& [label, get] : std::vector<std::pair<std::string, std::string (*)(const RunRecord&)>>{
           {"experiment", [](const RunRecord& r) { return r.experiment; }},
           {"kind", [](const RunRecord& r) { return r.kind; }},
           {"estimator",
            [](const RunRecord& r) {
              const auto e = r.params.find("estimator");
              return e == r.params.end() ? std::string() : e->second;
            }},
           {"status", [](const RunRecord& r) { return r.status; }},
           {"started", [](const RunRecord& r) { return r.start_time; }}})
    html += cell_row(label, row_of(get), false);
  html += "</tbody></table>\n";

  // Metrics, side by side.
  std::set<std::string> metric_names;
  for (const auto& r : runs)
    for (const auto& [k, v] : r.metrics)
      if (!k.ends_with("_std")) metric_names.insert(k);
  if (!metric_names.empty()) {
    html += "<h2>Metrics</h2>\n<table class=\"compare\"><tbody>\n";
    for (const auto& name : metric_names) {
      std::vector<std::string> cells;
      for (const auto& r : runs) {
        const auto v = r.metrics.find(name);
        const auto sd = r.metrics.find(name + "_std");
        cells.push_back(v == r.metrics.end() ? ""
                                             : format_value(v->second) +
                                                   (sd == r.metrics.end() ? "" : " ± " + format_value(sd->second)));
      }
      html += cell_row(name, cells, false);
    }
    html += "</tbody></table>\n";
  }

  // Parameters: every one any run has, the rows whose values differ marked.
  std::set<std::string> param_names;
  for (const auto& r : runs)
    for (const auto& [k, v] : r.params) param_names.insert(k);
  if (!param_names.empty()) {
    std::string rows;
    std::size_t differing = 0;
    for (const auto& name : param_names) {
      std::vector<std::string> cells;
      for (const auto& r : runs) {
        const auto v = r.params.find(name);
        cells.push_back(v == r.params.end() ? "–" : v->second);
      }
      const bool differs = std::set<std::string>(cells.begin(), cells.end()).size() > 1;
      differing += differs;
      rows += cell_row(name, cells, differs);
    }
    html += "<h2>Parameters</h2>\n<p class=\"meta\" id=\"differing\">" + std::to_string(differing) + " of " +
            std::to_string(param_names.size()) + " parameters differ (marked)</p>\n<table class=\"compare\"><tbody>\n" +
            rows + "</tbody></table>\n";
  }

  // Curves of the runs that kept held-out predictions (score, compare).
  std::vector<std::optional<HeldOutPredictions>> held;
  for (const auto& r : runs) {
    try {
      held.push_back(run_predictions(r));
    } catch (const Error&) {
      held.push_back(std::nullopt);
    }
  }
  std::string figures;
  int index = 0;
  for (auto draw : {&roc_chart, &precision_recall_chart})
    if (const auto chart = overlay(runs, held, draw))
      figures += "<figure>" + render_inline_svg(*chart, "o" + std::to_string(index++) + "-") + "</figure>\n";
  if (!figures.empty()) html += "<h2>Curves</h2>\n<div class=\"charts\">" + figures + "</div>\n";
  return page;
}

}  // namespace shipml::ui
