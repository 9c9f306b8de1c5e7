#pragma once
/// \file
/// What the server does with a request: routes it to the Open Inference Protocol
/// v2, MLflow's scoring protocol, health and metrics endpoints; checks the
/// bearer token; sends it to the model its name routes to (the primary, or a
/// canary for its share); predicts through Model::predict (the same schema
/// checks as every other front door); counts it; writes one JSON line of access
/// log; and hands the answered rows to the drift window, the shadow model and,
/// for a sample, the prediction log.
#include <string>
#include <string_view>
#include <vector>

#include "shipml/core/export.hpp"
#include "shipml/serve/http.hpp"
#include "shipml/serve/model_repository.hpp"
#include "shipml/serve/prediction_log.hpp"
#include "shipml/serve/server.hpp"
#include "shipml/serve/server_metrics.hpp"
#include "shipml/serve/shadow_scorer.hpp"

namespace shipml::serve {

/// How the inference service answers: authentication, access log, event loops.
struct SHIPML_API ServiceOptions {
  std::string token;       ///< empty: no authentication
  bool access_log = true;  ///< JSON lines on standard output
  int loops = 1;           ///< the server's event loops (one log buffer and metrics shard each)
  int log_fd = 1;          ///< the file descriptor the access log goes to (1: standard output)
  /// Where a sample of the inference requests is logged (null: nowhere); must outlive the service.
  PredictionLog* prediction_log = nullptr;
  /// Scores requests with their names' shadow models (null: no shadows); must outlive the service.
  ShadowScorer* shadows = nullptr;
  /// The header whose value keeps a client on one variant when a name has a canary (any case).
  std::string canary_header = "x-canary-key";
};

/// What the server does with a request: routes it, checks the token, predicts,
/// counts and logs it.
class SHIPML_API InferenceService {
 public:
  /// Serves `models`, which must outlive the service.
  InferenceService(ModelRepository& models, ServiceOptions options);

  /// Answers one request from `peer` (the server's Handler).
  void handle(const HttpRequest& request, const Peer& peer, HttpResponse& response);
  /// Writes the loop's buffered access-log lines (one write per batch of requests).
  void flush_log(int loop);
  /// Loads every model again; those that fail keep their old version serving.
  /// Returns one line per model saying what happened.
  std::vector<std::string> reload();

  /// What the service has counted.
  ServerMetrics& metrics() { return metrics_; }
  /// The models it serves.
  ModelRepository& models() { return models_; }
  /// Whether an Authorization value (`Bearer <token>`) lets a request in: any
  /// value when no token is required. Shared with the gRPC service.
  bool token_accepted(std::string_view authorization) const;
  /// The header (gRPC: the metadata key) that keeps a client on one variant.
  const std::string& canary_header() const { return options_.canary_header; }
  /// What follows a request's answer, off its path: its rows join the drift
  /// window of the model that answered, and its shadow (if any) scores them.
  /// `request_id` is not empty when the prediction log keeps the request: the
  /// shadow's answer is then logged under it too. Shared with the gRPC service.
  void answered(const Route& route, const Frame& rows, const Predictions& predictions, std::string_view request_id);
  /// Whether the prediction log keeps the request with this id (false: no log).
  bool logs(std::string_view request_id) const;
  /// Hands an answered request's record to the prediction log; call only when logs() said so.
  void log(PredictionRecord record) { options_.prediction_log->submit(std::move(record)); }

 private:
  struct Outcome;
  void route(const HttpRequest& request, HttpResponse& response, Outcome& outcome);
  void infer(const HttpRequest& request, const std::string& name, const std::string& version, HttpResponse& response,
             Outcome& outcome);
  void invocations(const HttpRequest& request, HttpResponse& response, Outcome& outcome);
  bool authorized(const HttpRequest& request) const;
  // The request's id when the prediction log samples it; empty otherwise.
  std::string_view logged(const Outcome& outcome) const;
  // Keeps what the prediction log needs of a request it samples.
  void keep_for_log(const std::shared_ptr<const ServedModel>& served, const Frame& input, Predictions&& predictions,
                    Outcome& outcome) const;

  ModelRepository& models_;
  ServiceOptions options_;
  ServerMetrics metrics_;
  std::vector<std::string> log_buffers_;
};

}  // namespace shipml::serve
