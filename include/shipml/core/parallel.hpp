#pragma once
// Runs independent tasks on a few threads. Work is taken in index order, so
// results stored by index are the same whatever the thread count; the first
// exception is rethrown once every worker has stopped.
#include <algorithm>
#include <atomic>
#include <exception>
#include <mutex>
#include <thread>
#include <vector>

namespace shipml {

/// Threads to use when the caller says 0: all cores.
inline int default_threads() { return std::max(1u, std::thread::hardware_concurrency()); }

template <class Fn>
void parallel_for(std::size_t n, int threads, Fn&& fn) {
  if (threads <= 0) threads = default_threads();
  const std::size_t workers = std::min<std::size_t>(n, static_cast<std::size_t>(threads));
  if (workers <= 1) {
    for (std::size_t i = 0; i < n; ++i) fn(i);
    return;
  }
  std::atomic<std::size_t> next{0};
  std::exception_ptr error;
  std::mutex error_mutex;
  auto work = [&] {
    for (std::size_t i; (i = next.fetch_add(1)) < n;) {
      try {
        fn(i);
      } catch (...) {
        std::lock_guard lock(error_mutex);
        if (!error) error = std::current_exception();
        next = n;
      }
    }
  };
  std::vector<std::thread> pool;
  for (std::size_t w = 1; w < workers; ++w) pool.emplace_back(work);
  work();
  for (auto& t : pool) t.join();
  if (error) std::rethrow_exception(error);
}

}  // namespace shipml
