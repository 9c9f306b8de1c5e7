#include "shipml/track/registry.hpp"

#include <algorithm>
#include <filesystem>

#include "shipml/core/clock.hpp"
#include "shipml/core/error.hpp"
#include "shipml/core/names.hpp"
#include "shipml/io/file.hpp"
#include "shipml/model/model.hpp"
#include "sources/sql.hpp"

namespace shipml {
namespace fs = std::filesystem;
using sql::SqlValue;

namespace {

const std::vector<std::string> kStages = {"none", "staging", "production", "archived"};

void check_name(const std::string& name) {
  if (name.empty() || name.find_first_of("/@:%? ") != std::string::npos)
    throw UsageError("model name '" + name + "' must be non-empty without '/', '@', ':', '%', '?' or spaces");
}

ModelVersion from_row(const sql::SqlRow& r) {
  ModelVersion v;
  v.name = *r[0];
  v.version = std::stoi(*r[1]);
  v.stage = *r[2];
  v.source_run = r[3].value_or("");
  v.path = *r[4];
  v.created = *r[5];
  v.notes = r[6].value_or("");
  v.metrics = nlohmann::json::parse(r[7].value_or("{}"), nullptr, false);
  if (v.metrics.is_discarded()) v.metrics = nlohmann::json::object();
  return v;
}

constexpr const char* kColumns = "name, version, stage, source_run, path, created, notes, metrics";

}  // namespace

nlohmann::json ModelVersion::to_json() const {
  return {{"name", name}, {"version", version}, {"stage", stage}, {"source_run", source_run},
          {"path", path}, {"created", created}, {"notes", notes}, {"metrics", metrics}};
}

ModelRegistry::ModelRegistry(RunStore& store) : store_(store) {}

ModelVersion ModelRegistry::add(const std::string& name, const std::string& file, const std::string& run,
                                const nlohmann::json& metrics, const std::string& notes) {
  check_name(name);
  (void)Model::load(file);  // a registered version must be a model that loads
  auto& db = *store_.db_;
  ModelVersion v;
  sql::in_transaction(db, [&] {
    db.lock_exclusive();  // the next version number, taken once even with writers in parallel
    const auto rows = db.query("SELECT MAX(version) FROM model_versions WHERE name = ?", {name});
    v.name = name;
    v.version = rows.empty() || !rows[0][0] ? 1 : std::stoi(*rows[0][0]) + 1;
    v.source_run = run;
    v.created = utc_timestamp();
    v.notes = notes;
    v.metrics = metrics;
    const fs::path dir = fs::path(store_.artifact_root_) / "registry" / name / std::to_string(v.version);
    fs::create_directories(dir);
    const fs::path target = dir / "model.shipml";
    copy_file_atomic(file, target.string());  // a version killed mid-copy is taken again by the next add
    v.path = target.string();
    db.exec(std::string("INSERT INTO model_versions (") + kColumns + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            {name, std::int64_t{v.version}, v.stage, run.empty() ? SqlValue(nullptr) : SqlValue(run), v.path, v.created,
             notes, metrics.dump()});
  });
  return v;
}

ModelVersion ModelRegistry::register_file(const std::string& name, const std::string& model_file,
                                          const std::string& notes) {
  return add(name, model_file, "", nlohmann::json::object(), notes);
}

ModelVersion ModelRegistry::register_run(const std::string& name, const std::string& run_id, const std::string& notes) {
  const RunRecord run = store_.get(run_id);
  const auto model = run.artifacts.find("model.shipml");
  if (model == run.artifacts.end())
    throw UsageError("run " + run.id + " (" + run.kind +
                     ") saved no model file; register a file instead, or a train run");
  nlohmann::json metrics = nlohmann::json::object();
  for (const auto& [k, v] : run.metrics) metrics[k] = v;
  return add(name, model->second, run.id, metrics, notes);
}

std::vector<std::string> ModelRegistry::names() {
  std::vector<std::string> out;
  for (const auto& r : store_.db_->query("SELECT DISTINCT name FROM model_versions ORDER BY name"))
    out.push_back(*r[0]);
  return out;
}

std::vector<ModelVersion> ModelRegistry::versions(const std::string& name) {
  std::vector<ModelVersion> out;
  for (const auto& r : store_.db_->query(
           std::string("SELECT ") + kColumns + " FROM model_versions WHERE name = ? ORDER BY version", {name}))
    out.push_back(from_row(r));
  return out;
}

ModelVersion ModelRegistry::get(const std::string& reference) {
  const auto split = reference.find_first_of("@:/");
  const std::string name = reference.substr(0, split);
  const std::string which = split == std::string::npos ? "" : reference.substr(split + 1);
  const auto all = versions(name);
  if (all.empty()) throw UsageError("no registered model '" + name + "' (registered: " + join(names()) + ")");
  if (which.empty() || which == "latest") return all.back();
  if (std::find(kStages.begin(), kStages.end(), which) != kStages.end()) {
    for (auto it = all.rbegin(); it != all.rend(); ++it)
      if (it->stage == which) return *it;
    throw UsageError("model '" + name + "' has no version in stage " + which);
  }
  for (const auto& v : all)
    if (std::to_string(v.version) == which) return v;
  throw UsageError("model '" + name + "' has no version '" + which + "' (versions 1-" +
                   std::to_string(all.back().version) + "; stages: " + join(kStages) + ")");
}

ModelVersion ModelRegistry::promote(const std::string& name, int version, const std::string& stage,
                                    const std::string& notes) {
  if (std::find(kStages.begin(), kStages.end(), stage) == kStages.end())
    throw UsageError("unknown stage '" + stage + "' (stages: " + join(kStages) + ")");
  auto& db = *store_.db_;
  sql::in_transaction(db, [&] {
    db.lock_exclusive();
    if (db.query("SELECT 1 FROM model_versions WHERE name = ? AND version = ?", {name, std::int64_t{version}}).empty())
      throw UsageError("model '" + name + "' has no version " + std::to_string(version));
    if (stage == "staging" || stage == "production")
      db.exec("UPDATE model_versions SET stage = 'archived' WHERE name = ? AND stage = ? AND version <> ?",
              {name, stage, std::int64_t{version}});
    db.exec("UPDATE model_versions SET stage = ? WHERE name = ? AND version = ?", {stage, name, std::int64_t{version}});
    if (!notes.empty())
      db.exec("UPDATE model_versions SET notes = ? WHERE name = ? AND version = ?",
              {notes, name, std::int64_t{version}});
  });
  return get(name + "@" + std::to_string(version));
}

ModelReference resolve_model(const std::string& path) {
  if (!is_registry_reference(path)) return {path};
  auto store = RunStore::open();
  const ModelVersion v = ModelRegistry(*store).get(path.substr(8));
  return {v.path, v.name, v.version, v.stage};
}

std::string resolve_model_path(const std::string& path) { return resolve_model(path).path; }

}  // namespace shipml
