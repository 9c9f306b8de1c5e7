#pragma once
/// \file
/// Where run records live: an embedded SQLite database in a `runs/` folder by
/// default (nothing to set up), or a PostgreSQL server for teams, with the same
/// schema and versioned migrations applied on first use. Artifacts (model files,
/// tables, charts) are copied into a folder beside the records.
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "shipml/core/export.hpp"

namespace shipml {

namespace sql {
class SqlConnection;
}

/// One recorded run: what ran, how it ended, its parameters, metrics and artifacts.
struct SHIPML_API RunRecord {
  std::string id;                      ///< unique id
  std::string experiment = "default";  ///< groups related runs
  std::string kind;                    ///< train, score, compare, search, select, run
  std::string status;                  ///< running, finished, failed, interrupted
  /// When it started (UTC, ISO 8601).
  std::string start_time, end_time, heartbeat;  ///< when it last reported being alive (UTC, ISO 8601)
  /// \var end_time
  /// When it ended (UTC, ISO 8601; empty while running).
  double duration_seconds = 0;  ///< how long it took
  std::string error;            ///< why it failed
  /// Parameters, by name.
  std::map<std::string, std::string> params, tags;          ///< tags, by key
  std::map<std::string, double> metrics;                    ///< the run's values (under CV: fold means, `<m>_std`)
  std::map<std::string, std::vector<double>> metric_steps;  ///< per fold, or per iteration of a learner
  std::map<std::string, std::string> artifacts;             ///< name -> stored path
  nlohmann::json info = nlohmann::json::object();           ///< command, user, host, git, data, schema, validation

  /// The record as JSON.
  nlohmann::json to_json() const;
};

/// Which runs list() returns, in what order.
struct SHIPML_API RunQuery {
  std::string experiment;  ///< empty: every experiment
  /// "metrics.auc > 0.9 and params.max_leaves = 31 and status = finished"; a
  /// bare name that is not a run's own field is a metric ("roc_auc > 0.9").
  std::string filter;
  std::string sort = "-start_time";  ///< a field as in filters, "-" for descending
  std::size_t limit = 100;           ///< at most this many
  std::size_t offset = 0;            ///< after skipping this many (pages of a long list)
};

/// The store of run records and their artifacts: SQLite in a folder, or a PostgreSQL server.
class SHIPML_API RunStore {
 public:
  /// `uri`: empty for $SHIPML_TRACKING_URI or else ./runs; a folder (SQLite
  /// file and artifacts in it); or `postgresql://user@host[:port]/db`, with
  /// artifacts in $SHIPML_ARTIFACT_ROOT (default ./runs/artifacts).
  static std::unique_ptr<RunStore> open(const std::string& uri = "");
  /// Closes the store.
  ~RunStore();

  /// Where the store is, as opened.
  const std::string& uri() const { return uri_; }

  /// Records a new run as running; fills in its id, start time and heartbeat.
  void start(RunRecord& run);
  /// Records parameters of run `id`.
  void log_params(const std::string& id, const std::map<std::string, std::string>& params);
  /// Records a metric value at `step` (-1: the run's own value, not a step).
  void log_metric(const std::string& id, const std::string& key, double value, int step = -1);
  /// Records the run's own values of several metrics.
  void log_metrics(const std::string& id, const std::map<std::string, double>& values);
  /// A metric's value at steps first_step, first_step + 1, ... (folds, boosting rounds), in one write.
  void log_series(const std::string& id, const std::string& key, const std::vector<double>& values, int first_step = 0);
  /// Sets a tag of run `id`.
  void set_tag(const std::string& id, const std::string& key, const std::string& value);
  /// Replaces the info of run `id`.
  void set_info(const std::string& id, const nlohmann::json& info);
  /// Copies a file into the run's artifact folder; returns where it went.
  std::string add_artifact(const std::string& id, const std::string& name, const std::string& file);
  /// Notes that run `id` is still alive.
  void heartbeat(const std::string& id);
  /// Ends run `id` with `status` (finished, failed, interrupted) and, if given, the error.
  void finish(const std::string& id, const std::string& status, const std::string& error = "");

  /// The runs `query` selects.
  std::vector<RunRecord> list(const RunQuery& query = {});
  /// How many runs `query` selects, whatever its limit and offset.
  std::size_t count(const RunQuery& query = {});
  /// Every experiment with runs, in name order.
  std::vector<std::string> experiments();
  /// A run by id, unique id prefix or "latest"; a UsageError otherwise.
  RunRecord get(const std::string& id);
  /// Deletes the run's records and artifacts (see the list form).
  void remove(const std::string& id);
  /// Deletes the runs' records and artifacts: all or none. Every id is checked
  /// first (a UsageError for one that is unknown, or for a run still running,
  /// whose process would go on writing into a deleted record), then all records
  /// go in one transaction.
  void remove(const std::vector<std::string>& ids);

 private:
  friend class ModelRegistry;
  RunStore(std::string uri, std::unique_ptr<sql::SqlConnection> db, std::string artifact_root);
  void migrate();
  std::string resolve(const std::string& id_or_prefix);
  std::string uri_;
  std::unique_ptr<sql::SqlConnection> db_;
  std::string artifact_root_;
};

}  // namespace shipml
