#include "shipml/serve/server.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <condition_variable>
#include <cstring>
#include <deque>
#include <mutex>
#include <thread>
#include <unordered_map>
#include <utility>
#include <vector>

#include "server_workers.hpp"
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
  double request_started = 0;  // when the first byte of the request in `in` arrived
  double head_arrived = 0;     // when its headers were complete (0: not yet)
  bool writing = false;        // registered for EPOLLOUT (and not EPOLLIN)
  bool close_after_write = false;
  bool sent_continue = false;  // 100 Continue already sent for the request in progress
  bool lingering = false;      // answered and shut down for writing; reading what the client still sends
  bool at_worker = false;      // a worker is answering its request: out of epoll until it is done
  bool input_closed = false;   // the client has shut down its side
};

// How long a closing connection keeps reading what the client still sends, so
// that closing with unread input does not reset the connection before the
// client has read its answer (a 413 sent before the whole body arrived).
constexpr double kLingerSeconds = 2;
constexpr double kDrainLingerSeconds = 0.25;
// On stop, how long an idle keep-alive connection is kept: a client in the
// middle of a request loop sends its next request within this, and gets its
// answer with `Connection: close`, rather than racing a close.
constexpr double kDrainIdleSeconds = 1;
// How long accepting pauses when a connection cannot be taken even with the
// spare descriptor (the whole system is out of them, or memory).
constexpr double kAcceptPauseSeconds = 0.1;
// The most connections by default, and the descriptors kept for everything
// else (stdio, model files on reload, the registry's database, logs).
constexpr int kDefaultMaxConnections = 10000;
constexpr int kReservedDescriptors = 32;

// Connections the open-files limit leaves room for, besides each loop's epoll,
// wake-up and spare descriptors, and at most kDefaultMaxConnections.
int default_max_connections(int loops) {
  rlimit limit{};
  if (::getrlimit(RLIMIT_NOFILE, &limit) != 0 || limit.rlim_cur == RLIM_INFINITY) return kDefaultMaxConnections;
  const long room = static_cast<long>(limit.rlim_cur) - kReservedDescriptors - 3L * loops;
  return static_cast<int>(std::clamp<long>(room, 1, kDefaultMaxConnections));
}

std::string busy_response() {
  HttpResponse r;
  r.set(503, "{\"error\":\"the server is at its connection limit: try again shortly\"}");
  r.headers.emplace_back("Retry-After", "1");
  std::string bytes;
  serialize(r, false, bytes);
  return bytes;
}

int open_spare_descriptor() { return ::open("/dev/null", O_RDONLY | O_CLOEXEC); }

}  // namespace

struct HttpServer::Loop {
  HttpServer& server;
  int index;
  int epoll_fd = -1;
  int answers_fd = -1;  // the workers' mailbox for this loop
  int spare_fd = -1;    // given up to take (and refuse) a connection when descriptors run out
  std::unordered_map<int, std::unique_ptr<Connection>> connections;
  bool draining = false;
  double drain_started = 0;
  double drain_deadline = 0;
  double accept_paused_until = 0;  // 0: accepting
  std::vector<char> read_buffer = std::vector<char>(65536);
  const std::string refusal = busy_response();

  Loop(HttpServer& s, int i) : server(s), index(i) {
    epoll_fd = ::epoll_create1(EPOLL_CLOEXEC);
    if (epoll_fd < 0) throw Error("cannot create an epoll instance: " + errno_text());
    answers_fd = server.workers_->mailboxes[static_cast<std::size_t>(index)]->wake_fd;
    spare_fd = open_spare_descriptor();
  }
  ~Loop() {
    for (auto& [fd, c] : connections) {
      ::close(fd);
      server.open_connections_.fetch_sub(1, std::memory_order_relaxed);
    }
    ::close(epoll_fd);
    if (spare_fd >= 0) ::close(spare_fd);
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
    server.open_connections_.fetch_sub(1, std::memory_order_relaxed);
  }

