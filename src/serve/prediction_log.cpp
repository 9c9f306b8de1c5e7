// The prediction log's queue and writer thread. A request takes the queue's
// mutex only to push (the writer holds it only to swap the whole queue out),
// so logging costs a request a move and a push, and a full queue a counter.
#include "shipml/serve/prediction_log.hpp"

#include <chrono>
#include <cmath>
#include <iostream>
#include <sstream>

#include "shipml/core/error.hpp"
#include "shipml/core/frame.hpp"

namespace shipml::serve {
namespace {

// FNV-1a, then a splitmix64 finish so that ids differing in their last
// character spread over the whole range; stable across builds and machines,
// so a given request id is sampled the same way everywhere.
std::uint64_t id_hash(std::string_view id) {
  std::uint64_t h = 1469598103934665603ULL;
  for (unsigned char c : id) h = (h ^ c) * 1099511628211ULL;
  h ^= h >> 30;
  h *= 0xbf58476d1ce4e5b9ULL;
  h ^= h >> 27;
  h *= 0x94d049bb133111ebULL;
  return h ^ (h >> 31);
}

constexpr std::size_t kMaxBatch = 1000;  // records per write: a transaction, one file append

}  // namespace

bool sampled(std::string_view request_id, double rate) {
  if (rate >= 1) return true;
  if (rate <= 0) return false;
  return static_cast<double>(id_hash(request_id) >> 11) * 0x1.0p-53 < rate;
}

PredictionLog::PredictionLog(PredictionLogOptions options)
    : options_(std::move(options)), state_(std::make_shared<State>()) {
  if (!(options_.sample >= 0 && options_.sample <= 1))
    throw UsageError("--sample " + format_number(options_.sample) + " is not a share between 0 and 1");
  if (options_.queue == 0) throw UsageError("--log-queue must hold at least 1 record");
  auto sink = open_prediction_sink(options_);
  writer_ = std::thread(write_loop, state_, options_, std::move(sink));
}

PredictionLog::~PredictionLog() { close(); }

void PredictionLog::submit(PredictionRecord record) {
  {
    std::lock_guard lock(state_->mutex);
    if (!state_->closing && state_->queue.size() < options_.queue) {
      state_->queue.push_back(std::move(record));
      state_->depth.store(state_->queue.size(), std::memory_order_relaxed);
      if (state_->queue.size() == 1) state_->wake.notify_one();
      return;
    }
  }
  state_->dropped.fetch_add(1, std::memory_order_relaxed);
}

void PredictionLog::close() {
  if (!writer_.joinable()) return;
  std::unique_lock lock(state_->mutex);
  state_->closing = true;
  state_->wake.notify_one();
  const auto limit = std::chrono::duration<double>(options_.drain_seconds);
  const bool finished = state_->drained.wait_for(lock, limit, [&] { return state_->done; });
  const std::size_t left = state_->queue.size();
  lock.unlock();
  if (finished) {
    writer_.join();
    return;
  }
  // The sink does not return (a blocked pipe, a hung network disk): leave the
  // writer behind rather than hang the server's exit. It owns what it uses.
  std::cerr << "prediction log: the writer did not finish within " << options_.drain_seconds << " s; " << left
            << " queued records are not written" << std::endl;
  writer_.detach();
}

void PredictionLog::write_loop(std::shared_ptr<State> state, PredictionLogOptions options,
                               std::unique_ptr<PredictionSink> sink) {
  bool reported = false;
  std::deque<PredictionRecord> batch;
  while (true) {
    {
      std::unique_lock lock(state->mutex);
      state->wake.wait(lock, [&] { return state->closing || !state->queue.empty(); });
      if (state->queue.empty()) break;  // closing, and everything is written
      if (state->queue.size() <= kMaxBatch) {
        batch.swap(state->queue);
      } else {
        for (std::size_t i = 0; i < kMaxBatch; ++i) {
          batch.push_back(std::move(state->queue.front()));
          state->queue.pop_front();
        }
      }
      state->depth.store(state->queue.size(), std::memory_order_relaxed);
    }
    try {
      if (!sink) sink = open_prediction_sink(options);  // after an error: the disk may have room again
      sink->write(batch);
      state->written.fetch_add(batch.size(), std::memory_order_relaxed);
    } catch (const std::exception& e) {
      sink.reset();
      state->failed.fetch_add(batch.size(), std::memory_order_relaxed);
      // Once: a sink that stays broken would otherwise fill stderr at the request rate.
      if (!reported)
        std::cerr << "prediction log: cannot write, records are being lost (counted in "
                     "shipml_prediction_log_failed_total): "
                  << e.what() << std::endl;
      reported = true;
    }
    batch.clear();
  }
  std::lock_guard lock(state->mutex);
  state->done = true;
  state->drained.notify_all();
}

std::string PredictionLog::render_metrics() const {
  std::ostringstream o;
  o << "# HELP shipml_prediction_log_written_total Prediction records written to the log.\n"
       "# TYPE shipml_prediction_log_written_total counter\n"
       "shipml_prediction_log_written_total "
    << written()
    << "\n# HELP shipml_prediction_log_dropped_total Prediction records dropped because the log's queue was full.\n"
       "# TYPE shipml_prediction_log_dropped_total counter\n"
       "shipml_prediction_log_dropped_total "
    << dropped()
    << "\n# HELP shipml_prediction_log_failed_total Prediction records lost because the log could not be written.\n"
       "# TYPE shipml_prediction_log_failed_total counter\n"
       "shipml_prediction_log_failed_total "
    << failed()
    << "\n# HELP shipml_prediction_log_queue_depth Prediction records waiting to be written.\n"
       "# TYPE shipml_prediction_log_queue_depth gauge\n"
       "shipml_prediction_log_queue_depth "
    << state_->depth.load() << '\n';
  return o.str();
}

}  // namespace shipml::serve
