// The HTML report of a run: plain HTML and CSS with the charts as inline SVG,
// so the one file opens anywhere, from disk, with nothing else.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <sstream>

#include "shipml/io/file.hpp"
#include "shipml/plot/charts.hpp"
#include "shipml/report/html.hpp"
#include "shipml/report/report.hpp"

namespace shipml {
namespace {

std::string inline_svg(const Chart& chart, std::size_t index) {
  return render_inline_svg(chart, "c" + std::to_string(index) + "-");
}

class Page {
 public:
  void heading(const std::string& text) { html_ << "<h2>" << html_escape(text) << "</h2>\n"; }
  void table(const std::vector<std::string>& header, const std::vector<std::vector<std::string>>& rows,
             const std::string& css = "") {
    html_ << "<table" << (css.empty() ? "" : " class=\"" + css + "\"") << "><thead><tr>";
    for (const auto& h : header) html_ << "<th>" << html_escape(h) << "</th>";
    html_ << "</tr></thead><tbody>\n";
    for (const auto& r : rows) {
      html_ << "<tr>";
      for (const auto& cell : r) html_ << "<td>" << html_escape(cell) << "</td>";
      html_ << "</tr>\n";
    }
    html_ << "</tbody></table>\n";
  }
  std::ostringstream& raw() { return html_; }
  std::string str() const { return html_.str(); }

