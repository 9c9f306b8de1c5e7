#pragma once
// What every page shares: the request's context (store, options, the
// visitor's session), the page a handler returns, and the frame around it
// (navigation, who is signed in, the style sheet and script).
#include <optional>
#include <string>
#include <vector>

#include "shipml/core/error.hpp"
#include "shipml/report/html.hpp"
#include "shipml/track/run_store.hpp"
#include "shipml/ui/ui_service.hpp"
#include "ui/form.hpp"

namespace shipml::ui {

/// A session started with the token: it may act, with its CSRF value in every form.
struct Session {
  std::string id, csrf;
};

/// What a page handler works with.
struct Context {
  RunStore& store;
  const UiOptions& options;
  Form query;                        // the query string
  const Session* session = nullptr;  // null: not signed in
  std::string path;                  // the request's path, for links back
  /// Whether this visitor may act: signed in, and the UI not read-only.
  bool can_act() const { return session != nullptr && !options.read_only && !options.token.empty(); }
};

/// A handler's answer: an HTML page (status, title, body inside the frame),
/// a redirect, or a file to download.
struct Page {
  int status = 200;
  std::string title, section;  // section: "runs" or "models", highlighted in the navigation
  std::string body;
  std::string redirect;                       // set: 303 See Other to here
  std::string download, download_name;        // set: this file, as an attachment
  std::optional<std::string> session_cookie;  // set: the session cookie to send ("" ends it)
};

/// What a page asked for is not there: answered 404.
struct NotFound : UsageError {
  using UsageError::UsageError;
};

/// The run with this id (or unique prefix); NotFound otherwise.
RunRecord find_run(Context& c, const std::string& id);

/// A page holding one message (an error, a refusal), with a link back.
Page message_page(int status, const std::string& title, const std::string& text, const std::string& back = "/runs");

/// The whole HTML document: navigation, the session's state, the body.
std::string frame(const Page& page, const Context& context);

/// A hidden field with the session's CSRF value, for every form that acts.
std::string csrf_field(const Context& context);

/// A hidden form field, escaped.
std::string hidden(const std::string& name, const std::string& value);

/// A table of escaped cells.
std::string table(const std::vector<std::string>& header, const std::vector<std::vector<std::string>>& rows);

/// A run id as shown: its first 8 characters, linked to its page.
std::string run_link(const std::string& id);

}  // namespace shipml::ui
