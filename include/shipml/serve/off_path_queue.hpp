#pragma once
/// \file
/// Work done off the request path (the prediction log's writes, a shadow
/// model's scoring): a bounded queue between the request threads and one worker
/// thread. A request only moves its item in, holding the mutex for a push; when
/// the queue is full the item is dropped and counted, so a slow worker never
/// delays a request. The worker takes what is queued in batches (holding the
/// mutex only to swap them out); close() lets it finish, within a deadline.
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>

namespace shipml::serve {

/// A bounded queue of `Item`s and the one thread that works through them.
template <class Item>
class OffPathQueue {
 public:
  /// Handles a batch on the worker thread. It must own (or share) everything it
  /// uses: a worker that does not finish within close()'s deadline is left
  /// behind, and may run after the queue's owner is gone. What it throws is lost.
  using Work = std::function<void(std::deque<Item>& batch)>;

  /// How close() went.
  struct Closed {
    bool finished = true;  ///< whether the worker finished everything within the deadline
    std::size_t left = 0;  ///< when not: items still queued, never handled
  };

  /// Starts the worker. `capacity` items wait at most; a batch holds `max_batch` at most.
  OffPathQueue(std::size_t capacity, std::size_t max_batch, Work work)
      : capacity_(capacity), state_(std::make_shared<State>()) {
    worker_ = std::thread(run, state_, max_batch, std::move(work));
  }
  /// close(0) if not closed: whatever is left is abandoned.
  ~OffPathQueue() { close(0); }
  OffPathQueue(const OffPathQueue&) = delete;
  OffPathQueue& operator=(const OffPathQueue&) = delete;

  /// Queues an item, or drops and counts it when the queue is full or closed;
  /// never waits for the worker. Returns whether it was queued.
  bool push(Item item) {
    {
      std::lock_guard lock(state_->mutex);
      if (!state_->closing && state_->queue.size() < capacity_) {
        state_->queue.push_back(std::move(item));
        state_->depth.store(state_->queue.size(), std::memory_order_relaxed);
        if (state_->queue.size() == 1) state_->wake.notify_one();
        return true;
      }
    }
    state_->dropped.fetch_add(1, std::memory_order_relaxed);
    return false;
  }

  /// Lets the worker handle what is queued, for at most `drain_seconds`, and
  /// stops it; a worker still busy then (a sink that never returns) is detached
  /// rather than holding up the server's exit. Only the first call does anything.
  Closed close(double drain_seconds) {
    if (!worker_.joinable()) return {};
    std::unique_lock lock(state_->mutex);
    state_->closing = true;
    state_->wake.notify_one();
    const bool finished =
        state_->drained.wait_for(lock, std::chrono::duration<double>(drain_seconds), [&] { return state_->done; });
    const std::size_t left = state_->queue.size();
    lock.unlock();
    if (finished) worker_.join();
    else worker_.detach();
    return {finished, left};
  }

  std::uint64_t dropped() const { return state_->dropped.load(); }  ///< items dropped: the queue was full
  std::size_t depth() const { return state_->depth.load(); }        ///< items waiting now

 private:
  // Shared with the worker, which may outlive the queue (see close()).
  struct State {
    std::mutex mutex;
    std::condition_variable wake, drained;
    std::deque<Item> queue;
    bool closing = false, done = false;
    std::atomic<std::uint64_t> dropped{0};
    std::atomic<std::size_t> depth{0};
  };

  static void run(std::shared_ptr<State> state, std::size_t max_batch, Work work) {
    std::deque<Item> batch;
    while (true) {
      {
        std::unique_lock lock(state->mutex);
        state->wake.wait(lock, [&] { return state->closing || !state->queue.empty(); });
        if (state->queue.empty()) break;  // closing, and everything is handled
        if (state->queue.size() <= max_batch) {
          batch.swap(state->queue);
        } else {
          for (std::size_t i = 0; i < max_batch; ++i) {
            batch.push_back(std::move(state->queue.front()));
            state->queue.pop_front();
          }
        }
        state->depth.store(state->queue.size(), std::memory_order_relaxed);
      }
      try {
        work(batch);
      } catch (...) {  // the work counts its own failures; the worker goes on
      }
      batch.clear();
    }
    std::lock_guard lock(state->mutex);
    state->done = true;
    state->drained.notify_all();
  }

  std::size_t capacity_;
  std::shared_ptr<State> state_;
  std::thread worker_;
};

}  // namespace shipml::serve