 private:
  std::ostringstream html_;
};

constexpr const char* kStyle = R"(
body{font:14px/1.45 "DejaVu Sans",system-ui,sans-serif;color:#222;margin:0;background:#fafafa}
main{max-width:1180px;margin:0 auto;padding:24px 28px 48px;background:#fff}
h1{font-size:22px;margin:0 0 4px} h2{font-size:17px;margin:32px 0 10px;border-bottom:1px solid #ddd;padding-bottom:4px}
.meta{color:#555;margin:0 0 4px} code{background:#f2f2f2;padding:1px 4px;border-radius:3px;font-size:12.5px;word-break:break-all}
.status{display:inline-block;padding:1px 8px;border-radius:10px;font-size:12px;color:#fff;background:#0072B2;vertical-align:middle}
.status.failed{background:#D55E00}.status.interrupted,.status.running{background:#E69F00}
table{border-collapse:collapse;margin:6px 0 12px;font-size:13px} th,td{padding:4px 10px;text-align:left;border-bottom:1px solid #eee}
th{background:#f4f4f4;font-weight:600} td:not(:first-child){font-variant-numeric:tabular-nums}
.charts{display:grid;grid-template-columns:repeat(auto-fill,minmax(520px,1fr));gap:18px}
figure{margin:0;border:1px solid #e4e4e4;border-radius:4px;padding:6px} figure svg{width:100%;height:auto;display:block}
figcaption{color:#666;font-size:12px;padding:2px 4px}
)";

void metrics_section(Page& page, const RunRecord& run) {
  std::vector<std::vector<std::string>> rows;
  for (const auto& [name, value] : run.metrics) {
    if (name.ends_with("_std") && run.metrics.count(name.substr(0, name.size() - 4))) continue;
    std::vector<std::string> row{name, format_value(value)};
    const auto sd = run.metrics.find(name + "_std");
    row.push_back(sd == run.metrics.end() ? "" : "± " + format_value(sd->second));
    std::string folds;
    if (const auto steps = run.metric_steps.find(name); steps != run.metric_steps.end() && steps->second.size() <= 20)
      for (double v : steps->second) folds += (folds.empty() ? "" : "  ") + format_value(v);
    row.push_back(folds);
    rows.push_back(row);
  }
  if (rows.empty()) return;
  page.heading("Metrics");
  if (run.info.contains("validation"))
    page.raw() << "<p class=\"meta\">"
               << html_escape(json_value_text(run.info["validation"].value("method", nlohmann::json("")))) << "</p>\n";
  page.table({"metric", "value", "std", "per fold (or step)"}, rows);
}

void results_section(Page& page, const RunRecord& run) {
  auto read_json = [&](const char* name) -> nlohmann::json {
    const auto it = run.artifacts.find(name);
    if (it == run.artifacts.end() || !std::filesystem::exists(it->second)) return nullptr;
    return nlohmann::json::parse(read_file(it->second), nullptr, false);
  };
  if (const auto board = read_json("leaderboard.json"); board.is_object()) {
    page.heading("Leaderboard");
    const std::string metric = board.value("metric", "");
    std::vector<std::vector<std::string>> rows;
    for (const auto& e : board["entries"]) {
      const auto& m = e["metrics"][metric];
      rows.push_back({json_value_text(e["rank"]), json_value_text(e["estimator"]), json_value_text(m["mean"]),
                      "± " + json_value_text(m["std"])});
    }
    page.raw() << "<p class=\"meta\">" << html_escape(board.value("validation", "")) << ", ranked by "
               << html_escape(metric) << "</p>\n";
    page.table({"rank", "estimator", metric + " mean", "std"}, rows);
  }
  if (const auto search = read_json("search.json"); search.is_object()) {
    page.heading("Search results");
    const std::string metric = search.value("metric", "");
    std::vector<std::vector<std::string>> rows;
    for (const auto& c : search["candidates"]) {
      if (rows.size() == 25) break;
      std::string params;
      for (const auto& [k, v] : c["searched"].items())
        params += (params.empty() ? "" : "  ") + k + "=" + json_value_text(v);
      const auto& m = c["metrics"][metric];
      rows.push_back({json_value_text(c["rank"]), params,
                      c.value("finished", false) ? json_value_text(m["mean"]) : "not finished",
                      c.value("finished", false) ? "± " + json_value_text(m["std"]) : ""});
    }
    page.raw() << "<p class=\"meta\">" << search["candidates"].size() << " candidates, "
               << html_escape(search.value("validation", ""))
               << (search["candidates"].size() > 25 ? "; the best 25 shown" : "") << "</p>\n";
    page.table({"rank", "parameters", metric + " mean", "std"}, rows);
  }
}

void data_section(Page& page, const RunRecord& run, const HeldOutPredictions* predictions) {
  if (!run.info.contains("data")) return;
  const auto& d = run.info["data"];
  page.heading("Data");
  std::vector<std::vector<std::string>> rows = {
      {"source", json_value_text(d.value("source", nlohmann::json("")))},
      {"rows", json_value_text(d.value("rows", nlohmann::json()))},
      {"columns", json_value_text(d.value("columns", nlohmann::json()))},
      {"target", json_value_text(d.value("target", nlohmann::json("")))},
      {"fingerprint", json_value_text(d.value("fingerprint", nlohmann::json("")))}};
  std::string missing;
  if (d.contains("missing"))
    for (const auto& [col, n] : d["missing"].items())
      missing += (missing.empty() ? "" : ", ") + col + " " + json_value_text(n);
  rows.push_back({"missing values", missing.empty() ? "none" : missing});
  if (predictions && predictions->evaluation.task == Task::classification) {
    std::vector<double> counts(predictions->classes.size(), 0);
    for (double t : predictions->evaluation.truth) counts[static_cast<std::size_t>(t)] += 1;
    std::string balance;
    for (std::size_t c = 0; c < counts.size(); ++c) {
      char share[32];
      std::snprintf(share, sizeof share, " %.1f%%", 100.0 * counts[c] / static_cast<double>(predictions->size()));
      balance += (balance.empty() ? "" : ", ") + predictions->classes[c] + share;
    }
    rows.push_back({"class balance (held-out rows)", balance});
  }
  page.table({"", ""}, rows);
}

void schema_section(Page& page, const RunRecord& run) {
  if (!run.info.contains("schema")) return;
  page.heading("Input schema");
  std::vector<std::vector<std::string>> rows;
  for (const auto& f : run.info["schema"]) {
    std::string cats;
    if (f.contains("categories")) {
      const auto& c = f["categories"];
      for (std::size_t i = 0; i < c.size() && i < 8; ++i) cats += (i ? ", " : "") + c[i].get<std::string>();
      if (c.size() > 8) cats += ", … " + std::to_string(c.size() - 8) + " more";
    }
    rows.push_back({json_value_text(f["name"]), json_value_text(f["type"]), cats});
  }
  page.table({"column", "type", "categories"}, rows);
}

// What the model's predictions rest on: the contributions' summary and how
// the predictions follow the column that contributes most. Its charts' ids get
// a prefix of their own ("e0-"), apart from the Charts section's.
void explanations_section(Page& page, const ReportExplanations& e) {
  std::vector<std::pair<std::string, Chart>> charts;
  charts.emplace_back("summary", contributions_summary(e.contributions, e.data));
  const std::string top = contribution_ranking(e.contributions).front();
  if (e.model && e.data.find(top))
    charts.emplace_back("pdp", partial_dependence_chart(partial_dependence(*e.model, e.data, top)));
  page.heading("Explanations");
  page.raw() << "<p class=\"meta\">" << html_escape(e.contributions.method) << " contributions of "
             << e.contributions.values.front().rows() << " rows"
             << (charts.size() > 1 ? "; the partial dependence of the column that contributes most, " + html_escape(top)
                                   : "")
             << "</p>\n<div class=\"charts\">\n";
  for (std::size_t i = 0; i < charts.size(); ++i)
    page.raw() << "<figure id=\"chart-" << charts[i].first << "\">"
               << render_inline_svg(charts[i].second, "e" + std::to_string(i) + "-") << "<figcaption>"
               << html_escape(charts[i].first) << "</figcaption></figure>\n";
  page.raw() << "</div>\n";
}

}  // namespace

std::string html_report(const RunRecord& run, const ReportExplanations* explanations) {
  Page page;
  const std::string title = run.kind + " run " + run.id.substr(0, 8);
  page.raw() << "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n<title>" << html_escape(title)
             << " · shipml</title>\n<style>" << kStyle << "</style></head>\n<body><main>\n";
  page.raw() << "<h1>" << html_escape(title) << " <span class=\"status " << html_escape(run.status) << "\">"
             << html_escape(run.status) << "</span></h1>\n";
  page.raw() << "<p class=\"meta\">experiment " << html_escape(run.experiment) << " · started "
             << html_escape(run.start_time) << " · " << format_value(run.duration_seconds) << " s";
  if (run.params.count("estimator")) page.raw() << " · " << html_escape(run.params.at("estimator"));
  page.raw() << "</p>\n";
  if (run.info.contains("command"))
    page.raw() << "<p class=\"meta\"><code>" << html_escape(json_value_text(run.info["command"])) << "</code></p>\n";
  if (!run.error.empty()) page.raw() << "<p class=\"meta\">error: " << html_escape(run.error) << "</p>\n";

  metrics_section(page, run);
  results_section(page, run);

  std::optional<HeldOutPredictions> predictions;
  if (run.artifacts.count("predictions.csv")) predictions = run_predictions(run);
  const auto charts = run_charts(run, predictions ? &*predictions : nullptr);
  if (!charts.empty()) {
    page.heading("Charts");
    page.raw() << "<div class=\"charts\">\n";
    for (std::size_t i = 0; i < charts.size(); ++i)
      page.raw() << "<figure id=\"chart-" << charts[i].first << "\">" << inline_svg(charts[i].second, i)
                 << "<figcaption>" << html_escape(charts[i].first) << "</figcaption></figure>\n";
    page.raw() << "</div>\n";
  }
  if (explanations) explanations_section(page, *explanations);
  if (!run.params.empty()) {
    page.heading("Parameters");
    std::vector<std::vector<std::string>> rows;
    for (const auto& [k, v] : run.params) rows.push_back({k, v});
    page.table({"parameter", "value"}, rows);
  }
  data_section(page, run, predictions ? &*predictions : nullptr);
  schema_section(page, run);
  page.heading("Environment");
  std::vector<std::vector<std::string>> env;
  for (const char* key : {"user", "host", "working_directory", "git_commit", "shipml_version"})
    if (run.info.contains(key)) env.push_back({key, json_value_text(run.info[key])});
  for (const auto& [name, path] : run.artifacts) env.push_back({"artifact " + name, path});
  page.table({"", ""}, env);
  page.raw() << "<p class=\"meta\">Written by shipml " << SHIPML_VERSION << ".</p>\n</main></body></html>\n";
  return page.str();
}

}  // namespace shipml
