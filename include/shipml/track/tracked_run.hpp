#pragma once
/// \file
/// A run being recorded. Front doors open one around each train, score, compare
/// or search: it is written as running at once, so a crash or a kill still
/// leaves a record; finish() marks it finished, and a run that ends any other way
/// (an error, an exception) is marked failed with the reason. Nothing is written
/// when tracking is off ($SHIPML_TRACKING=off, or --no-track).
#include <exception>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "shipml/core/export.hpp"
#include "shipml/data/dataset.hpp"
#include "shipml/model/model.hpp"
#include "shipml/model/scoring.hpp"
#include "shipml/track/run_store.hpp"

namespace shipml {

/// Whether runs are recorded by default: not when $SHIPML_TRACKING is off/0/false.
SHIPML_API bool tracking_enabled();

/// A run being recorded around one piece of work (see RunStore).
class SHIPML_API TrackedRun {
 public:
  /// Starts a run in the store at `uri` (see RunStore::open) when `enabled`,
  /// unless this thread already has a run open (a run inside a run is part of
  /// it) or it is a worker of parallel work. `command` is the command line as
  /// typed; empty for the process's own (a C++ program).
  TrackedRun(std::string kind, std::string experiment, std::vector<std::string> command, bool enabled = true,
             const std::string& uri = "");
  /// Marks the run failed when it was neither finished nor failed.
  ~TrackedRun();
  /// Not copyable: it owns the run.
  TrackedRun(const TrackedRun&) = delete;
  /// Not copyable.
  TrackedRun& operator=(const TrackedRun&) = delete;

  /// Whether a run is being recorded.
  bool active() const { return store_ != nullptr; }
  /// The run's id (empty when none is being recorded).
  const std::string& id() const { return run_.id; }

  /// The data: source, fingerprint, rows, columns and input schema.
  void data(const Dataset& data);
  /// The data, from features, target and where they came from.
  void data(const Frame& features, const Column& target, const std::string& source);
  /// The estimator and every parameter, defaults included.
  void model(const Model& model);
  /// What training produced: fit time, and the learner's own per-iteration
  /// series (validation loss per boosting round) as metric steps.
  void trained(const Model& model);
  /// What scoring measured: per-fold values as steps, the means as the run's metrics, `<m>_std`.
  void result(const Result& result);
  /// Records a metric value of the run.
  void metric(const std::string& name, double value);
  /// Records `value` under `key` in the run's info.
  void info(const std::string& key, const nlohmann::json& value);
  /// Sets a tag.
  void tag(const std::string& key, const std::string& value);
  /// Records parameters.
  void params(const std::map<std::string, std::string>& values);
  /// Copies a file into the run's artifacts.
  void artifact(const std::string& name, const std::string& file);
  /// Saves a model file as an artifact (the best of a comparison or search).
  void model_artifact(const std::string& name, const Model& model);
  /// Stores text (a table, JSON) as an artifact.
  void text_artifact(const std::string& name, const std::string& text);
  /// Stores JSON (indented) as an artifact.
  void json_artifact(const std::string& name, const nlohmann::json& value) {
    text_artifact(name, value.dump(2) + "\n");
  }

  /// Marks the run finished.
  void finish();
  /// Marks the run failed with `error`.
  void fail(const std::string& error);
  /// Ends the run as failed with the error's message, or as interrupted when
  /// the error is a requested stop (Ctrl-C).
  void fail(const std::exception& error);
  /// Stopped on request (Ctrl-C) with what was done kept.
  void interrupted(const std::string& what);

 private:
  std::unique_ptr<RunStore> store_;
  RunRecord run_;
  bool ended_ = false;
};

}  // namespace shipml
