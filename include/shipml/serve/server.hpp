#pragma once
/// \file
/// An event-driven HTTP/1.1 server: N threads, each with its own epoll loop,
/// sharing one listening socket. A request is answered on the thread that read
/// it, with no hand-off, which is what keeps a microsecond model microsecond on
/// the wire; only a request with a large body, which may take long to answer,
/// goes to a worker thread, so that it never holds up the small ones behind it.
/// Keep-alive, pipelining, timeouts for slow or idle clients and deadlines for
/// whole requests, bounded bodies, a connection cap, no busy loop when file
/// descriptors run out, and a graceful stop that answers what was already received.
#include <atomic>
#include <cstddef>
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
  /// The whole request line and headers must arrive within this, however
  /// steadily they trickle in (408 when late).
  double header_timeout_seconds = 10;
  /// The whole body must arrive within this once the headers are in (408 when late).
  double body_timeout_seconds = 60;
  /// Open connections at most; more are answered 503 with Retry-After and
  /// closed. 0: from the open-files limit, at most 10,000.
  int max_connections = 0;
  int workers = 0;  ///< worker threads for requests with large bodies; 0: one per core
  /// Requests with a body this large or larger are answered by a worker thread
  /// rather than the event loop that read them.
  std::size_t offload_body_bytes = 16 * 1024;
};

/// Who sent a request, for the handler's logs.
struct SHIPML_API Peer {
  std::string address;  ///< the client's address
  int loop = 0;         ///< which thread answers: an event loop or a worker (0 .. HttpServer::handler_threads()-1)
};

/// An event-driven HTTP/1.1 server: `threads` epoll loops sharing one listening socket.
class SHIPML_API HttpServer {
 public:
  /// Answers a request by filling in the response, on the loop that read it or
  /// on a worker thread (large bodies). Called from several threads at once.
  using Handler = std::function<void(const HttpRequest&, const Peer&, HttpResponse&)>;
  /// Called by each loop after it has handled a batch of events, and by each
  /// worker after each request (flush buffers); `loop` is Peer::loop's number.
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
  /// Number of threads that call the handler: the event loops, then the workers.
  int handler_threads() const { return options_.threads + options_.workers; }
  /// The options in force, with the defaults (0) resolved.
  const ServerOptions& options() const { return options_; }
  /// Serves until stop(); returns when every loop has drained.
  void run();
  /// Stops accepting, answers every request already received, closes. Safe
  /// from any thread and from a signal handler.
  void stop();

 private:
  struct Loop;
  struct Workers;
  void serve_loop(Loop& loop);

  ServerOptions options_;
  Handler handler_;
  Idle idle_;
  int listen_fd_ = -1;
  int stop_fd_ = -1;  // eventfd: wakes every loop on stop()
  int port_ = 0;
  std::atomic<bool> stopping_{false};
  std::atomic<int> open_connections_{0};  // across loops, for ServerOptions::max_connections
  std::unique_ptr<Workers> workers_;
};

}  // namespace shipml::serve
