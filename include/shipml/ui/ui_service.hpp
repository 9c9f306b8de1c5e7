#pragma once
/// \file
/// The web UI behind `shipml ui`: server-rendered pages over a run store and
/// its registry (runs, a run, a comparison, registered models), served by
/// shipml's own HTTP server. Pages work offline: the style sheet and the one
/// small script come from the server, charts are inline SVG. Actions (promote,
/// archive, set or remove an alias, delete a run) need the token, a session
/// started with it and the session's CSRF value, and each is confirmed first.
#include <functional>
#include <memory>
#include <string>

#include "shipml/core/export.hpp"
#include "shipml/serve/http.hpp"
#include "shipml/serve/server.hpp"

namespace shipml::ui {

/// What the UI serves and who may act.
struct SHIPML_API UiOptions {
  std::string store;           ///< the run store's URI ("" = $SHIPML_TRACKING_URI or ./runs)
  std::string token;           ///< the secret that starts a session able to act ("" = nobody may act)
  bool read_only = false;      ///< refuse every action, whatever the token
  std::size_t page_size = 50;  ///< runs per page of the list
  /// Told of every change made, once done ("ui (127.0.0.1): Delete run 1a2b3c4d ..."):
  /// `shipml ui` writes it to stderr, the registry's changes also go into its history.
  std::function<void(const std::string&)> on_action;
};

/// Answers the UI's requests. Safe to call from the server's threads at once:
/// requests take turns at the store.
class SHIPML_API UiService {
 public:
  /// Opens the run store; an error naming it when it cannot be opened.
  explicit UiService(UiOptions options);
  /// Closes the store; sessions end with it.
  ~UiService();
  /// Not copyable: it owns the store and the sessions.
  UiService(const UiService&) = delete;
  /// Not copyable.
  UiService& operator=(const UiService&) = delete;

  /// Fills in the response to one request.
  void handle(const serve::HttpRequest& request, const serve::Peer& peer, serve::HttpResponse& response);

  struct State;  ///< the store, the sessions and the lock they take turns at

 private:
  std::unique_ptr<State> state_;
};

}  // namespace shipml::ui
