// One run, whole: what ran and how it ended, its metrics (with each fold's
// value), its learning curves (a metric per boosting round), the charts the
// HTML report draws, its parameters, data and schema, and its artifacts.
#include <filesystem>

#include "shipml/core/error.hpp"
#include "shipml/io/file.hpp"
#include "shipml/plot/chart.hpp"
#include "shipml/report/report.hpp"
#include "ui/pages.hpp"

namespace shipml::ui {
namespace {

std::string figure(const Chart& chart, const std::string& caption, const std::string& prefix) {
  return "<figure>" + render_inline_svg(chart, prefix) + "<figcaption>" + html_escape(caption) +
         "</figcaption></figure>\n";
}

// Metrics with their spread and each fold's value (a series logged per fold
// comes with a "_std" metric; one logged per boosting round does not).
std::string metrics_section(const RunRecord& run) {
  std::vector<std::vector<std::string>> rows;
  for (const auto& [name, value] : run.metrics) {
    if (name.ends_with("_std") && run.metrics.count(name.substr(0, name.size() - 4))) continue;
    const auto sd = run.metrics.find(name + "_std");
    std::string folds;
    if (const auto steps = run.metric_steps.find(name); sd != run.metrics.end() && steps != run.metric_steps.end())
      for (const double v : steps->second) folds += (folds.empty() ? "" : "  ") + format_value(v);
    rows.push_back({name, format_value(value), sd == run.metrics.end() ? "" : "± " + format_value(sd->second), folds});
  }
  if (rows.empty()) return "";
  return "<h2>Metrics</h2>\n" + table({"metric", "value", "spread", "per fold"}, rows);
}

std::string curves_section(const RunRecord& run) {
  std::string html;
  int index = 0;
  for (const auto& [name, values] : run.metric_steps) {
    if (run.metrics.count(name + "_std") || values.size() < 2) continue;  // folds, in the table
    Chart chart;
    chart.title = name + " by boosting round";
    chart.x_label = "round";
    chart.y_label = name;
    Series s;
    s.name = name;
    for (std::size_t i = 0; i < values.size(); ++i) {
      s.x.push_back(static_cast<double>(i + 1));
      s.y.push_back(values[i]);
    }
    chart.series.push_back(std::move(s));
    chart.legend = Chart::Corner::top_right;
    html += figure(chart, name + " per round", "steps" + std::to_string(index++) + "-");
  }
  return html.empty() ? "" : "<h2>Learning curves</h2>\n<div class=\"charts\">" + html + "</div>\n";
}

std::string charts_section(const RunRecord& run) {
  std::string html;
  try {
    const auto charts = run_charts(run);
    for (std::size_t i = 0; i < charts.size(); ++i)
      html += figure(charts[i].second, charts[i].first, "c" + std::to_string(i) + "-");
  } catch (const Error& e) {
    return "<h2>Charts</h2>\n<p class=\"meta\">No charts: " + html_escape(e.what()) + "</p>\n";
  }
  return html.empty() ? "" : "<h2>Charts</h2>\n<div class=\"charts\">" + html + "</div>\n";
}

std::string data_section(const RunRecord& run) {
  std::string html;
  if (run.info.contains("data") && run.info["data"].is_object()) {
    std::vector<std::vector<std::string>> rows;
    for (const auto& [k, v] : run.info["data"].items()) rows.push_back({k, json_value_text(v)});
    html += "<h2>Data</h2>\n" + table({"", ""}, rows);
  }
  if (run.info.contains("schema") && run.info["schema"].is_array()) {
    std::vector<std::vector<std::string>> rows;
    for (const auto& f : run.info["schema"]) {
      std::string categories;
      if (f.contains("categories"))
        for (const auto& c : f["categories"]) {
          if (categories.size() > 120) {
            categories += ", …";
            break;
          }
          categories += (categories.empty() ? "" : ", ") + json_value_text(c);
        }
      rows.push_back({f.value("name", ""), f.value("type", ""), categories});
    }
    html += "<details><summary>Schema: " + std::to_string(rows.size()) + " input columns</summary>\n" +
            table({"column", "type", "categories"}, rows) + "</details>\n";
  }
  return html;
}

std::string origin_section(const RunRecord& run) {
  std::vector<std::vector<std::string>> rows;
  for (const char* key : {"command", "git", "user", "host", "working_directory", "shipml_version", "validation"})
    if (run.info.contains(key)) rows.push_back({key, json_value_text(run.info[key])});
  return rows.empty() ? "" : "<h2>Where it ran</h2>\n" + table({"", ""}, rows);
}

}  // namespace

Page run_page(Context& c, const std::string& id) {
  const RunRecord run = find_run(c, id);  // a UsageError (404) when unknown
  Page page;
  page.title = "Run " + run.id.substr(0, 8);
  page.section = "runs";
  std::string& html = page.body;
  html += "<h1>Run <code>" + html_escape(run.id.substr(0, 8)) + "</code> <span class=\"status " +
          html_escape(run.status) + "\">" + html_escape(run.status) + "</span></h1>\n";
  const auto estimator = run.params.find("estimator");
  html += "<p class=\"meta\">" + html_escape(run.kind) +
          (estimator == run.params.end() ? "" : " · " + html_escape(estimator->second)) +
          " · experiment <a href=\"/runs?experiment=" + url_encode(run.experiment) + "\">" +
          html_escape(run.experiment) + "</a> · started " + html_escape(run.start_time) + " · " +
          format_value(run.duration_seconds) + " s · <code>" + html_escape(run.id) + "</code></p>\n";
  if (!run.error.empty()) html += "<p class=\"error\">" + html_escape(run.error) + "</p>\n";
  if (c.can_act())
    html += "<form method=\"post\" action=\"/actions/delete-run\" class=\"actions\">" + csrf_field(c) +
            "<input type=\"hidden\" name=\"run\" value=\"" + html_escape(run.id) +
            "\"><button type=\"submit\" class=\"danger\">Delete run…</button></form>\n";
  html += metrics_section(run);
  html += curves_section(run);
  html += charts_section(run);
  if (!run.params.empty()) {
    std::vector<std::vector<std::string>> rows;
    for (const auto& [k, v] : run.params) rows.push_back({k, v});
    html += "<h2>Parameters</h2>\n" + table({"parameter", "value"}, rows);
  }
  if (!run.tags.empty()) {
    std::vector<std::vector<std::string>> rows;
    for (const auto& [k, v] : run.tags) rows.push_back({k, v});
    html += "<h2>Tags</h2>\n" + table({"tag", "value"}, rows);
  }
  html += data_section(run);
  html += origin_section(run);
  if (!run.artifacts.empty()) {
    html += "<h2>Artifacts</h2>\n<ul class=\"artifacts\">\n";
    for (const auto& [name, path] : run.artifacts) {
      std::error_code error;
      const auto size = std::filesystem::file_size(path, error);
      html += "<li><a download href=\"/runs/" + url_encode(run.id) + "/artifacts/" + url_encode(name) + "\">" +
              html_escape(name) + "</a> <span class=\"meta\">" + (error ? "missing" : std::to_string(size) + " bytes") +
              "</span></li>\n";
    }
    html += "</ul>\n";
  }
  return page;
}

Page artifact_download(Context& c, const std::string& id, const std::string& name) {
  const RunRecord run = find_run(c, id);
  const auto it = run.artifacts.find(name);  // only what the run recorded: never a path from the request
  if (it == run.artifacts.end() || !std::filesystem::is_regular_file(it->second))
    return message_page(404, "No such artifact", "run " + run.id.substr(0, 8) + " has no artifact '" + name + "'",
                        "/runs/" + url_encode(run.id));
  Page page;
  page.download = it->second;
  page.download_name = name;
  return page;
}

}  // namespace shipml::ui
