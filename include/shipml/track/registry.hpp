#pragma once
/// \file
/// The model registry: model files registered under a name, each registration
/// the next version, with the run it came from and that run's metrics. A version
/// carries a stage (none, staging, production, archived) and notes; promoting a
/// version to staging or production archives the one that held that stage, so a
/// reference such as models:/churn/production always means exactly one file.
#include <string>
#include <vector>

#include "shipml/core/export.hpp"
#include "shipml/track/run_store.hpp"

namespace shipml {

/// One registered version of a model.
struct SHIPML_API ModelVersion {
  std::string name;            ///< the registered name
  int version = 0;             ///< 1, 2, ... in registration order
  std::string stage = "none";  ///< none, staging, production or archived
  std::string source_run;      ///< empty when registered from a file
  std::string path;            ///< the registry's own copy of the model file
  /// When it was registered (UTC, ISO 8601).
  std::string created, notes;                         ///< free text
  nlohmann::json metrics = nlohmann::json::object();  ///< the source run's metrics (empty when registered from a file)

  /// The version as JSON.
  nlohmann::json to_json() const;
};

/// Model files registered under names, with versions and stages, kept in a run store.
class SHIPML_API ModelRegistry {
 public:
  /// The registry kept in `store`, which must outlive it.
  explicit ModelRegistry(RunStore& store);

  /// Registers a copy of `model_file` (checked: it must load) as the next version of `name`.
  ModelVersion register_file(const std::string& name, const std::string& model_file, const std::string& notes = "");
  /// Registers the model file a run saved, with the run's metrics.
  ModelVersion register_run(const std::string& name, const std::string& run_id, const std::string& notes = "");
  /// Every registered name.
  std::vector<std::string> names();
  /// Every version of `name`, oldest first.
  std::vector<ModelVersion> versions(const std::string& name);
  /// "NAME" (latest version), "NAME@3" or "NAME/3", "NAME:production" or "NAME/production".
  ModelVersion get(const std::string& reference);
  /// Moves a version to `stage` (none, staging, production, archived); to staging or
  /// production, it archives the version that held that stage.
  ModelVersion promote(const std::string& name, int version, const std::string& stage, const std::string& notes = "");

 private:
  ModelVersion add(const std::string& name, const std::string& file, const std::string& run,
                   const nlohmann::json& metrics, const std::string& notes);
  RunStore& store_;
};

/// A model file and, when it came from the registry, which version it is.
struct SHIPML_API ModelReference {
  std::string path;   ///< the model file
  std::string name;   ///< the registered name (empty for a plain path)
  int version = 0;    ///< the registered version (0 for a plain path)
  std::string stage;  ///< the version's stage (empty for a plain path)
};
/// Where a model is: "models:/NAME/production" or "models:/NAME/3" (looked up in
/// the registry of $SHIPML_TRACKING_URI or ./runs); any other text is a path, as is.
SHIPML_API ModelReference resolve_model(const std::string& path_or_reference);
/// resolve_model(path_or_reference).path.
SHIPML_API std::string resolve_model_path(const std::string& path_or_reference);
/// Whether `s` is a registry reference (starts with `models:/`).
inline bool is_registry_reference(const std::string& s) { return s.starts_with("models:/"); }

}  // namespace shipml
