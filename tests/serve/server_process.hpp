#pragma once
// The real `shipml serve` in a child process, and a plain blocking HTTP client
// that sends exactly the bytes a test gives it. No mocks: requests cross a real
// socket on 127.0.0.1 to the same binary users run.
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <functional>
#include <map>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "support.hpp"

namespace shipml::test {

struct HttpReply {
  int status = 0;
  std::map<std::string, std::string> headers;  // names lower-cased
  std::string body;
  std::string header(const std::string& name) const {
    auto it = headers.find(name);
    return it == headers.end() ? "" : it->second;
  }
};

/// A connection to 127.0.0.1:port; reads replies framed by Content-Length.
class HttpConnection {
 public:
  explicit HttpConnection(int port, double timeout_seconds = 10) : timeout_(timeout_seconds) {
    fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(static_cast<std::uint16_t>(port));
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0)
      throw std::runtime_error("cannot connect to port " + std::to_string(port));
    const int one = 1;
    ::setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  }
  ~HttpConnection() { close(); }
  HttpConnection(const HttpConnection&) = delete;

  void close() {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
  }
  void send(const std::string& bytes) {
    std::size_t done = 0;
    while (done < bytes.size()) {
      const ssize_t n = ::send(fd_, bytes.data() + done, bytes.size() - done, MSG_NOSIGNAL);
      if (n <= 0) throw std::runtime_error("send failed");
      done += static_cast<std::size_t>(n);
    }
  }
  void shutdown_write() { ::shutdown(fd_, SHUT_WR); }

  /// The next reply; status 0 when the server closed without one.
  HttpReply read_reply() {
    HttpReply r;
    std::size_t head_end;
    while ((head_end = buffer_.find("\r\n\r\n")) == std::string::npos)
      if (!fill()) return r;
    const std::string head = buffer_.substr(0, head_end);
    r.status = std::stoi(head.substr(9, 3));
    std::size_t pos = head.find("\r\n");
    while (pos != std::string::npos && pos < head.size()) {
      const std::size_t next = head.find("\r\n", pos + 2);
      const std::string line = head.substr(pos + 2, next == std::string::npos ? std::string::npos : next - pos - 2);
      const auto colon = line.find(':');
      if (colon != std::string::npos) {
        std::string name = line.substr(0, colon);
        for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        r.headers[name] = line.substr(colon + 2);
      }
      pos = next;
    }
    const std::size_t length = r.headers.count("content-length") ? std::stoul(r.headers["content-length"]) : 0;
    while (buffer_.size() < head_end + 4 + length)
      if (!fill()) return HttpReply{};
    r.body = buffer_.substr(head_end + 4, length);
    buffer_.erase(0, head_end + 4 + length);
    return r;
  }

  /// True when the server has closed its side already (no waiting): what an
  /// HTTP client checks before it sends on a connection it kept alive.
  bool closed_while_idle() {
    pollfd p{fd_, POLLIN | POLLRDHUP, 0};
    if (::poll(&p, 1, 0) <= 0) return false;
    char byte;
    return ::recv(fd_, &byte, 1, MSG_PEEK | MSG_DONTWAIT) <= 0;
  }

  /// True when the server closed the connection (within the timeout).
  bool closed_by_server() {
    while (fill()) {
    }
    return eof_;
  }

 private:
  bool fill() {
    pollfd p{fd_, POLLIN, 0};
    if (::poll(&p, 1, static_cast<int>(timeout_ * 1000)) <= 0) return false;
    char chunk[65536];
    const ssize_t n = ::recv(fd_, chunk, sizeof chunk, 0);
    if (n <= 0) {
      eof_ = true;
      return false;
    }
    buffer_.append(chunk, static_cast<std::size_t>(n));
    return true;
  }
  int fd_ = -1;
  double timeout_;
  std::string buffer_;
  bool eof_ = false;
};

inline std::string http_request(const std::string& method, const std::string& path, const std::string& body = "",
                                const std::string& content_type = "application/json",
                                const std::vector<std::string>& extra_headers = {}) {
  std::string r = method + " " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\n";
  if (!content_type.empty()) r += "Content-Type: " + content_type + "\r\n";
  for (const auto& h : extra_headers) r += h + "\r\n";
  if (method == "POST" || !body.empty()) r += "Content-Length: " + std::to_string(body.size()) + "\r\n";
  return r + "\r\n" + body;
}

/// How a test starts the server process, besides its arguments.
struct ServerStart {
  rlim_t max_open_files = 0;  ///< the server's RLIMIT_NOFILE (0: inherited)
  /// Called with the process id and what stderr says so far, each time it says
  /// more while the server starts.
  std::function<void(pid_t, const std::string&)> while_starting;
};

