#pragma once
/// \file
/// Prediction logs (`shipml serve --log-predictions`): a sample of the
/// inference requests, each with its inputs, outputs, model version and
/// request id, written to a JSON-lines file, SQLite or PostgreSQL so that
/// labels can be joined later. Off the request path: a request only moves its
/// record into a bounded queue (dropped and counted when the queue is full,
/// never waiting); one writer thread empties the queue in batches.
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <memory>
#include <string>
#include <string_view>

#include "shipml/core/export.hpp"
#include "shipml/model/model.hpp"
#include "shipml/serve/model_repository.hpp"
#include "shipml/serve/off_path_queue.hpp"

namespace shipml::serve {

/// Where prediction records go and how many of them.
struct SHIPML_API PredictionLogOptions {
  /// A file (JSON lines), `sqlite:///path.db` or `postgresql://user@host/db`.
  std::string target;
  double sample = 1.0;                        ///< share of requests logged, in [0, 1]
  std::size_t queue = 10000;                  ///< records waiting at most; more are dropped
  std::size_t max_bytes = 100 * 1000 * 1000;  ///< file target: rotate before it grows past this
  int keep_files = 5;                         ///< file target: rotated files kept (FILE.1 .. FILE.N)
  double drain_seconds = 10;                  ///< on close: how long the writer may take to write what is queued
};

/// One logged request: what the model saw and what it answered.
struct SHIPML_API PredictionRecord {
  std::string time;                          ///< when it was answered: UTC, ISO 8601 with milliseconds
  std::string request_id;                    ///< the X-Request-Id sent or generated
  std::string endpoint;                      ///< v2_infer, invocations, grpc_model_infer, or shadow
  std::shared_ptr<const ServedModel> model;  ///< the model (and version) that answered
  Frame inputs;                              ///< the rows, as the request gave them
  Predictions outputs;                       ///< the predictions (and probabilities) served
  double latency_seconds = 0;                ///< from the complete request to the response
};

/// The record as one JSON object (no newline): what every sink stores.
SHIPML_API std::string record_json(const PredictionRecord& record);
/// The rows as a JSON list of objects, column name to value (null when missing).
SHIPML_API std::string inputs_json(const Frame& rows);
/// {"predictions": [...] as /invocations answers, "probabilities": [[...]]
/// (classification: one per class, in the model's class order)}.
SHIPML_API std::string outputs_json(const Predictions& p);

/// Whether a request with this id is logged at `rate`: a hash of the id, so
/// the same id is always sampled, or never.
SHIPML_API bool sampled(std::string_view request_id, double rate);

/// Where a batch of records goes (a file, SQLite, PostgreSQL). Used by the
/// writer thread only.
class PredictionSink {
 public:
  virtual ~PredictionSink() = default;
  /// Writes the records, all or none (a transaction; for a file, whole lines).
  virtual void write(const std::deque<PredictionRecord>& batch) = 0;
};

/// Opens the sink `options.target` names; a UsageError for a target that is
/// none of the three, a DataError or FileError when it cannot be opened.
SHIPML_API std::unique_ptr<PredictionSink> open_prediction_sink(const PredictionLogOptions& options);

/// The bounded queue and its writer thread.
class SHIPML_API PredictionLog {
 public:
  /// Checks the options and opens the sink now, so a bad target fails at
  /// startup; then starts the writer.
  explicit PredictionLog(PredictionLogOptions options);
  /// close().
  ~PredictionLog();
  PredictionLog(const PredictionLog&) = delete;
  PredictionLog& operator=(const PredictionLog&) = delete;

  /// Whether the request with this id is to be logged.
  bool sampled(std::string_view request_id) const { return serve::sampled(request_id, options_.sample); }
  /// Queues a record, or drops and counts it when the queue is full. Never waits for the writer.
  void submit(PredictionRecord record) { queue_.push(std::move(record)); }
  /// Writes what is queued (within drain_seconds) and stops the writer.
  void close();

  /// The counters, in Prometheus' text format.
  std::string render_metrics() const;

  std::uint64_t written() const { return counters_->written.load(); }  ///< records written
  std::uint64_t dropped() const { return queue_.dropped(); }           ///< records dropped: queue full
  std::uint64_t failed() const { return counters_->failed.load(); }    ///< records lost to sink errors

 private:
  // Shared with the writer, which may outlive the log (see OffPathQueue::close).
  struct Counters {
    std::atomic<std::uint64_t> written{0}, failed{0};
  };

  PredictionLogOptions options_;
  std::shared_ptr<Counters> counters_;
  OffPathQueue<PredictionRecord> queue_;
};

}  // namespace shipml::serve
