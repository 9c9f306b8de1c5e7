// The prediction log's queue and writer thread. A request takes the queue's
// mutex only to push (the writer holds it only to swap the whole queue out),
// so logging costs a request a move and a push, and a full queue a counter.
#include "shipml/serve/prediction_log.hpp"

#include <chrono>
#include <cmath>
#include <iostream>
#include <sstream>

#include "request_id.hpp"
#include "shipml/core/error.hpp"
#include "shipml/core/frame.hpp"

namespace shipml::serve {
namespace {

constexpr std::size_t kMaxBatch = 1000;  // records per write: a transaction, one file append

}  // namespace

bool sampled(std::string_view request_id, double rate) {
  if (rate >= 1) return true;
  if (rate <= 0) return false;
  return key_position(request_id) < rate;
}

namespace {

// Writes batches to the sink, reopening it after an error (the disk may have room again).
class SinkWriter {
 public:
  using Counter = std::shared_ptr<std::atomic<std::uint64_t>>;
  SinkWriter(PredictionLogOptions options, std::unique_ptr<PredictionSink> sink, Counter written, Counter failed)
      : options_(std::move(options)), sink_(std::move(sink)), written_(std::move(written)), failed_(std::move(failed)) {
  }
  void operator()(std::deque<PredictionRecord>& batch) {
    try {
      if (!sink_) sink_ = open_prediction_sink(options_);
      sink_->write(batch);
      written_->fetch_add(batch.size(), std::memory_order_relaxed);
    } catch (const std::exception& e) {
      sink_.reset();
      failed_->fetch_add(batch.size(), std::memory_order_relaxed);
      // Once: a sink that stays broken would otherwise fill stderr at the request rate.
      if (!reported_)
        std::cerr << "prediction log: cannot write, records are being lost (counted in "
                     "shipml_prediction_log_failed_total): "
                  << e.what() << std::endl;
      reported_ = true;
    }
  }

 private:
  PredictionLogOptions options_;
  std::shared_ptr<PredictionSink> sink_;
  Counter written_, failed_;  // the log's counters, shared: the writer may outlive the log
  bool reported_ = false;
};

// The options, checked, with the sink they name opened: a bad target fails before the writer starts.
std::unique_ptr<PredictionSink> checked_sink(const PredictionLogOptions& options) {
  if (!(options.sample >= 0 && options.sample <= 1))
    throw UsageError("--sample " + format_number(options.sample) + " is not a share between 0 and 1");
  if (options.queue == 0) throw UsageError("--log-queue must hold at least 1 record");
  return open_prediction_sink(options);
}

}  // namespace

PredictionLog::PredictionLog(PredictionLogOptions options)
    : options_(std::move(options)), counters_(std::make_shared<Counters>()),
      queue_(options_.queue, kMaxBatch,
             SinkWriter(options_, checked_sink(options_), {counters_, &counters_->written},
                        {counters_, &counters_->failed})) {}

PredictionLog::~PredictionLog() { close(); }

void PredictionLog::close() {
  const auto closed = queue_.close(options_.drain_seconds);
  if (!closed.finished)
    std::cerr << "prediction log: the writer did not finish within " << options_.drain_seconds << " s; " << closed.left
              << " queued records are not written" << std::endl;
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
    << queue_.depth() << '\n';
  return o.str();
}

}  // namespace shipml::serve
