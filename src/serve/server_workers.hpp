#pragma once
// The server's worker threads: requests with large bodies are parsed and
// answered off the event loops, so one heavy request cannot hold up the small
// ones behind it. Private to server.cpp.
#include <sys/eventfd.h>
#include <unistd.h>

#include <cerrno>
#include <condition_variable>
#include <cstring>
#include <deque>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "shipml/core/error.hpp"
#include "shipml/serve/server.hpp"

namespace shipml::serve {

// A request taken off its event loop: its bytes, parsed again on a worker
// (the loop's buffer moves on meanwhile), and the answer to send back.
struct OffloadedRequest {
  int loop = 0;
  int fd = -1;  // stays open while a worker has the request, so it names the connection
  std::string peer;
  std::string bytes;
  HttpResponse response;
  bool keep_alive = true;
};

// Worker threads for requests with large bodies, and one mailbox per event
// loop where they leave the answers (an eventfd wakes the loop).
struct HttpServer::Workers {
  struct Mailbox {
    int wake_fd = -1;
    std::mutex mutex;
    std::vector<std::unique_ptr<OffloadedRequest>> answered;
  };

  HttpServer& server;
  std::vector<std::unique_ptr<Mailbox>> mailboxes;
  std::mutex mutex;
  std::condition_variable wake;
  std::deque<std::unique_ptr<OffloadedRequest>> queue;
  bool stopping = false;
  std::vector<std::thread> threads;

  explicit Workers(HttpServer& s) : server(s) {
    for (int i = 0; i < server.options_.threads; ++i) {
      auto box = std::make_unique<Mailbox>();
      box->wake_fd = ::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
      if (box->wake_fd < 0) throw Error(std::string("cannot create an eventfd: ") + std::strerror(errno));
      mailboxes.push_back(std::move(box));
    }
  }
  ~Workers() {
    stop();
    for (auto& box : mailboxes) ::close(box->wake_fd);
  }

  void start() {
    stopping = false;
    for (int i = 0; i < server.options_.workers; ++i)
      threads.emplace_back([this, shard = server.options_.threads + i] { work(shard); });
  }
  void stop() {
    {
      std::lock_guard lock(mutex);
      stopping = true;
    }
    wake.notify_all();
    for (auto& t : threads) t.join();
    threads.clear();
  }

  void submit(std::unique_ptr<OffloadedRequest> request) {
    {
      std::lock_guard lock(mutex);
      queue.push_back(std::move(request));
    }
    wake.notify_one();
  }

  std::vector<std::unique_ptr<OffloadedRequest>> take_answers(int loop) {
    Mailbox& box = *mailboxes[static_cast<std::size_t>(loop)];
    std::uint64_t count = 0;
    [[maybe_unused]] const auto n = ::read(box.wake_fd, &count, sizeof count);
    std::lock_guard lock(box.mutex);
    return std::exchange(box.answered, {});
  }

 private:
  void work(int shard) {
    while (true) {
      std::unique_ptr<OffloadedRequest> request;
      {
        std::unique_lock lock(mutex);
        wake.wait(lock, [&] { return stopping || !queue.empty(); });
        if (stopping) return;
        request = std::move(queue.front());
        queue.pop_front();
      }
      answer(*request, shard);
      post(std::move(request));
      if (server.idle_) server.idle_(shard);
    }
  }

  void answer(OffloadedRequest& r, int shard) {
    try {
      HttpRequest request;
      std::string body;
      // The loop parsed these bytes whole already: parsing again gives the same request.
      parse_request(r.bytes, server.options_.limits, request, body);
      r.keep_alive = request.keep_alive;
      server.handler_(request, Peer{r.peer, shard}, r.response);
    } catch (const std::exception&) {
      r.response = HttpResponse{};
      r.response.set(500, "{\"error\":\"internal error\"}");
    }
  }

  void post(std::unique_ptr<OffloadedRequest> request) {
    Mailbox& box = *mailboxes[static_cast<std::size_t>(request->loop)];
    {
      std::lock_guard lock(box.mutex);
      box.answered.push_back(std::move(request));
    }
    const std::uint64_t one = 1;
    [[maybe_unused]] const auto n = ::write(box.wake_fd, &one, sizeof one);
  }
};

}  // namespace shipml::serve
