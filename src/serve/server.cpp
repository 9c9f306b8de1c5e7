#include "shipml/serve/server.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <thread>
#include <unordered_map>
#include <vector>

#include "shipml/core/error.hpp"

namespace shipml::serve {
namespace {

double now_seconds() {
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

std::string errno_text() { return std::strerror(errno); }

struct Connection {
  int fd = -1;
  std::string peer;
  std::string in, out;
  std::size_t out_sent = 0;
  std::size_t needed = 0;    // parse again only once `in` holds this many bytes
  std::string chunked_body;  // decoded chunked body of the request being parsed
  double last_active = 0;
  bool writing = false;  // registered for EPOLLOUT (and not EPOLLIN)
  bool close_after_write = false;
  bool sent_continue = false;  // 100 Continue already sent for the request in progress
  bool lingering = false;      // answered and shut down for writing; reading what the client still sends
};

// How long a closing connection keeps reading what the client still sends, so
// that closing with unread input does not reset the connection before the
// client has read its answer (a 413 sent before the whole body arrived).
constexpr double kLingerSeconds = 2;

}  // namespace

struct HttpServer::Loop {
  HttpServer& server;
  int index;
  int epoll_fd = -1;
  std::unordered_map<int, std::unique_ptr<Connection>> connections;
  bool draining = false;
  double drain_deadline = 0;
  std::vector<char> read_buffer = std::vector<char>(65536);

  Loop(HttpServer& s, int i) : server(s), index(i) {
    epoll_fd = ::epoll_create1(EPOLL_CLOEXEC);
    if (epoll_fd < 0) throw Error("cannot create an epoll instance: " + errno_text());
  }
  ~Loop() {
    for (auto& [fd, c] : connections) ::close(fd);
    ::close(epoll_fd);
  }

  void watch(int fd, std::uint32_t events, int op = EPOLL_CTL_ADD) {
    epoll_event ev{};
    ev.events = events;
    ev.data.fd = fd;
    ::epoll_ctl(epoll_fd, op, fd, &ev);
  }

  void close_connection(Connection& c) {
    const int fd = c.fd;
    ::epoll_ctl(epoll_fd, EPOLL_CTL_DEL, fd, nullptr);
    ::close(fd);
    connections.erase(fd);
  }

  void accept_all() {
    while (true) {
      sockaddr_storage addr{};
      socklen_t len = sizeof addr;
      const int fd =
          ::accept4(server.listen_fd_, reinterpret_cast<sockaddr*>(&addr), &len, SOCK_NONBLOCK | SOCK_CLOEXEC);
      if (fd < 0) return;  // EAGAIN (another loop won), or the listener was shut down
      const int one = 1;
      ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
      auto c = std::make_unique<Connection>();
      c->fd = fd;
      char host[NI_MAXHOST] = "?";
      ::getnameinfo(reinterpret_cast<sockaddr*>(&addr), len, host, sizeof host, nullptr, 0, NI_NUMERICHOST);
      c->peer = host;
      c->last_active = now_seconds();
      watch(fd, EPOLLIN | EPOLLRDHUP);
      connections.emplace(fd, std::move(c));
    }
  }

  // Sends what is queued; false when the connection was closed.
  bool flush(Connection& c) {
    while (c.out_sent < c.out.size()) {
      const ssize_t n = ::send(c.fd, c.out.data() + c.out_sent, c.out.size() - c.out_sent, MSG_NOSIGNAL);
      if (n > 0) {
        c.out_sent += static_cast<std::size_t>(n);
        c.last_active = now_seconds();
        continue;
      }
      if (n < 0 && errno == EINTR) continue;
      if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
        if (!c.writing) watch(c.fd, EPOLLOUT | EPOLLRDHUP, EPOLL_CTL_MOD);
        c.writing = true;
        return true;
      }
      close_connection(c);
      return false;
    }
    c.out.clear();
    c.out_sent = 0;
    if (c.close_after_write) {
      ::shutdown(c.fd, SHUT_WR);
      c.lingering = true;
      c.in.clear();
      if (c.writing) watch(c.fd, EPOLLIN | EPOLLRDHUP, EPOLL_CTL_MOD);
      c.writing = false;
      return false;
    }
    if (c.writing) watch(c.fd, EPOLLIN | EPOLLRDHUP, EPOLL_CTL_MOD);
    c.writing = false;
    return true;
  }

