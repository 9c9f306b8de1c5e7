#pragma once
/// \file
/// The model registry: model files registered under a name, each registration
/// the next version, with the run it came from and that run's metrics. A version
/// carries a stage (none, staging, production, archived) and notes; promoting a
/// version to staging or production archives the one that held that stage, so a
/// reference such as models:/churn/production always means exactly one file.
/// Aliases are names a team picks (champion, challenger) that point at one
/// version each: `models:/churn@champion`. Every registration, stage change and
/// alias change is kept in a history, with who made it and when.
#include <cstddef>
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
  std::vector<std::string> aliases;                   ///< the aliases pointing at it, sorted

  /// The version as JSON.
  nlohmann::json to_json() const;
};

/// One change to a registered model, as the history keeps it.
struct SHIPML_API ModelEvent {
  std::string name;    ///< the registered name
  int version = 0;     ///< the version changed (for an alias: the version it points at, or pointed at)
  std::string action;  ///< "registered", "stage", "alias_set", "alias_removed"
  /// What it was: the old stage (stage); the version the alias pointed at before,
  /// "" if it is new (alias_set); the alias (alias_removed); "" (registered).
  std::string from;
  /// What it is now: the new stage (stage); the alias (alias_set); "" (alias_removed); "none" (registered).
  std::string to;
  std::string actor;  ///< who: the OS user for the CLI, or what the caller passes (the UI: "ui:<user or address>")
  std::string at;     ///< when (UTC, ISO 8601)
  std::string notes;  ///< free text given with the change

  /// The event as JSON.
  nlohmann::json to_json() const;
};

/// Model files registered under names, with versions and stages, kept in a run store.
class SHIPML_API ModelRegistry {
 public:
  /// The registry kept in `store`, which must outlive it.
  explicit ModelRegistry(RunStore& store);

  // Every change below takes an `actor`, who made it, for the history; ""
  // means the OS user running this process.

  /// Registers a copy of `model_file` (checked: it must load) as the next version of `name`.
  ModelVersion register_file(const std::string& name, const std::string& model_file, const std::string& notes = "",
                             const std::string& actor = "");
  /// Registers the model file a run saved, with the run's metrics.
  ModelVersion register_run(const std::string& name, const std::string& run_id, const std::string& notes = "",
                            const std::string& actor = "");
  /// Every registered name.
  std::vector<std::string> names();
  /// Every version of `name`, oldest first, with its aliases.
  std::vector<ModelVersion> versions(const std::string& name);
  /// "NAME" (latest version), `NAME@3` or "NAME/3", "NAME:production" or
  /// "NAME/production", `NAME@champion` (an alias); a UsageError saying what exists otherwise.
  ModelVersion get(const std::string& reference);
  /// Moves a version to `stage` (none, staging, production, archived); to staging or
  /// production, it archives the version that held that stage. Records one "stage"
  /// event per version whose stage changed.
  ModelVersion promote(const std::string& name, int version, const std::string& stage, const std::string& notes = "",
                       const std::string& actor = "");
  /// Points `alias` of `name` at `version` (moving it if it pointed elsewhere);
  /// recorded in the history, with `notes`. An alias is a letter, then up to 63
  /// letters, digits, '_' or '-', and neither "latest" nor a stage name; a
  /// UsageError otherwise, and for a version that does not exist.
  ModelVersion set_alias(const std::string& name, const std::string& alias, int version, const std::string& actor = "",
                         const std::string& notes = "");
  /// Removes an alias; a UsageError naming the aliases that exist when it does not.
  void remove_alias(const std::string& name, const std::string& alias, const std::string& actor = "");
  /// The history, newest first; every model's when `name` is empty; at most `limit` events.
  std::vector<ModelEvent> history(const std::string& name = "", std::size_t limit = 1000);

 private:
  ModelVersion add(const std::string& name, const std::string& file, const std::string& run,
                   const nlohmann::json& metrics, const std::string& notes, const std::string& actor);
  RunStore& store_;
};

/// A model file and, when it came from the registry, which version it is.
struct SHIPML_API ModelReference {
  std::string path;   ///< the model file
  std::string name;   ///< the registered name (empty for a plain path)
  int version = 0;    ///< the registered version (0 for a plain path)
  std::string stage;  ///< the version's stage (empty for a plain path)
  std::string alias;  ///< the alias it was found through (empty unless the reference named one)
};
/// Where a model is: "models:/NAME/production", "models:/NAME/3" or
/// `models:/NAME@champion`, looked up in the registry of $SHIPML_TRACKING_URI
/// (or else ./runs); any other text is a path, as is.
SHIPML_API ModelReference resolve_model(const std::string& path_or_reference);
/// resolve_model(path_or_reference).path.
SHIPML_API std::string resolve_model_path(const std::string& path_or_reference);
/// Whether `s` is a registry reference (starts with `models:/`).
inline bool is_registry_reference(const std::string& s) { return s.starts_with("models:/"); }

}  // namespace shipml
