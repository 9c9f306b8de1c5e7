#pragma once
/// \file
/// An event-driven HTTP/1.1 server: N threads, each with its own epoll loop,
/// sharing one listening socket. A request is answered on the thread that read
/// it, with no hand-off, which is what keeps a microsecond model microsecond on
/// the wire. Keep-alive, pipelining, timeouts for slow or idle clients, bounded
/// bodies, and a graceful stop that answers what was already received.
#include <atomic>
#include <functional>
#include <memory>
#include <string>

#include "shipml/core/export.hpp"
#include "shipml/serve/http.hpp"

/// The HTTP server behind `shipml serve`, and what it serves: the Open Inference
/// Protocol v2, MLflow's scoring protocol, health and metrics.
namespace shipml::serve {

/// Where and how the server listens.
struct SHIPML_API ServerOptions {
  std::string host = "127.0.0.1";  ///< the address to listen on
  int port = 8080;                 ///< 0: any free port (see HttpServer::port)
  int threads = 0;                 ///< event loops; 0: one per core
  HttpLimits limits;               ///< request size limits
  double timeout_seconds = 30;     ///< idle keep-alive, and slow requests (408)
  double drain_seconds = 10;       ///< on stop: how long requests already started may take to arrive
};

/// Who sent a request, for the handler's logs.
struct SHIPML_API Peer {
  std::string address;  ///< the client's address
  int loop = 0;         ///< which event loop (0 .. threads-1)
};

/// An event-driven HTTP/1.1 server: `threads` epoll loops sharing one listening socket.
class SHIPML_API HttpServer {
 public:
  /// Answers a request by filling in the response, on the loop that read it.
  using Handler = std::function<void(const HttpRequest&, const Peer&, HttpResponse&)>;
  /// Called by each loop after it has handled a batch of events (flush buffers).
  using Idle = std::function<void(int loop)>;

  /// Binds and listens now, so a port conflict is an error here, not later.
  HttpServer(ServerOptions options, Handler handler, Idle idle = {});
  /// Closes the sockets.
  ~HttpServer();
  /// Not copyable: it owns its sockets.
  HttpServer(const HttpServer&) = delete;
  /// Not copyable.
  HttpServer& operator=(const HttpServer&) = delete;

  /// The port it listens on (the one chosen when ServerOptions::port was 0).
  int port() const { return port_; }
  /// Number of event loops (0 in the options becomes one per core).
  int threads() const { return options_.threads; }
  /// Serves until stop(); returns when every loop has drained.
  void run();
  /// Stops accepting, answers what was received, closes. Safe from any thread
  /// and from a signal handler.
  void stop();

 private:
  struct Loop;
  void serve_loop(int index);

  ServerOptions options_;
  Handler handler_;
  Idle idle_;
  int listen_fd_ = -1;
  int stop_fd_ = -1;  // eventfd: wakes every loop on stop()
  int port_ = 0;
  std::atomic<bool> stopping_{false};
};

}  // namespace shipml::serve
