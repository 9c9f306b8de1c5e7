// The list of runs: filters (experiment, kind, status, estimator, and any
// condition on metrics and parameters), sorting by any column, pages, and
// the boxes that pick runs to compare. One page of runs is read from the
// store, however many there are; the count comes from one COUNT query.
#include <algorithm>
#include <set>

#include "shipml/core/error.hpp"
#include "ui/pages.hpp"

namespace shipml::ui {
namespace {

const char* const kStatuses[] = {"running", "finished", "failed", "interrupted"};
const char* const kKinds[] = {"train", "score", "compare", "search", "select", "run", "predict", "explain"};

// This list's address with some query fields changed (an empty value drops one).
std::string list_url(const Form& query, const std::vector<std::pair<std::string, std::string>>& changes) {
  std::vector<std::pair<std::string, std::string>> fields;
  for (const auto& f : query.fields())
    if (std::none_of(changes.begin(), changes.end(), [&](const auto& c) { return c.first == f.first; }))
      fields.push_back(f);
  for (const auto& c : changes)
    if (!c.second.empty()) fields.push_back(c);
  std::string url = "/runs";
  for (std::size_t i = 0; i < fields.size(); ++i)
    url += (i ? "&" : "?") + url_encode(fields[i].first) + "=" + url_encode(fields[i].second);
  return url;
}

std::string select(const std::string& name, const std::string& label, const std::vector<std::string>& options,
                   const std::string& chosen) {
  std::string html = "<label>" + label + " <select name=\"" + name + "\"><option value=\"\">any</option>";
  for (const auto& o : options)
    html += "<option" + std::string(o == chosen ? " selected" : "") + ">" + html_escape(o) + "</option>";
  return html + "</select></label>\n";
}

// The conditions the filter form's fields add to the typed filter.
std::string conditions(const Form& q) {
  std::vector<std::string> parts;
  const auto quoted = [](const std::string& v) { return "'" + v + "'"; };
  if (const auto s = q.get("status"); !s.empty()) parts.push_back("status = " + quoted(s));
  if (const auto k = q.get("kind"); !k.empty()) parts.push_back("kind = " + quoted(k));
  if (const auto e = q.get("estimator"); !e.empty()) parts.push_back("params.estimator = " + quoted(e));
  if (const auto f = q.get("filter"); !f.empty()) parts.push_back(f);
  std::string joined;
  for (const auto& p : parts) joined += (joined.empty() ? "" : " and ") + p;
  return joined;
}

std::string started(const std::string& iso) {  // 2026-12-01T17:20:05Z -> 2026-12-01 17:20:05
  std::string s = iso.substr(0, 19);
  if (s.size() > 10) s[10] = ' ';
  return s;
}

}  // namespace

Page runs_page(Context& c) {
  Page page;
  page.title = "Runs";
  page.section = "runs";
  const Form& q = c.query;
  RunQuery query;
  query.experiment = q.get("experiment");
  query.filter = conditions(q);
  query.sort = q.get("sort", "-start_time");
  const std::size_t per_page = c.options.page_size;
  const long asked = std::atol(q.get("page", "1").c_str());
  std::size_t page_number = asked > 0 ? static_cast<std::size_t>(asked) : 1;

  std::string error;
  std::vector<RunRecord> runs;
  std::size_t total = 0;
  try {
    total = c.store.count(query);
    const std::size_t pages = std::max<std::size_t>(1, (total + per_page - 1) / per_page);
    page_number = std::min(page_number, pages);
    query.limit = per_page;
    query.offset = (page_number - 1) * per_page;
    runs = c.store.list(query);
  } catch (const UsageError& e) {
    error = e.what();
    page.status = 400;
  }

  std::string& html = page.body;
  html += "<h1>Runs</h1>\n<form method=\"get\" action=\"/runs\" class=\"filters\">\n";
  html += select("experiment", "Experiment", c.store.experiments(), query.experiment);
  html += select("kind", "Kind", {std::begin(kKinds), std::end(kKinds)}, q.get("kind"));
  html += select("status", "Status", {std::begin(kStatuses), std::end(kStatuses)}, q.get("status"));
  html += "<label>Estimator <input name=\"estimator\" size=\"12\" value=\"" + html_escape(q.get("estimator")) +
          "\"></label>\n";
  html += "<label class=\"grow\">Filter <input name=\"filter\" placeholder=\"roc_auc &gt; 0.9 and "
          "params.max_leaves = 31\" value=\"" +
          html_escape(q.get("filter")) + "\"></label>\n";
  if (q.has("sort")) html += "<input type=\"hidden\" name=\"sort\" value=\"" + html_escape(q.get("sort")) + "\">";
  html += "<button type=\"submit\">Apply</button> <a href=\"/runs\">Clear</a>\n</form>\n";
  if (!error.empty()) html += "<p class=\"error\" role=\"alert\">" + html_escape(error) + "</p>\n";

  // Metric columns: those of the runs shown, the sorted one first.
  std::set<std::string> names;
  for (const auto& r : runs)
    for (const auto& [k, v] : r.metrics)
      if (!k.ends_with("_std")) names.insert(k);
  std::vector<std::string> metrics(names.begin(), names.end());
  const std::string sort_field = query.sort.starts_with('-') ? query.sort.substr(1) : query.sort;
  if (sort_field.starts_with("metrics.")) {
    const auto it = std::find(metrics.begin(), metrics.end(), sort_field.substr(8));
    if (it != metrics.end()) std::rotate(metrics.begin(), it, it + 1);
  }
  if (metrics.size() > 8) metrics.resize(8);

  const std::size_t first = total == 0 ? 0 : query.offset + 1, last = query.offset + runs.size();
  html += "<p class=\"meta\" id=\"count\">" +
          (total == 0 ? std::string("No runs") + (query.filter.empty() && query.experiment.empty() ? "" : " match")
                      : "Runs " + std::to_string(first) + "–" + std::to_string(last) + " of " + std::to_string(total)) +
          "</p>\n";
  if (runs.empty()) return page;

  const auto header = [&](const std::string& label, const std::string& field) {
    const bool on = sort_field == field;
    const bool descending = on && query.sort.starts_with('-');
    const std::string next = on && !descending ? "-" + field : field;
    return "<th><a href=\"" + html_escape(list_url(q, {{"sort", next}, {"page", ""}})) + "\"" +
           (on ? std::string(" class=\"sorted\" aria-sort=\"") + (descending ? "descending" : "ascending") + "\""
               : "") +
           ">" + html_escape(label) + (on ? (descending ? " ▼" : " ▲") : "") + "</a></th>";
  };
  html += "<form method=\"get\" action=\"/compare\" id=\"compare-form\">\n";
  html += "<p><button type=\"submit\" id=\"compare\">Compare selected</button> <span class=\"hint\">pick 2 to 10 "
          "runs</span></p>\n";
  html += "<table class=\"runs\"><thead><tr><th></th>" + header("Run", "id") + header("Experiment", "experiment") +
          header("Kind", "kind") + header("Estimator", "params.estimator") + header("Status", "status") +
          header("Started", "start_time") + header("Seconds", "duration");
  for (const auto& m : metrics) html += header(m, "metrics." + m);
  html += "</tr></thead><tbody>\n";
  for (const auto& r : runs) {
    const auto estimator = r.params.find("estimator");
    html += "<tr><td><input type=\"checkbox\" name=\"run\" value=\"" + html_escape(r.id) + "\" aria-label=\"select " +
            html_escape(r.id.substr(0, 8)) + "\"></td><td>" + run_link(r.id) + "</td><td>" + html_escape(r.experiment) +
            "</td><td>" + html_escape(r.kind) + "</td><td>" +
            html_escape(estimator == r.params.end() ? "" : estimator->second) + "</td><td><span class=\"status " +
            html_escape(r.status) + "\">" + html_escape(r.status) + "</span></td><td>" +
            html_escape(started(r.start_time)) + "</td><td class=\"num\">" + format_value(r.duration_seconds) + "</td>";
    for (const auto& m : metrics) {
      const auto v = r.metrics.find(m);
      html += "<td class=\"num\">" + (v == r.metrics.end() ? std::string() : format_value(v->second)) + "</td>";
    }
    html += "</tr>\n";
  }
  html += "</tbody></table>\n</form>\n";
  const std::size_t pages = (total + per_page - 1) / per_page;
  if (pages > 1) {
    html += "<nav class=\"pages\">";
    if (page_number > 1)
      html += "<a rel=\"prev\" href=\"" + html_escape(list_url(q, {{"page", std::to_string(page_number - 1)}})) +
              "\">← Previous</a> ";
    html += "<span>page " + std::to_string(page_number) + " of " + std::to_string(pages) + "</span>";
    if (page_number < pages)
      html += " <a rel=\"next\" href=\"" + html_escape(list_url(q, {{"page", std::to_string(page_number + 1)}})) +
              "\">Next →</a>";
    html += "</nav>\n";
  }
  return page;
}

}  // namespace shipml::ui
