#pragma once
// The models a server serves, each under a name and a version. Requests take a
// shared pointer to the model they use, so a reload swaps in the new version
// atomically: requests already running finish on the old one, which is freed
// when the last of them is done. A model that fails to reload keeps the old one serving.
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "shipml/core/export.hpp"
#include "shipml/model/model.hpp"

namespace shipml::serve {

struct SHIPML_API ServedModel {
  std::string name, version, source;  // source: a model file, or a registry reference (models:/NAME/STAGE)
  std::string file;                   // the file it was loaded from
  std::shared_ptr<const Model> model;
  double load_seconds = 0;
  std::string loaded_at;  // UTC, ISO 8601
  std::string fingerprint;
};

/// "churn.shipml" -> name "churn", version "1"; "churn:3=path" -> "churn", "3";
/// "models:/churn/production" -> "churn", the registry version it resolves to.
struct SHIPML_API ModelSource {
  std::string name, version, path;
  static ModelSource parse(const std::string& spec);
};

struct SHIPML_API ReloadResult {
  std::string name, version;
  bool ok = false;
  std::string error;  // when not ok: why the old model is still serving
};

class SHIPML_API ModelRepository {
 public:
  /// Loads a model now; a ModelError (or a UsageError for a duplicate name and version) otherwise.
  void add(const ModelSource& source);

  /// The model with this name (and version, when not empty); null when none.
  std::shared_ptr<const ServedModel> find(std::string_view name, std::string_view version = {}) const;
  /// The first model added (what a single-model protocol such as MLflow's serves).
  std::shared_ptr<const ServedModel> first() const;
  std::vector<std::shared_ptr<const ServedModel>> all() const;
  std::vector<std::string> versions(std::string_view name) const;

  /// Loads every model from its source again and swaps in those that load.
  std::vector<ReloadResult> reload();
  /// Whether a registry reference now resolves to another version than the one served.
  bool registry_moved() const;

 private:
  static std::string locate(const ModelSource& source, std::string* registry_version);
  static std::shared_ptr<const ServedModel> load(const ModelSource& source);
  mutable std::mutex mutex_;
  std::vector<ModelSource> sources_;
  std::vector<std::shared_ptr<const ServedModel>> models_;  // parallel to sources_
};

}  // namespace shipml::serve
