#include "ui/actions.hpp"

#include "shipml/core/error.hpp"
#include "shipml/core/random.hpp"
#include "shipml/serve/http.hpp"
#include "shipml/track/registry.hpp"
#include "ui/pages.hpp"

namespace shipml::ui {
namespace {

// A path on this site to go back to: never another site ("//host", "https:").
std::string local_path(const std::string& next) {
  return next.starts_with('/') && !next.starts_with("//") && next.find('\\') == std::string::npos ? next : "/runs";
}

// Why this request may not act, or "" when it may.
std::string refusal(const Context& c, const ActionRequest& r, int& status) {
  status = 403;
  if (c.options.read_only) return "This UI was started with --read-only: nothing can be changed from it.";
  if (c.options.token.empty()) return "This UI was started without --token-file: nobody can change anything from it.";
  if (!r.same_origin) return "The request did not come from this UI's own pages.";
  if (r.bearer) return "";
  if (!c.session) {
    status = 401;
    return "Sign in with the token first.";
  }
  if (!serve::constant_time_equal(r.form.get("csrf"), c.session->csrf))
    return "The form is stale or forged (its CSRF value does not match your session): reload the page and try again.";
  return "";
}

int version_of(const Form& form) {
  const std::string text = form.get("version");
  char* end = nullptr;
  const long v = std::strtol(text.c_str(), &end, 10);
  if (text.empty() || *end != '\0' || v <= 0) throw UsageError("version '" + text + "' is not a version number");
  return static_cast<int>(v);
}

// The question an action asks before it is done, and where it goes back to.
struct Confirmation {
  std::string question, back;
};

Confirmation describe(Context& c, const std::string& what, const Form& f) {
  const std::string model = f.get("model"), back_model = "/models/" + url_encode(model);
  if (what == "promote") {
    const std::string stage = f.get("stage");
    std::string question = "Move " + model + " version " + std::to_string(version_of(f)) + " to " + stage + "?";
    if (stage == "staging" || stage == "production")
      for (const auto& v : ModelRegistry(c.store).versions(model))
        if (v.stage == stage && v.version != version_of(f))
          question += " Version " + std::to_string(v.version) + ", in " + stage + " now, will be archived.";
    return {question, back_model};
  }
  if (what == "alias")
    return {"Point " + model + "@" + f.get("alias") + " at version " + std::to_string(version_of(f)) + "?", back_model};
  if (what == "unalias") return {"Remove the alias " + model + "@" + f.get("alias") + "?", back_model};
  if (what == "delete-run") {
    const RunRecord run = c.store.get(f.get("run"));
    return {"Delete run " + run.id.substr(0, 8) + " (" + run.kind + ", " + run.start_time +
                ") with its records and artifacts? This cannot be undone.",
            "/runs/" + url_encode(run.id)};
  }
  throw UsageError("no action '" + what + "'");
}

// Does it; returns where to go next.
std::string perform(Context& c, const std::string& what, const ActionRequest& r) {
  const Form& f = r.form;
  const std::string model = f.get("model");
  ModelRegistry registry(c.store);
  if (what == "promote") {
    registry.promote(model, version_of(f), f.get("stage"), f.get("notes"), r.actor);
    return "/models/" + url_encode(model);
  }
  if (what == "alias") {
    registry.set_alias(model, f.get("alias"), version_of(f), r.actor);
    return "/models/" + url_encode(model);
  }
  if (what == "unalias") {
    registry.remove_alias(model, f.get("alias"), r.actor);
    return "/models/" + url_encode(model);
  }
  if (what == "delete-run") {
    c.store.remove(f.get("run"));
    return "/runs";
  }
  throw UsageError("no action '" + what + "'");
}

}  // namespace

const Session& Sessions::start() {
  Session s{random_id(), random_id()};
  return sessions_[s.id] = s;
}

const Session* Sessions::find(const std::string& id) const {
  const auto it = sessions_.find(id);
  return it == sessions_.end() ? nullptr : &it->second;
}

void Sessions::end(const std::string& id) { sessions_.erase(id); }

Page login_page(Context& c) {
  if (c.options.token.empty() || c.options.read_only)
    return message_page(403, "Nothing to sign in to",
                        c.options.read_only ? "This UI was started with --read-only."
                                            : "This UI was started without --token-file: it is for browsing only.");
  Page page;
  page.title = "Sign in";
  page.body = "<h1>Sign in</h1>\n<p class=\"meta\">The token is in the file given to <code>shipml ui "
              "--token-file</code>. Signing in lets you promote, alias and delete.</p>\n"
              "<form method=\"post\" action=\"/login\" class=\"login\">" +
              hidden("next", local_path(c.query.get("next", "/runs"))) +
              "<label>Token <input type=\"password\" name=\"token\" autocomplete=\"current-password\" required "
              "autofocus></label> <button type=\"submit\">Sign in</button></form>\n";
  return page;
}

Page login(Context& c, const ActionRequest& r, Sessions& sessions) {
  if (c.options.token.empty() || c.options.read_only) return login_page(c);
  if (!r.same_origin) return message_page(403, "Refused", "The request did not come from this UI's own pages.");
  if (!serve::constant_time_equal(r.form.get("token"), c.options.token))
    return message_page(403, "Wrong token", "That is not the token this UI was started with.",
                        "/login?next=" + url_encode(local_path(r.form.get("next", "/runs"))));
  Page page;
  page.session_cookie = sessions.start().id;
  page.redirect = local_path(r.form.get("next", "/runs"));
  return page;
}

Page logout(Context& c, const ActionRequest& r, Sessions& sessions) {
  if (c.session && serve::constant_time_equal(r.form.get("csrf"), c.session->csrf)) sessions.end(c.session->id);
  Page page;
  page.session_cookie = "";
  page.redirect = "/runs";
  return page;
}

Page act(Context& c, const std::string& what, const ActionRequest& r) {
  int status = 403;
  if (const std::string why = refusal(c, r, status); !why.empty()) {
    Page page = message_page(status, "Not allowed", why);
    if (status == 401) page.body += "<p><a href=\"/login\">Sign in</a></p>\n";
    return page;
  }
  const Confirmation confirmation = describe(c, what, r.form);
  if (r.form.get("confirm") == "yes") {
    Page page;
    page.redirect = perform(c, what, r);
    if (c.options.on_action) c.options.on_action(r.actor + ": done: " + confirmation.question);
    return page;
  }
  Page page;
  page.title = "Confirm";
  page.body = "<h1>Confirm</h1>\n<p class=\"question\">" + html_escape(confirmation.question) +
              "</p>\n<form method=\"post\" action=\"/actions/" + html_escape(what) + "\">";
  for (const auto& [k, v] : r.form.fields())
    if (k != "confirm") page.body += hidden(k, v);
  page.body += hidden("confirm", "yes") + "<button type=\"submit\" id=\"confirm\">Confirm</button> <a href=\"" +
               html_escape(confirmation.back) + "\">Cancel</a></form>\n";
  return page;
}

}  // namespace shipml::ui