/// `shipml serve ARGS --port 0` in a child process; stopped with SIGTERM when destroyed.
class ServerProcess {
 public:
  explicit ServerProcess(const std::vector<std::string>& args, const ServerStart& start = {})
      : log_(tmp_.file("access.log")) {
    int err_pipe[2];
    if (::pipe(err_pipe) != 0) throw std::runtime_error("pipe failed");
    pid_ = ::fork();
    if (pid_ == 0) {
      if (start.max_open_files) {
        const rlimit limit{start.max_open_files, start.max_open_files};
        ::setrlimit(RLIMIT_NOFILE, &limit);
      }
      ::dup2(err_pipe[1], 2);
      const int out = ::open(log_.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
      ::dup2(out, 1);
      std::vector<std::string> all = {SHIPML_CLI, "serve"};
      all.insert(all.end(), args.begin(), args.end());
      all.insert(all.end(), {"--port", "0"});
      std::vector<char*> argv;
      for (auto& a : all) argv.push_back(a.data());
      argv.push_back(nullptr);
      ::execv(argv[0], argv.data());
      ::_exit(127);
    }
    ::close(err_pipe[1]);
    err_fd_ = err_pipe[0];
    // The server says where it listens on stderr once it is ready.
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
    while (port_ == 0 && std::chrono::steady_clock::now() < deadline) {
      if (!read_stderr(100)) {
        int status = 0;
        if (::waitpid(pid_, &status, WNOHANG) == pid_) {
          pid_ = -1;
          throw std::runtime_error("shipml serve exited: " + stderr_);
        }
        continue;
      }
      if (start.while_starting) start.while_starting(pid_, stderr_);
      const auto at = stderr_.find("listening on http://127.0.0.1:");
      if (at != std::string::npos && stderr_.find('\n', at) != std::string::npos)
        port_ = std::stoi(stderr_.substr(at + 30));
    }
    if (port_ == 0) {
      ::kill(pid_, SIGKILL);  // a destructor will not run for a half-built object
      ::waitpid(pid_, nullptr, 0);
      throw std::runtime_error("shipml serve did not start: " + stderr_);
    }
  }
  ~ServerProcess() {
    if (pid_ > 0) {
      ::kill(pid_, SIGTERM);
      wait_exit(10);
    }
    if (err_fd_ >= 0) ::close(err_fd_);
  }

  int port() const { return port_; }
  pid_t pid() const { return pid_; }
  void signal(int sig) const { ::kill(pid_, sig); }
  std::string access_log() const { return read_file(log_); }

  /// Everything the server wrote to stderr so far (waits up to `ms` for more).
  const std::string& stderr_text(int ms = 0) {
    while (read_stderr(ms)) {
    }
    return stderr_;
  }
  /// Waits until stderr contains `text`; false after `seconds`.
  bool wait_for_stderr(const std::string& text, double seconds = 10) {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::duration<double>(seconds);
    while (stderr_.find(text) == std::string::npos) {
      if (std::chrono::steady_clock::now() > deadline) return false;
      read_stderr(50);
    }
    return true;
  }
  /// The exit status after the process ends (-1 on timeout or a signal).
  int wait_exit(double seconds) {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::duration<double>(seconds);
    while (std::chrono::steady_clock::now() < deadline) {
      int status = 0;
      if (::waitpid(pid_, &status, WNOHANG) == pid_) {
        pid_ = -1;
        return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    ::kill(pid_, SIGKILL);
    ::waitpid(pid_, nullptr, 0);
    pid_ = -1;
    return -1;
  }

  /// One request on a fresh connection.
  HttpReply call(const std::string& raw) const {
    HttpConnection c(port_);
    c.send(raw);
    return c.read_reply();
  }
  HttpReply get(const std::string& path) const { return call(http_request("GET", path, "", "")); }
  HttpReply post(const std::string& path, const std::string& body, const std::string& type = "application/json",
                 const std::vector<std::string>& headers = {}) const {
    return call(http_request("POST", path, body, type, headers));
  }

 private:
  bool read_stderr(int ms) {
    pollfd p{err_fd_, POLLIN, 0};
    if (::poll(&p, 1, ms) <= 0) return false;
    char chunk[4096];
    const ssize_t n = ::read(err_fd_, chunk, sizeof chunk);
    if (n <= 0) return false;
    stderr_.append(chunk, static_cast<std::size_t>(n));
    return true;
  }
  TempDir tmp_;
  std::string log_;
  pid_t pid_ = -1;
  int err_fd_ = -1;
  int port_ = 0;
  std::string stderr_;
};

}  // namespace shipml::test
