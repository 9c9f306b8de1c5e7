// The registry: every model with where its stages and aliases point, and one
// model's versions (stage, aliases, source run, metrics) with the forms that
// move them, and its history of changes: who did what, and when.
#include <map>

#include "shipml/core/error.hpp"
#include "shipml/track/registry.hpp"
#include "ui/pages.hpp"

namespace shipml::ui {
namespace {

const char* const kStages[] = {"none", "staging", "production", "archived"};

std::string joined(const std::vector<std::string>& items) {
  std::string out;
  for (const auto& i : items) out += (out.empty() ? "" : ", ") + i;
  return out;
}

std::string model_link(const std::string& name) {
  return "<a href=\"/models/" + url_encode(name) + "\">" + html_escape(name) + "</a>";
}

// The forms of one version: move it to a stage, point an alias at it.
std::string version_actions(const Context& c, const ModelVersion& v) {
  std::string html = "<form method=\"post\" action=\"/actions/promote\" class=\"inline\">" + csrf_field(c) +
                     hidden("model", v.name) + hidden("version", std::to_string(v.version)) +
                     "<select name=\"stage\" aria-label=\"stage for version " + std::to_string(v.version) + "\">";
  for (const char* s : kStages)
    if (s != v.stage) html += std::string("<option>") + s + "</option>";
  html += "</select> <button type=\"submit\">Move</button></form> ";
  html += "<form method=\"post\" action=\"/actions/alias\" class=\"inline\">" + csrf_field(c) +
          hidden("model", v.name) + hidden("version", std::to_string(v.version)) +
          "<input name=\"alias\" size=\"10\" placeholder=\"alias\" aria-label=\"alias for version " +
          std::to_string(v.version) + "\" required> <button type=\"submit\">Set alias</button></form>";
  return html;
}

}  // namespace

Page models_page(Context& c) {
  ModelRegistry registry(c.store);
  Page page;
  page.title = "Models";
  page.section = "models";
  std::string& html = page.body;
  html += "<h1>Registered models</h1>\n";
  const auto names = registry.names();
  if (names.empty()) {
    html += "<p class=\"meta\">No registered models yet: <code>shipml registry register NAME --run RUN</code>.</p>\n";
    return page;
  }
  html += "<table class=\"models\"><thead><tr><th>Model</th><th>Versions</th><th>Production</th><th>Staging</th>"
          "<th>Aliases</th><th>Latest registered</th></tr></thead><tbody>\n";
  for (const auto& name : names) {
    const auto versions = registry.versions(name);
    std::string production, staging;
    std::vector<std::string> aliases;
    for (const auto& v : versions) {
      if (v.stage == "production") production = std::to_string(v.version);
      if (v.stage == "staging") staging = std::to_string(v.version);
      for (const auto& a : v.aliases) aliases.push_back(a + " → " + std::to_string(v.version));
    }
    html += "<tr><td>" + model_link(name) + "</td><td class=\"num\">" + std::to_string(versions.size()) +
            "</td><td class=\"num\">" + production + "</td><td class=\"num\">" + staging + "</td><td>" +
            html_escape(joined(aliases)) + "</td><td>" + html_escape(versions.back().created) + "</td></tr>\n";
  }
  html += "</tbody></table>\n";
  return page;
}

Page model_page(Context& c, const std::string& name) {
  ModelRegistry registry(c.store);
  const auto versions = registry.versions(name);
  if (versions.empty())
    return message_page(404, "No such model", "no model is registered as '" + name + "'", "/models");
  Page page;
  page.title = "Model " + name;
  page.section = "models";
  std::string& html = page.body;
  html += "<h1>" + html_escape(name) +
          "</h1>\n<p class=\"meta\">Serve or score a version by reference: <code>models:/" + html_escape(name) +
          "/production</code>, <code>models:/" + html_escape(name) + "@ALIAS</code>, <code>models:/" +
          html_escape(name) + "/3</code></p>\n";

  html += "<h2>Versions</h2>\n<table class=\"versions\"><thead><tr><th>Version</th><th>Stage</th><th>Aliases</th>"
          "<th>Source run</th><th>Registered</th><th>Metrics</th><th>Notes</th>" +
          std::string(c.can_act() ? "<th>Change</th>" : "") + "</tr></thead><tbody>\n";
  for (auto it = versions.rbegin(); it != versions.rend(); ++it) {
    const ModelVersion& v = *it;
    std::string metrics;
    for (const auto& [k, m] : v.metrics.items())
      if (!k.ends_with("_std") && m.is_number() && metrics.size() < 80)
        metrics += (metrics.empty() ? "" : ", ") + k + " " + format_value(m.get<double>());
    std::string aliases;
    for (const auto& a : v.aliases) {
      aliases += "<span class=\"alias\">@" + html_escape(a);
      if (c.can_act())
        aliases += "<form method=\"post\" action=\"/actions/unalias\" class=\"inline\">" + csrf_field(c) +
                   hidden("model", v.name) + hidden("alias", a) +
                   "<button type=\"submit\" class=\"link\" title=\"remove @" + html_escape(a) +
                   "\" aria-label=\"remove alias " + html_escape(a) + "\">×</button></form>";
      aliases += "</span> ";
    }
    html += "<tr id=\"v" + std::to_string(v.version) + "\"><td class=\"num\">" + std::to_string(v.version) +
            "</td><td><span class=\"stage " + html_escape(v.stage) + "\">" + html_escape(v.stage) + "</span></td><td>" +
            aliases + "</td><td>" + (v.source_run.empty() ? "file" : run_link(v.source_run)) + "</td><td>" +
            html_escape(v.created) + "</td><td>" + html_escape(metrics) + "</td><td>" + html_escape(v.notes) + "</td>" +
            (c.can_act() ? "<td>" + version_actions(c, v) + "</td>" : "") + "</tr>\n";
  }
  html += "</tbody></table>\n";

  const auto events = registry.history(name, 200);
  html += "<h2>History</h2>\n";
  if (events.empty()) {
    html += "<p class=\"meta\">No changes recorded.</p>\n";
    return page;
  }
  std::vector<std::vector<std::string>> rows;
  for (const auto& e : events) {
    std::string change = e.action;
    if (e.action == "stage") change = "stage " + e.from + " → " + e.to;
    else if (e.action == "alias_set")
      change = "alias @" + e.to + (e.from.empty() ? "" : " (was version " + e.from + ")");
    else if (e.action == "alias_removed") change = "alias @" + e.from + " removed";
    rows.push_back({e.at, std::to_string(e.version), change, e.actor, e.notes});
  }
  html += "<div id=\"history\">" + table({"when", "version", "change", "who", "notes"}, rows) + "</div>";
  return page;
}

}  // namespace shipml::ui
