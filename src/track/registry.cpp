#include "shipml/track/registry.hpp"

#include <algorithm>
#include <filesystem>

#include "shipml/core/clock.hpp"
#include "shipml/core/error.hpp"
#include "shipml/core/names.hpp"
#include "shipml/io/file.hpp"
#include "shipml/model/model.hpp"
#include "sources/sql.hpp"
#include "track/registry_tables.hpp"

namespace shipml {
namespace fs = std::filesystem;
using sql::SqlValue;

namespace {

using registry::is_stage;
using registry::kStages;

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

// A reference's parts: "churn@champion" is churn, '@' and champion; "churn" is churn alone.
struct Reference {
  std::string name, which;
  char separator = 0;

  static Reference parse(const std::string& reference) {
    const auto split = reference.find_first_of("@:/");
    if (split == std::string::npos) return {reference, "", 0};
    return {reference.substr(0, split), reference.substr(split + 1), reference[split]};
  }
  bool names_number() const { return !which.empty() && which.find_first_not_of("0123456789") == std::string::npos; }
  // Only '@' takes an alias (models:/churn@champion, as MLflow writes it); since
  // an alias is never a number, a stage or "latest", NAME@3 stays version 3.
  bool names_alias() const {
    return separator == '@' && !which.empty() && which != "latest" && !is_stage(which) && !names_number();
  }
};

}  // namespace

namespace registry {

UsageError no_such_model(sql::SqlConnection& db, const std::string& name) {
  std::vector<std::string> known;
  for (const auto& r : db.query("SELECT DISTINCT name FROM model_versions ORDER BY name")) known.push_back(*r[0]);
  return UsageError("no registered model '" + name + "' (registered: " + (known.empty() ? "none" : listed(known)) +
                    ")");
}

UsageError no_such_version(sql::SqlConnection& db, const std::string& name, int version) {
  const auto rows = db.query("SELECT MAX(version) FROM model_versions WHERE name = ?", {name});
  if (rows.empty() || !rows[0][0]) return no_such_model(db, name);
  const std::string last = *rows[0][0];
  // Versions are numbered from 1 and never deleted, so the last one says which exist.
  return UsageError("model '" + name + "' has no version " + std::to_string(version) + " (it has " +
                    (last == "1" ? "version 1 only" : "versions 1 to " + last) + ")");
}

}  // namespace registry

nlohmann::json ModelVersion::to_json() const {
  return {{"name", name},       {"version", version}, {"stage", stage},     {"source_run", source_run}, {"path", path},
          {"created", created}, {"notes", notes},     {"metrics", metrics}, {"aliases", aliases}};
}

ModelRegistry::ModelRegistry(RunStore& store) : store_(store) {}

ModelVersion ModelRegistry::add(const std::string& name, const std::string& file, const std::string& run,
                                const nlohmann::json& metrics, const std::string& notes, const std::string& actor) {
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
    registry::record_event(db, {.name = name,
                                .version = v.version,
                                .action = "registered",
                                .from = "",
                                .to = v.stage,
                                .actor = actor,
                                .notes = notes});
  });
  return v;
}

ModelVersion ModelRegistry::register_file(const std::string& name, const std::string& model_file,
                                          const std::string& notes, const std::string& actor) {
  return add(name, model_file, "", nlohmann::json::object(), notes, actor);
}

ModelVersion ModelRegistry::register_run(const std::string& name, const std::string& run_id, const std::string& notes,
                                         const std::string& actor) {
  const RunRecord run = store_.get(run_id);
  const auto model = run.artifacts.find("model.shipml");
  if (model == run.artifacts.end())
    throw UsageError("run " + run.id + " (" + run.kind +
                     ") saved no model file; register a file instead, or a train run");
  nlohmann::json metrics = nlohmann::json::object();
  for (const auto& [k, v] : run.metrics) metrics[k] = v;
  return add(name, model->second, run.id, metrics, notes, actor);
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
  // In alias order, so each version's list comes out sorted.
  for (const auto& [alias, version] : registry::aliases_of(*store_.db_, name))
    for (auto& v : out)
      if (v.version == version) v.aliases.push_back(alias);
  return out;
}