  void respond_error(Connection& c, int status, const std::string& message) {
    HttpResponse r;
    r.set(status, "{\"error\":\"" + message + "\"}");  // messages are ours: no characters to escape
    serialize(r, false, c.out);
    c.close_after_write = true;
  }

  // Answers every complete request in the buffer.
  void process(Connection& c) {
    std::size_t pos = 0;
    while (!c.close_after_write && pos < c.in.size() && (c.needed == 0 || c.in.size() >= c.needed)) {
      HttpRequest request;
      const ParseResult r =
          parse_request(std::string_view(c.in).substr(pos), server.options_.limits, request, c.chunked_body);
      if (r.state == ParseState::error) {
        respond_error(c, r.status, r.message);
        break;
      }
      if (r.state == ParseState::incomplete) {
        c.needed = r.needed ? pos + r.needed : 0;
        if (r.head_complete && !c.sent_continue && request.header("expect").starts_with("100")) {
          c.out += "HTTP/1.1 100 Continue\r\n\r\n";
          c.sent_continue = true;
        }
        break;
      }
      HttpResponse response;
      try {
        server.handler_(request, Peer{c.peer, index}, response);
      } catch (const std::exception&) {
        response = HttpResponse{};
        response.set(500, "{\"error\":\"internal error\"}");
      }
      const bool keep_alive = request.keep_alive && !response.close && !draining;
      serialize(response, keep_alive, c.out);
      if (!keep_alive) c.close_after_write = true;
      pos += r.consumed;
      c.needed = 0;
      c.sent_continue = false;
    }
    if (pos > 0) {
      c.in.erase(0, pos);
      // `needed` counted from the old start of the buffer.
      c.needed = c.needed > pos ? c.needed - pos : 0;
    }
  }

  // A lingering connection: discard input until the client closes.
  void discard_input(Connection& c) {
    while (true) {
      const ssize_t n = ::recv(c.fd, read_buffer.data(), read_buffer.size(), 0);
      if (n > 0) continue;
      if (n < 0 && errno == EINTR) continue;
      if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return;
      close_connection(c);
      return;
    }
  }

  void on_readable(Connection& c) {
    if (c.lingering) return discard_input(c);
    bool peer_closed = false;
    const std::size_t cap = server.options_.limits.max_header_bytes + server.options_.limits.max_body_bytes + 65536;
    while (c.in.size() <= cap) {
      const ssize_t n = ::recv(c.fd, read_buffer.data(), read_buffer.size(), 0);
      if (n > 0) {
        c.in.append(read_buffer.data(), static_cast<std::size_t>(n));
        if (static_cast<std::size_t>(n) < read_buffer.size()) break;  // drained: skip the EAGAIN round trip
        continue;
      }
      if (n == 0) peer_closed = true;
      else if (errno == EINTR) continue;
      else if (errno != EAGAIN && errno != EWOULDBLOCK) peer_closed = true;
      break;
    }
    c.last_active = now_seconds();
    process(c);
    if (peer_closed) {
      // Half-closed: answer what arrived, then close.
      c.close_after_write = true;
      if (c.out.empty()) {
        close_connection(c);
        return;
      }
    }
    if (!c.out.empty()) flush(c);
  }

  void sweep(double now) {
    std::vector<Connection*> expired;
    for (auto& [fd, c] : connections) {
      const bool idle = c->in.empty() && c->out.empty();
      const double limit = c->lingering ? (draining ? 0.25 : kLingerSeconds) : server.options_.timeout_seconds;
      if ((draining && idle && !c->lingering) || (draining && now > drain_deadline) || now - c->last_active > limit)
        expired.push_back(c.get());
    }
    for (Connection* c : expired) {
      if (!c->lingering && !c->in.empty() && c->out.empty() && !c->close_after_write) {
        // A request started and never finished: tell the client why it is dropped.
        respond_error(*c, 408, "the request did not arrive in time");
        flush(*c);
        continue;  // lingering now, or closed
      }
      close_connection(*c);
    }
  }

  void begin_drain() {
    draining = true;
    drain_deadline = now_seconds() + server.options_.drain_seconds;
    ::epoll_ctl(epoll_fd, EPOLL_CTL_DEL, server.listen_fd_, nullptr);
    ::epoll_ctl(epoll_fd, EPOLL_CTL_DEL, server.stop_fd_, nullptr);
  }

