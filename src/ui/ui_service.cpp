// Routes the UI's requests to its pages and actions, one request at a time
// (the store is one connection), and adds what every answer needs: security
// headers, the session cookie, errors as pages.
#include "shipml/ui/ui_service.hpp"

#include <mutex>

#include "shipml/core/error.hpp"
#include "shipml/io/file.hpp"
#include "shipml/track/run_store.hpp"
#include "ui/actions.hpp"
#include "ui/assets.hpp"
#include "ui/pages.hpp"

namespace shipml::ui {
namespace {

constexpr const char* kCookie = "shipml_ui_session";

// Scripts only from the server itself; no frames, no forms to elsewhere.
constexpr const char* kPolicy =
    "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
    "form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

// The path's segments, decoded: /runs/ab%20c -> {"runs", "ab c"}.
std::vector<std::string> segments(std::string_view path) {
  std::vector<std::string> out;
  while (!path.empty()) {
    if (path.front() == '/') {
      path.remove_prefix(1);
      continue;
    }
    const std::size_t slash = path.find('/');
    out.push_back(url_decode(path.substr(0, slash)));
    path = slash == std::string_view::npos ? std::string_view() : path.substr(slash);
  }
  return out;
}

bool same_origin(const serve::HttpRequest& request) {
  const std::string_view origin = request.header("origin");
  if (origin.empty()) return true;  // not sent by every browser for same-origin POSTs
  const std::string_view host = request.header("host");
  return origin == "http://" + std::string(host) || origin == "https://" + std::string(host);
}

std::string bearer_token(const serve::HttpRequest& request) {
  const std::string_view auth = request.header("authorization");
  return auth.starts_with("Bearer ") ? std::string(auth.substr(7)) : "";
}

}  // namespace

struct UiService::State {
  UiOptions options;
  std::unique_ptr<RunStore> store;
  Sessions sessions;
  std::mutex mutex;
};

UiService::UiService(UiOptions options) : state_(std::make_unique<State>()) {
  state_->options = std::move(options);
  state_->store = RunStore::open(state_->options.store);
}

UiService::~UiService() = default;

void UiService::handle(const serve::HttpRequest& request, const serve::Peer& peer, serve::HttpResponse& response) {
  const auto parts = segments(request.path);
  const bool get = request.method == "GET" || request.method == "HEAD", post = request.method == "POST";
  response.headers.emplace_back("X-Content-Type-Options", "nosniff");
  response.headers.emplace_back("Referrer-Policy", "same-origin");
  if (get && parts.size() == 2 && parts[0] == "static") {
    response.headers.emplace_back("Cache-Control", "max-age=3600");
    if (parts[1] == "ui.css") return response.set(200, std::string(stylesheet()), "text/css; charset=utf-8");
    if (parts[1] == "ui.js") return response.set(200, std::string(script()), "text/javascript; charset=utf-8");
    if (parts[1] == "icon.svg") return response.set(200, std::string(icon()), "image/svg+xml");
  }
  if (get && parts.empty()) {
    response.set(303, "", "text/html; charset=utf-8");
    response.headers.emplace_back("Location", "/runs");
    return;
  }

  std::lock_guard lock(state_->mutex);
  Context c{*state_->store, state_->options, Form(request.query), state_->sessions.find(cookie(request, kCookie)),
            std::string(request.path) + (request.query.empty() ? "" : "?" + std::string(request.query))};
  Page page;
  try {
    if (!get && !post) {
      page = message_page(405, "Method not allowed", std::string(request.method) + " is not used here");
    } else if (post) {
      ActionRequest action{
          Form(request.body),
          !state_->options.token.empty() && serve::constant_time_equal(bearer_token(request), state_->options.token),
          same_origin(request), "ui (" + peer.address + ")"};
      if (parts.size() == 1 && parts[0] == "login") page = login(c, action, state_->sessions);
      else if (parts.size() == 1 && parts[0] == "logout") page = logout(c, action, state_->sessions);
      else if (parts.size() == 2 && parts[0] == "actions") page = act(c, parts[1], action);
      else page = message_page(404, "Not found", "nothing to post to at " + std::string(request.path));
    } else if (parts.size() == 1 && parts[0] == "runs") {
      page = runs_page(c);
    } else if (parts.size() == 2 && parts[0] == "runs") {
      page = run_page(c, parts[1]);
    } else if (parts.size() == 4 && parts[0] == "runs" && parts[2] == "artifacts") {
      page = artifact_download(c, parts[1], parts[3]);
    } else if (parts.size() == 1 && parts[0] == "compare") {
      page = compare_page(c);
    } else if (parts.size() == 1 && parts[0] == "models") {
      page = models_page(c);
    } else if (parts.size() == 2 && parts[0] == "models") {
      page = model_page(c, parts[1]);
    } else if (parts.size() == 1 && parts[0] == "login") {
      page = login_page(c);
    } else {
      page = message_page(404, "Not found", "no page at " + std::string(request.path));
    }
  } catch (const NotFound& e) {
    page = message_page(404, "Not found", e.what());
  } catch (const UsageError& e) {  // a bad value in a form or a filter, an unknown version or alias
    page = message_page(400, "Cannot do that", e.what());
  } catch (const Error& e) {
    page = message_page(500, "Something went wrong", e.what());
  }

  if (page.session_cookie)
    response.headers.emplace_back("Set-Cookie", std::string(kCookie) + "=" + *page.session_cookie +
                                                    "; Path=/; HttpOnly; SameSite=Strict" +
                                                    (page.session_cookie->empty() ? "; Max-Age=0" : ""));
  if (!page.redirect.empty()) {
    response.set(303, "", "text/html; charset=utf-8");
    response.headers.emplace_back("Location", page.redirect);
    return;
  }
  if (!page.download.empty()) {
    std::string safe_name;
    for (const char ch : page.download_name) safe_name += ch == '"' || ch == '\\' || ch < ' ' ? '_' : ch;
    response.headers.emplace_back("Content-Disposition", "attachment; filename=\"" + safe_name + "\"");
    return response.set(200, read_file(page.download), "application/octet-stream");
  }
  c.session = state_->sessions.find(page.session_cookie.value_or(cookie(request, kCookie)));
  response.headers.emplace_back("Content-Security-Policy", kPolicy);
  response.headers.emplace_back("X-Frame-Options", "DENY");
  response.headers.emplace_back("Cache-Control", "no-store");
  response.set(page.status, frame(page, c), "text/html; charset=utf-8");
}

}  // namespace shipml::ui
