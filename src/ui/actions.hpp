#pragma once
// What changes the store from the UI: signing in and out, and the actions
// (promote, set or remove an alias, delete a run). An action is refused
// unless the UI may act (a token was given, not --read-only), the request
// carries the token (a session cookie started with it, plus the session's
// CSRF value; or an Authorization: Bearer header) and comes from the UI's own
// pages; then it is shown for confirmation, and done only once confirmed.
#include <map>
#include <string>

#include "ui/page.hpp"

namespace shipml::ui {

/// Sessions started with the token, by id.
class Sessions {
 public:
  /// A new session: a fresh random id and CSRF value.
  const Session& start();
  /// The session with this id, or null.
  const Session* find(const std::string& id) const;
  void end(const std::string& id);

 private:
  std::map<std::string, Session> sessions_;
};

/// A request as the actions see it.
struct ActionRequest {
  Form form;                // the posted fields
  bool bearer = false;      // it carried the right Authorization: Bearer token
  bool same_origin = true;  // its Origin header, if any, is the UI's own
  std::string actor;        // who, for the history: "ui (ADDRESS)"
};

/// GET /login: the form that takes the token.
Page login_page(Context& c);
/// POST /login: a session when the token is right (its id in Page::session_cookie).
Page login(Context& c, const ActionRequest& r, Sessions& sessions);
/// POST /logout.
Page logout(Context& c, const ActionRequest& r, Sessions& sessions);
/// POST /actions/WHAT.
Page act(Context& c, const std::string& what, const ActionRequest& r);

}  // namespace shipml::ui