  // Tells a client that the server has no room for it (503, Retry-After) and
  // closes. What the client already sent is read first, so that the close does
  // not reset the connection before the client has read the 503.
  void refuse(int fd) {
    [[maybe_unused]] const auto sent = ::send(fd, refusal.data(), refusal.size(), MSG_NOSIGNAL | MSG_DONTWAIT);
    ::shutdown(fd, SHUT_WR);
    [[maybe_unused]] const auto read = ::recv(fd, read_buffer.data(), read_buffer.size(), MSG_DONTWAIT);
    ::close(fd);
  }

  enum class SpareOutcome { refused, none_waiting, failed };

  // Out of file descriptors, the listener stays readable and epoll would wake
  // this loop over and over. Give up the spare descriptor, take the waiting
  // connection with it and refuse it, then take the spare back.
  SpareOutcome refuse_with_spare() {
    if (spare_fd < 0) spare_fd = open_spare_descriptor();
    if (spare_fd < 0) return SpareOutcome::failed;
    ::close(spare_fd);
    const int fd = ::accept4(server.listen_fd_, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
    const int accept_errno = errno;
    if (fd >= 0) refuse(fd);
    spare_fd = open_spare_descriptor();
    if (fd >= 0) return SpareOutcome::refused;
    return accept_errno == EAGAIN || accept_errno == EWOULDBLOCK ? SpareOutcome::none_waiting : SpareOutcome::failed;
  }

  // Stops watching the listener for a moment, so that a failure to accept that
  // would repeat at once (no descriptor, no memory) does not spin the loop.
  void pause_accepting() {
    ::epoll_ctl(epoll_fd, EPOLL_CTL_DEL, server.listen_fd_, nullptr);
    accept_paused_until = now_seconds() + kAcceptPauseSeconds;
  }

  void resume_accepting_when_due(double now) {
    if (accept_paused_until == 0 || now < accept_paused_until || draining) return;
    accept_paused_until = 0;
    watch(server.listen_fd_, EPOLLIN | EPOLLEXCLUSIVE);
  }

  void accept_all() {
    while (true) {
      sockaddr_storage addr{};
      socklen_t len = sizeof addr;
      const int fd =
          ::accept4(server.listen_fd_, reinterpret_cast<sockaddr*>(&addr), &len, SOCK_NONBLOCK | SOCK_CLOEXEC);
      if (fd < 0) {
        if (errno == EINTR || errno == ECONNABORTED) continue;  // a client that left while waiting
        if (errno == EMFILE || errno == ENFILE) {
          const SpareOutcome outcome = refuse_with_spare();
          if (outcome == SpareOutcome::refused) continue;
          if (outcome == SpareOutcome::failed) pause_accepting();
        } else if (errno == ENOBUFS || errno == ENOMEM) {
          pause_accepting();
        }
        return;  // EAGAIN (another loop won), or the listener was shut down
      }
      if (server.open_connections_.fetch_add(1, std::memory_order_relaxed) >= server.options_.max_connections) {
        server.open_connections_.fetch_sub(1, std::memory_order_relaxed);
        refuse(fd);
        continue;
      }
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
      shut_down_and_linger(c);
      return false;
    }
    if (c.writing) watch(c.fd, EPOLLIN | EPOLLRDHUP, EPOLL_CTL_MOD);
    c.writing = false;
    return true;
  }

  // Closes the writing side (the client sees the end of the stream) and reads
  // what the client still sends until it closes, or the linger time passes.
  void shut_down_and_linger(Connection& c) {
    ::shutdown(c.fd, SHUT_WR);
    c.lingering = true;
    c.in.clear();
    c.last_active = now_seconds();
    if (c.writing) watch(c.fd, EPOLLIN | EPOLLRDHUP, EPOLL_CTL_MOD);
    c.writing = false;
  }

  void respond_error(Connection& c, int status, const std::string& message) {
    HttpResponse r;
    r.set(status, "{\"error\":\"" + message + "\"}");  // messages are ours: no characters to escape
    serialize(r, false, c.out);
    c.close_after_write = true;
  }

  // Whether a whole request waits in `c.in` from `pos`. Asked only while
  // draining: an answer says `Connection: close` only when it is the last one
  // the connection will get, and every request already received gets one.
  bool whole_request_follows(const Connection& c, std::size_t pos) const {
    HttpRequest next;
    std::string body;
    return parse_request(std::string_view(c.in).substr(pos), server.options_.limits, next, body).state ==
           ParseState::complete;
  }

  bool keeps_alive(const Connection& c, bool requested, const HttpResponse& response, std::size_t next) const {
    return requested && !response.close && (!draining || whole_request_follows(c, next));
  }

  bool heavy(const HttpRequest& request) const { return request.body.size() >= server.options_.offload_body_bytes; }

  // Hands the request at `pos` (`size` bytes) to a worker. The connection
  // leaves epoll until the answer is back: nothing else of it is read or
  // answered meanwhile, so answers keep the requests' order.
  void offload(Connection& c, std::size_t pos, std::size_t size) {
    auto request = std::make_unique<OffloadedRequest>();
    request->loop = index;
    request->fd = c.fd;
    request->peer = c.peer;
    if (pos == 0 && size == c.in.size()) request->bytes.swap(c.in);  // the usual case: no copy
    else request->bytes.assign(c.in, pos, size);
    c.at_worker = true;
    ::epoll_ctl(epoll_fd, EPOLL_CTL_DEL, c.fd, nullptr);
    server.workers_->submit(std::move(request));
  }

  // Answers every complete request in the buffer, in order.
  void process(Connection& c) {
    std::size_t pos = 0;
    while (!c.at_worker && !c.close_after_write && pos < c.in.size() && (c.needed == 0 || c.in.size() >= c.needed)) {
      HttpRequest request;
      const ParseResult r =
          parse_request(std::string_view(c.in).substr(pos), server.options_.limits, request, c.chunked_body);
      if (r.state == ParseState::error) {
        respond_error(c, r.status, r.message);
        break;
      }
      if (r.state == ParseState::incomplete) {
        c.needed = r.needed ? pos + r.needed : 0;
        if (r.head_complete && c.head_arrived == 0) c.head_arrived = now_seconds();
        if (r.head_complete && !c.sent_continue && request.header("expect").starts_with("100")) {
          c.out += "HTTP/1.1 100 Continue\r\n\r\n";
          c.sent_continue = true;
        }
        break;
      }
      c.needed = 0;
      c.sent_continue = false;
      c.head_arrived = 0;
      if (heavy(request)) {
        offload(c, pos, r.consumed);
        pos = c.in.empty() ? 0 : pos + r.consumed;  // `in` is empty when its bytes went to the worker whole
        break;
      }
      HttpResponse response;
      try {
        server.handler_(request, Peer{c.peer, index}, response);
      } catch (const std::exception&) {
        response = HttpResponse{};
        response.set(500, "{\"error\":\"internal error\"}");
      }
      pos += r.consumed;
      const bool keep_alive = keeps_alive(c, request.keep_alive, response, pos);
      serialize(response, keep_alive, c.out);
      if (!keep_alive) c.close_after_write = true;
    }
    if (pos > 0) {
      c.in.erase(0, pos);
      // `needed` counted from the old start of the buffer.
      c.needed = c.needed > pos ? c.needed - pos : 0;
      // The next request's deadlines run from now (pipelined bytes are rare).
      if (!c.in.empty()) c.request_started = now_seconds();
    }
  }

  // A worker's answer: send it, then go on with the connection where it stopped.
  void deliver(OffloadedRequest& answered) {
    const auto it = connections.find(answered.fd);
    if (it == connections.end() || !it->second->at_worker) return;
    Connection& c = *it->second;
    c.at_worker = false;
    c.writing = false;
    watch(c.fd, EPOLLIN | EPOLLRDHUP);
    const bool keep_alive = keeps_alive(c, answered.keep_alive, answered.response, 0);
    serialize(answered.response, keep_alive, c.out);
    if (!keep_alive) c.close_after_write = true;
    c.last_active = now_seconds();
    if (!c.in.empty()) {
      c.request_started = c.last_active;
      process(c);
    }
    send_or_close(c);
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
    const bool new_request = c.in.empty();
    const std::size_t cap = server.options_.limits.max_header_bytes + server.options_.limits.max_body_bytes + 65536;
    while (c.in.size() <= cap) {
      const ssize_t n = ::recv(c.fd, read_buffer.data(), read_buffer.size(), 0);
      if (n > 0) {
        c.in.append(read_buffer.data(), static_cast<std::size_t>(n));
        if (static_cast<std::size_t>(n) < read_buffer.size()) break;  // drained: skip the EAGAIN round trip
        continue;
      }
      if (n == 0) c.input_closed = true;
      else if (errno == EINTR) continue;
      else if (errno != EAGAIN && errno != EWOULDBLOCK) c.input_closed = true;
      break;
    }
    c.last_active = now_seconds();
    if (new_request) c.request_started = c.last_active;
    process(c);
    send_or_close(c);
  }

  // After processing: a connection whose client has shut down its side is
  // closed once what it was owed is sent (a half-closed client still gets its
  // answers); otherwise what is queued is sent.
  void send_or_close(Connection& c) {
    if (c.at_worker) return;  // sent when the worker's answer is back
    if (c.input_closed) {
      c.close_after_write = true;
      if (c.out.empty()) {
        close_connection(c);
        return;
      }
    }
    if (!c.out.empty()) flush(c);
  }

  // Why a connection ends now: nullptr to keep it, "" to close it quietly, or
  // the reason for a 408 when a request is under way.
  const char* expiry(const Connection& c, double now) const {
    if (c.lingering) return now - c.last_active > (draining ? kDrainLingerSeconds : kLingerSeconds) ? "" : nullptr;
    const bool request_under_way = !c.in.empty() && c.out.empty() && !c.close_after_write;
    if (draining && now > drain_deadline) return request_under_way ? "the request did not arrive in time" : "";
    if (now - c.last_active > server.options_.timeout_seconds)
      return request_under_way ? "the request did not arrive in time" : "";
    if (request_under_way && c.head_arrived == 0 && now - c.request_started > server.options_.header_timeout_seconds)
      return "the request headers did not arrive in time";
    if (request_under_way && c.head_arrived != 0 && now - c.head_arrived > server.options_.body_timeout_seconds)
      return "the request body did not arrive in time";
    return nullptr;
  }

  // Idle keep-alive connections, once stopping, are closed with a FIN the
  // client can see before it sends again (not with a reset).
  bool idle_while_draining(const Connection& c, double now) const {
    return draining && !c.lingering && c.in.empty() && c.out.empty() &&
           now - std::max(c.last_active, drain_started) >= kDrainIdleSeconds;
  }

  void sweep(double now) {
    std::vector<std::pair<Connection*, const char*>> expired;
    std::vector<Connection*> idle;
    for (auto& [fd, c] : connections) {
      if (c->at_worker) continue;  // swept once the worker's answer is sent
      if (const char* why = expiry(*c, now)) expired.emplace_back(c.get(), why);
      else if (idle_while_draining(*c, now)) idle.push_back(c.get());
    }
    for (Connection* c : idle) shut_down_and_linger(*c);
    for (auto [c, why] : expired) {
      if (*why) {
        // A request started and never finished: tell the client why it is dropped.
        respond_error(*c, 408, why);
        flush(*c);
        continue;  // lingering now, or closed
      }
      close_connection(*c);
    }
  }

  void begin_drain() {
    draining = true;
    drain_started = now_seconds();
    drain_deadline = drain_started + server.options_.drain_seconds;
    ::epoll_ctl(epoll_fd, EPOLL_CTL_DEL, server.listen_fd_, nullptr);
    ::epoll_ctl(epoll_fd, EPOLL_CTL_DEL, server.stop_fd_, nullptr);
  }

  void deliver_answers() {
    for (auto& answered : server.workers_->take_answers(index)) deliver(*answered);
  }

  void on_event(const epoll_event& event) {
    const int fd = event.data.fd;
    if (fd == server.stop_fd_) return begin_drain();
    if (fd == answers_fd) return deliver_answers();
    if (fd == server.listen_fd_) {
      if (!draining) accept_all();
      return;
    }
    const auto it = connections.find(fd);
    if (it == connections.end()) return;
    Connection& c = *it->second;
    if (event.events & (EPOLLERR | EPOLLHUP)) return close_connection(c);
    if (event.events & EPOLLOUT) {
      if (!flush(c)) return;
      if (!c.in.empty()) process(c);
      send_or_close(c);
      return;
    }
    if (event.events & (EPOLLIN | EPOLLRDHUP)) on_readable(c);
  }

  void run() {
    watch(server.listen_fd_, EPOLLIN | EPOLLEXCLUSIVE);
    watch(server.stop_fd_, EPOLLIN);
    watch(answers_fd, EPOLLIN);
    std::vector<epoll_event> events(256);
    double last_sweep = now_seconds();
    while (!draining || !connections.empty()) {
      const int wait_ms = draining ? 50 : accept_paused_until != 0 ? 20 : 500;
      const int n = ::epoll_wait(epoll_fd, events.data(), static_cast<int>(events.size()), wait_ms);
      if (n < 0 && errno != EINTR) throw Error("epoll_wait failed: " + errno_text());
      for (int i = 0; i < n; ++i) on_event(events[i]);
      if (server.idle_) server.idle_(index);
      const double now = now_seconds();
      resume_accepting_when_due(now);
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
  const int cores = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  if (options_.threads <= 0) options_.threads = cores;
  if (options_.workers <= 0) options_.workers = cores;
  if (options_.max_connections <= 0) options_.max_connections = default_max_connections(options_.threads);
  workers_ = std::make_unique<Workers>(*this);
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
  workers_.reset();
  if (listen_fd_ >= 0) ::close(listen_fd_);
  if (stop_fd_ >= 0) ::close(stop_fd_);
}

void HttpServer::stop() {
  // The listener goes first: a client told `Connection: close` while the loops
  // drain then finds connecting refused, rather than queued and reset.
  ::shutdown(listen_fd_, SHUT_RD);
  stopping_.store(true);
  const std::uint64_t one = 1;
  [[maybe_unused]] const auto n = ::write(stop_fd_, &one, sizeof one);
}

void HttpServer::serve_loop(Loop& loop) {
  try {
    loop.run();
  } catch (const std::exception&) {
    // A loop that cannot run takes the server down cleanly rather than half-serving.
    stop();
    throw;
  }
}

void HttpServer::run() {
  // Every loop takes its descriptors before any loop accepts a connection, so
  // that clients cannot have used them all up first.
  std::vector<std::unique_ptr<Loop>> loops;
  for (int i = 0; i < options_.threads; ++i) loops.push_back(std::make_unique<Loop>(*this, i));
  workers_->start();
  std::vector<std::thread> others;
  for (int i = 1; i < options_.threads; ++i)
    others.emplace_back([this, &loop = *loops[static_cast<std::size_t>(i)]] {
      try {
        serve_loop(loop);
      } catch (...) {  // reported by stop(); loop 0 rethrows its own
      }
    });
  std::exception_ptr failure;
  try {
    serve_loop(*loops[0]);
  } catch (...) {
    failure = std::current_exception();
  }
  for (auto& t : others) t.join();
  workers_->stop();
  if (failure) std::rethrow_exception(failure);
}

}  // namespace shipml::serve
