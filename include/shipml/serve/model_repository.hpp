#pragma once
/// \file
/// The models a server serves, each under a name and a version. Requests take a
/// shared pointer to the model they use, so a reload swaps in the new version
/// atomically: requests already running finish on the old one, which is freed
/// when the last of them is done. A model that fails to reload keeps the old one serving.
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "shipml/core/export.hpp"
#include "shipml/model/model.hpp"
#include "shipml/serve/drift_monitor.hpp"

namespace shipml::serve {

/// How a model serves its name.
enum class Variant {
  primary,  ///< answers the requests for its name
  canary,   ///< answers a share of the requests for its name (`--canary`)
  shadow,   ///< scores the requests for its name off the request path, never answering them (`--shadow`)
};
/// "primary", "canary" or "shadow": the `variant` label of the metrics.
SHIPML_API const char* to_string(Variant variant);

/// One model being served: what it is, where it came from and when it was loaded.
struct SHIPML_API ServedModel {
  /// The name it is served under.
  std::string name, version,
      source;  ///< a model file, or a registry reference (`models:/NAME/STAGE`, `models:/NAME@ALIAS`)
  /// \var version
  /// The version it is served under.
  std::string file;                    ///< the file it was loaded from
  std::shared_ptr<const Model> model;  ///< the model, shared with the requests using it
  double load_seconds = 0;             ///< how long loading took
  std::string loaded_at;               ///< UTC, ISO 8601
  std::string fingerprint;             ///< the fingerprint of its training data
  /// Its live drift (null: not watched, or the model keeps no drift reference).
  std::shared_ptr<DriftMonitor> drift;
  Variant variant = Variant::primary;  ///< how it serves its name
};

/// "churn.shipml" -> name "churn", version "1"; "churn:3=path" -> "churn", "3";
/// "models:/churn/production" or `models:/churn@champion` -> "churn", the registry version it resolves to.
struct SHIPML_API ModelSource {
  /// The name to serve under.
  std::string name, version, path;     ///< the model file, or a registry reference
  Variant variant = Variant::primary;  ///< how it serves its name
  double share = 0;                    ///< a canary: the share of its name's requests it answers, in (0, 1]
  /// Reads `[NAME[:VERSION]=]PATH` or a registry reference; a UsageError for a
  /// name or version that cannot be a URL path segment.
  static ModelSource parse(const std::string& spec);
  /// Reads `--canary NAME[:VERSION]=PATH:PERCENT%` (version "canary" unless given, registry or not).
  static ModelSource parse_canary(const std::string& spec);
  /// Reads `--shadow NAME[:VERSION]=PATH` (version "shadow" unless given, registry or not).
  static ModelSource parse_shadow(const std::string& spec);
  /// \var version
  /// The version to serve under ("" for a registry reference: the version it resolves to).
};

/// Who handles a request for a name: the model that answers it, and the one
/// that scores it in the shadows.
struct SHIPML_API Route {
  std::shared_ptr<const ServedModel> answer;  ///< null: no such model
  std::shared_ptr<const ServedModel> shadow;  ///< null: none
};

/// What reloading one model did.
struct SHIPML_API ReloadResult {
  /// The name it is served under.
  std::string name, version;  ///< the version serving now
  bool ok = false;            ///< whether the new version loaded
  std::string error;          ///< when not ok: why the old model is still serving
};

/// The models a server serves, each under a name and a version.
class SHIPML_API ModelRepository {
 public:
  /// Serves only model files signed by one of these keys (paths of Ed25519 PEM
  /// files): each load and reload checks the signature first. Set before add().
  void require_signatures(std::vector<std::string> trusted_keys);

  /// Watches each model's drift over a window of live rows (window 0: not at
  /// all). Set before add(); a reload starts a fresh window.
  void monitor_drift(DriftOptions options) { drift_options_ = options; }

  /// Loads a model now and returns it; a ModelError otherwise, or a UsageError
  /// for a duplicate name and version, a canary or shadow for a name not served
  /// (or served with one already), or a canary whose task or input columns are not its primary's.
  std::shared_ptr<const ServedModel> add(const ModelSource& source);

  /// Who handles a request for `name`. With a `version`: exactly that model.
  /// Without: the name's primary, or its canary for the canary's share of the
  /// requests, chosen by `sticky_key` when it is not empty (the same key always
  /// gets the same variant) and at random otherwise. The shadow scores whatever
  /// a primary or canary answers.
  Route route(std::string_view name, std::string_view version, std::string_view sticky_key) const;
  /// The model with this name (and version, when not empty: otherwise the primary); null when none.
  std::shared_ptr<const ServedModel> find(std::string_view name, std::string_view version = {}) const;
  /// The first model added, a primary (what a single-model protocol such as MLflow's serves).
  std::shared_ptr<const ServedModel> first() const;
  /// Every model, in the order added.
  std::vector<std::shared_ptr<const ServedModel>> all() const;
  /// The versions served under `name`.
  std::vector<std::string> versions(std::string_view name) const;

  /// Loads every model from its source again and swaps in those that load.
  std::vector<ReloadResult> reload();
  /// Whether a registry reference (a stage, an alias) now resolves to another version than the one served.
  bool registry_moved() const;

 private:
  static std::string locate(const ModelSource& source, std::string* registry_version);
  std::shared_ptr<const ServedModel> load(const ModelSource& source) const;
  std::vector<std::string> trusted_keys_;  // empty: signatures are not required
  DriftOptions drift_options_;
  mutable std::mutex mutex_;
  std::vector<ModelSource> sources_;
  std::vector<std::shared_ptr<const ServedModel>> models_;  // parallel to sources_
};

}  // namespace shipml::serve
