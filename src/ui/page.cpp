#include "ui/page.hpp"

namespace shipml::ui {

Page message_page(int status, const std::string& title, const std::string& text, const std::string& back) {
  Page page;
  page.status = status;
  page.title = title;
  page.body = "<h1>" + html_escape(title) + "</h1>\n<p class=\"message\">" + html_escape(text) + "</p>\n<p><a href=\"" +
              html_escape(back) + "\">Back</a></p>\n";
  return page;
}

RunRecord find_run(Context& c, const std::string& id) {
  try {
    return c.store.get(id);
  } catch (const UsageError& e) {
    throw NotFound(e.what());
  }
}

std::string csrf_field(const Context& context) {
  return context.session ? "<input type=\"hidden\" name=\"csrf\" value=\"" + html_escape(context.session->csrf) + "\">"
                         : "";
}

std::string frame(const Page& page, const Context& context) {
  const auto nav = [&](const char* section, const char* href, const char* label) {
    return std::string("<a href=\"") + href + "\"" + (page.section == section ? " class=\"active\"" : "") + ">" +
           label + "</a>";
  };
  std::string who;
  if (context.options.read_only) {
    who = "<span class=\"badge\" title=\"started with --read-only: nothing can be changed\">read-only</span>";
  } else if (context.options.token.empty()) {
    who = "<span class=\"badge\" title=\"start shipml ui with --token-file to promote, alias or delete\">"
          "browse only</span>";
  } else if (context.session) {
    who = "<form method=\"post\" action=\"/logout\" class=\"inline\">" + csrf_field(context) +
          "<button type=\"submit\" class=\"link\">Sign out</button></form>";
  } else {
    who = "<a href=\"/login?next=" + url_encode(context.path) + "\">Sign in</a>";
  }
  std::string html;
  html += "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n";
  html += "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n";
  html += "<title>" + html_escape(page.title) + " · shipml</title>\n";
  html += "<link rel=\"icon\" href=\"/static/icon.svg\" type=\"image/svg+xml\">\n";
  html += "<link rel=\"stylesheet\" href=\"/static/ui.css\">\n<script src=\"/static/ui.js\" defer></script>\n";
  html += "</head><body>\n<header><a class=\"brand\" href=\"/runs\">shipml</a><nav>" + nav("runs", "/runs", "Runs") +
          nav("models", "/models", "Models") + "</nav><span class=\"store\">" + html_escape(context.store.uri()) +
          "</span>" + who + "</header>\n<main>\n";
  html += page.body;
  html += "</main>\n</body></html>\n";
  return html;
}

std::string hidden(const std::string& name, const std::string& value) {
  return "<input type=\"hidden\" name=\"" + html_escape(name) + "\" value=\"" + html_escape(value) + "\">";
}

std::string table(const std::vector<std::string>& header, const std::vector<std::vector<std::string>>& rows) {
  std::string html = "<table><thead><tr>";
  for (const auto& h : header) html += "<th>" + html_escape(h) + "</th>";
  html += "</tr></thead><tbody>\n";
  for (const auto& row : rows) {
    html += "<tr>";
    for (const auto& cell : row) html += "<td>" + html_escape(cell) + "</td>";
    html += "</tr>\n";
  }
  return html + "</tbody></table>\n";
}

std::string run_link(const std::string& id) {
  return "<a href=\"/runs/" + url_encode(id) + "\"><code>" + html_escape(id.substr(0, 8)) + "</code></a>";
}

}  // namespace shipml::ui