ModelVersion ModelRegistry::get(const std::string& reference) {
  const Reference ref = Reference::parse(reference);
  const auto all = versions(ref.name);
  if (all.empty()) throw registry::no_such_model(*store_.db_, ref.name);
  if (ref.which.empty() || ref.which == "latest") return all.back();
  if (is_stage(ref.which)) {
    for (auto it = all.rbegin(); it != all.rend(); ++it)
      if (it->stage == ref.which) return *it;
    throw UsageError("model '" + ref.name + "' has no version in stage " + ref.which);
  }
  std::vector<std::string> aliases;
  for (const auto& v : all) {
    if (ref.names_alias() && std::find(v.aliases.begin(), v.aliases.end(), ref.which) != v.aliases.end()) return v;
    aliases.insert(aliases.end(), v.aliases.begin(), v.aliases.end());
  }
  std::sort(aliases.begin(), aliases.end());
  const std::string known = aliases.empty() ? "none" : join(aliases);
  if (ref.names_alias())
    throw UsageError("model '" + ref.name + "' has no alias '" + ref.which + "' (aliases: " + known + ")");
  for (const auto& v : all)
    if (std::to_string(v.version) == ref.which) return v;
  throw UsageError("model '" + ref.name + "' has no version '" + ref.which + "' (versions 1-" +
                   std::to_string(all.back().version) + "; stages: " + join(kStages) + "; aliases, as " + ref.name +
                   "@ALIAS: " + known + ")");
}

ModelVersion ModelRegistry::promote(const std::string& name, int version, const std::string& stage,
                                    const std::string& notes, const std::string& actor) {
  if (!is_stage(stage)) throw UsageError("unknown stage '" + stage + "' (stages: " + join(kStages) + ")");
  auto& db = *store_.db_;
  sql::in_transaction(db, [&] {
    db.lock_exclusive();
    const auto current =
        db.query("SELECT stage FROM model_versions WHERE name = ? AND version = ?", {name, std::int64_t{version}});
    if (current.empty()) throw registry::no_such_version(db, name, version);
    if (stage == "staging" || stage == "production") {
      // The version that held the stage is archived: its own event, so the history says why it left.
      for (const auto& r :
           db.query("SELECT version FROM model_versions WHERE name = ? AND stage = ? AND version <> ? ORDER BY version",
                    {name, stage, std::int64_t{version}}))
        registry::record_event(db, {.name = name,
                                    .version = std::stoi(*r[0]),
                                    .action = "stage",
                                    .from = stage,
                                    .to = "archived",
                                    .actor = actor,
                                    .notes = "replaced in " + stage + " by version " + std::to_string(version)});
      db.exec("UPDATE model_versions SET stage = 'archived' WHERE name = ? AND stage = ? AND version <> ?",
              {name, stage, std::int64_t{version}});
    }
    db.exec("UPDATE model_versions SET stage = ? WHERE name = ? AND version = ?", {stage, name, std::int64_t{version}});
    if (!notes.empty())
      db.exec("UPDATE model_versions SET notes = ? WHERE name = ? AND version = ?",
              {notes, name, std::int64_t{version}});
    if (*current[0][0] != stage)
      registry::record_event(db, {.name = name,
                                  .version = version,
                                  .action = "stage",
                                  .from = *current[0][0],
                                  .to = stage,
                                  .actor = actor,
                                  .notes = notes});
  });
  return get(name + "@" + std::to_string(version));
}

ModelReference resolve_model(const std::string& path) {
  if (!is_registry_reference(path)) return {path};
  auto store = RunStore::open();
  const std::string reference = path.substr(8);
  const ModelVersion v = ModelRegistry(*store).get(reference);
  const Reference parts = Reference::parse(reference);
  return {v.path, v.name, v.version, v.stage, parts.names_alias() ? parts.which : ""};
}

std::string resolve_model_path(const std::string& path) { return resolve_model(path).path; }

}  // namespace shipml
