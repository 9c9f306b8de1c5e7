#pragma once
/// \file
/// Shadow models (`shipml serve --shadow NAME=PATH`): every request answered
/// for NAME is scored again by its shadow, off the request path, and the two
/// answers are compared: the agreement goes to the metrics, and the shadow's
/// answer to the prediction log beside the one served (same request id), so a
/// new model can be judged on live traffic before it answers any of it.
#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <tuple>
#include <utility>

#include "shipml/core/export.hpp"
#include "shipml/serve/model_repository.hpp"
#include "shipml/serve/off_path_queue.hpp"
#include "shipml/serve/prediction_log.hpp"

namespace shipml::serve {

/// How shadows are scored.
struct SHIPML_API ShadowOptions {
  std::size_t queue = 10000;  ///< requests waiting for their shadow at most; more are dropped and counted
  /// On close: how long the scorer may take to finish what is queued. Short: what
  /// is left only feeds metrics, and a stopping server has a grace period to keep.
  double drain_seconds = 2;
  /// Regression: two predictions agree when they differ by at most this share of the larger magnitude.
  double tolerance = 0.01;
};

/// One answered request, for its shadow to score.
struct SHIPML_API ShadowJob {
  std::shared_ptr<const ServedModel> shadow;  ///< the model that scores it
  Frame inputs;                               ///< the rows, as the request gave them
  Predictions answered;                       ///< what the request was answered
  Variant against = Variant::primary;         ///< which variant answered it
  std::string request_id;  ///< when the prediction log keeps the request: the id to log the shadow's answer under
  bool log = false;        ///< whether to log the shadow's answer
};

/// How one shadow compares with what was answered.
struct SHIPML_API ShadowAgreement {
  std::uint64_t rows = 0;      ///< rows scored by the shadow
  std::uint64_t agreeing = 0;  ///< of them: the same class, or a value within the tolerance
  double abs_difference = 0;   ///< regression: the sum of |shadow - answered|
  std::uint64_t failed = 0;    ///< requests the shadow could not score (another schema or task, ...)
};

/// The queue of answered requests and the thread that scores them with their shadows.
class SHIPML_API ShadowScorer {
 public:
  /// Starts the scorer; the shadows' answers of sampled requests go to `log`
  /// (null: none), shared because a scorer that misses its drain deadline is
  /// left behind, still holding it (what it submits after the log closed is dropped).
  ShadowScorer(ShadowOptions options, std::shared_ptr<PredictionLog> log);
  /// close().
  ~ShadowScorer();
  ShadowScorer(const ShadowScorer&) = delete;
  ShadowScorer& operator=(const ShadowScorer&) = delete;

  /// Queues a request for its shadow, or drops and counts it when the queue is full. Never waits.
  void submit(ShadowJob job) { queue_.push(std::move(job)); }
  /// Scores what is queued (within drain_seconds) and stops.
  void close();

  /// Agreement so far of the shadow served as `name`:`version` with the answers of one variant.
  ShadowAgreement agreement(const std::string& name, const std::string& version,
                            Variant against = Variant::primary) const;
  /// Requests dropped because the queue was full.
  std::uint64_t dropped() const { return queue_.dropped(); }
  /// Agreement per shadow, drops and queue depth, in Prometheus' text format.
  std::string render_metrics() const;

 private:
  // Shared with the scoring thread.
  struct Tally {
    mutable std::mutex mutex;
    std::map<std::tuple<std::string, std::string, Variant>, ShadowAgreement> by_shadow;  // (name, version, against)
  };
  static void score(const ShadowJob& job, const ShadowOptions& options, Tally& tally, PredictionLog* log);
  static const ShadowOptions& checked(const ShadowOptions& options);

  ShadowOptions options_;
  std::shared_ptr<Tally> tally_;
  OffPathQueue<ShadowJob> queue_;
};

}  // namespace shipml::serve
