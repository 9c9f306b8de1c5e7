#pragma once
// Where run records live: an embedded SQLite database in a `runs/` folder by
// default (nothing to set up), or a PostgreSQL server for teams, with the same
// schema and versioned migrations applied on first use. Artifacts (model files,
// tables, charts) are copied into a folder beside the records.
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "shipml/core/export.hpp"

namespace shipml {

namespace track {
class SqlConnection;
}

struct SHIPML_API RunRecord {
  std::string id;
  std::string experiment = "default";
  std::string kind;    // train, score, compare, search, select, run
  std::string status;  // running, finished, failed, interrupted
  std::string start_time, end_time, heartbeat;  // UTC, ISO 8601
  double duration_seconds = 0;
  std::string error;
  std::map<std::string, std::string> params, tags;
  std::map<std::string, double> metrics;                    // the run's values (under CV: fold means, "<m>_std")
  std::map<std::string, std::vector<double>> metric_steps;  // per fold, or per iteration of a learner
  std::map<std::string, std::string> artifacts;             // name -> stored path
  nlohmann::json info = nlohmann::json::object();           // command, user, host, git, data, schema, validation

  nlohmann::json to_json() const;
};

struct SHIPML_API RunQuery {
  std::string experiment;          // empty: every experiment
  std::string filter;              // "metrics.auc > 0.9 and params.max_leaves = 31 and status = finished"
  std::string sort = "-start_time";  // a field as in filters, "-" for descending
  std::size_t limit = 100;
};

class SHIPML_API RunStore {
 public:
  /// `uri`: empty for $SHIPML_TRACKING_URI or else ./runs; a folder (SQLite
  /// file and artifacts in it); or postgresql://user@host[:port]/db, with
  /// artifacts in $SHIPML_ARTIFACT_ROOT (default ./runs/artifacts).
  static std::unique_ptr<RunStore> open(const std::string& uri = "");
  ~RunStore();

  const std::string& uri() const { return uri_; }

  /// Records a new run as running; fills in its id, start time and heartbeat.
  void start(RunRecord& run);
  void log_params(const std::string& id, const std::map<std::string, std::string>& params);
  void log_metric(const std::string& id, const std::string& key, double value, int step = -1);
  void log_metrics(const std::string& id, const std::map<std::string, double>& values);
  /// A metric's value at steps first_step, first_step + 1, ... (folds, boosting rounds), in one write.
  void log_series(const std::string& id, const std::string& key, const std::vector<double>& values, int first_step = 0);
  void set_tag(const std::string& id, const std::string& key, const std::string& value);
  void set_info(const std::string& id, const nlohmann::json& info);
  /// Copies a file into the run's artifact folder; returns where it went.
  std::string add_artifact(const std::string& id, const std::string& name, const std::string& file);
  void heartbeat(const std::string& id);
  void finish(const std::string& id, const std::string& status, const std::string& error = "");

  std::vector<RunRecord> list(const RunQuery& query = {});
  /// A run by id or unique id prefix; a UsageError otherwise.
  RunRecord get(const std::string& id);
  /// Deletes the run's records and artifacts.
  void remove(const std::string& id);

 private:
  friend class ModelRegistry;
  RunStore(std::string uri, std::unique_ptr<track::SqlConnection> db, std::string artifact_root);
  void migrate();
  std::string resolve(const std::string& id_or_prefix);
  std::string uri_;
  std::unique_ptr<track::SqlConnection> db_;
  std::string artifact_root_;
};

}  // namespace shipml