  void run() {
    watch(server.listen_fd_, EPOLLIN | EPOLLEXCLUSIVE);
    watch(server.stop_fd_, EPOLLIN);
    std::vector<epoll_event> events(256);
    double last_sweep = now_seconds();
    while (!draining || !connections.empty()) {
      const int n = ::epoll_wait(epoll_fd, events.data(), static_cast<int>(events.size()), draining ? 50 : 500);
      if (n < 0 && errno != EINTR) throw Error("epoll_wait failed: " + errno_text());
      for (int i = 0; i < n; ++i) {
        const int fd = events[i].data.fd;
        if (fd == server.stop_fd_) {
          begin_drain();
          continue;
        }
        if (fd == server.listen_fd_) {
          if (!draining) accept_all();
          continue;
        }
        const auto it = connections.find(fd);
        if (it == connections.end()) continue;
        Connection& c = *it->second;
        if (events[i].events & (EPOLLERR | EPOLLHUP)) {
          close_connection(c);
          continue;
        }
        if (events[i].events & EPOLLOUT) {
          if (!flush(c)) continue;
          if (!c.in.empty()) process(c);
          if (!c.out.empty()) flush(c);
          continue;
        }
        if (events[i].events & (EPOLLIN | EPOLLRDHUP)) on_readable(c);
      }
      if (server.idle_) server.idle_(index);
      const double now = now_seconds();
      if (draining || now - last_sweep >= 0.5) {
        sweep(now);
        last_sweep = now;
      }
      if (!draining && server.stopping_.load()) begin_drain();
    }
  }
};

HttpServer::HttpServer(ServerOptions options, Handler handler, Idle idle)
    : options_(std::move(options)), handler_(std::move(handler)), idle_(std::move(idle)) {
  if (options_.threads <= 0) options_.threads = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
  addrinfo* found = nullptr;
  const std::string port = std::to_string(options_.port);
  if (const int rc = ::getaddrinfo(options_.host.c_str(), port.c_str(), &hints, &found); rc != 0)
    throw UsageError("cannot listen on '" + options_.host + "': " + ::gai_strerror(rc));
  std::string failure = "no address";
  for (addrinfo* a = found; a && listen_fd_ < 0; a = a->ai_next) {
    const int fd = ::socket(a->ai_family, a->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, a->ai_protocol);
    if (fd < 0) continue;
    const int one = 1;
    ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    if (::bind(fd, a->ai_addr, a->ai_addrlen) == 0 && ::listen(fd, 1024) == 0) {
      listen_fd_ = fd;
    } else {
      failure = errno_text();
      ::close(fd);
    }
  }
  ::freeaddrinfo(found);
  if (listen_fd_ < 0) throw UsageError("cannot listen on " + options_.host + ":" + port + ": " + failure);
  sockaddr_storage bound{};
  socklen_t len = sizeof bound;
  ::getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&bound), &len);
  port_ = ntohs(bound.ss_family == AF_INET6 ? reinterpret_cast<sockaddr_in6*>(&bound)->sin6_port
                                            : reinterpret_cast<sockaddr_in*>(&bound)->sin_port);
  stop_fd_ = ::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
}

HttpServer::~HttpServer() {
  if (listen_fd_ >= 0) ::close(listen_fd_);
  if (stop_fd_ >= 0) ::close(stop_fd_);
}

void HttpServer::stop() {
  stopping_.store(true);
  const std::uint64_t one = 1;
  [[maybe_unused]] const auto n = ::write(stop_fd_, &one, sizeof one);
  ::shutdown(listen_fd_, SHUT_RD);  // new connections are refused from now on
}

void HttpServer::serve_loop(int index) {
  try {
    Loop loop(*this, index);
    loop.run();
  } catch (const std::exception&) {
    // A loop that cannot run takes the server down cleanly rather than half-serving.
    stop();
    throw;
  }
}

void HttpServer::run() {
  std::vector<std::thread> others;
  for (int i = 1; i < options_.threads; ++i)
    others.emplace_back([this, i] {
      try {
        serve_loop(i);
      } catch (...) {  // reported by stop(); loop 0 rethrows its own
      }
    });
  std::exception_ptr failure;
  try {
    serve_loop(0);
  } catch (...) {
    failure = std::current_exception();
  }
  for (auto& t : others) t.join();
  if (failure) std::rethrow_exception(failure);
}

}  // namespace shipml::serve
