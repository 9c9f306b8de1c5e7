// Aliases: names a team gives versions (champion, challenger), each pointing at
// one version, so models:/churn@champion follows whichever version they choose.
#include <cctype>

#include "shipml/core/names.hpp"
#include "shipml/track/registry.hpp"
#include "sources/sql.hpp"
#include "track/registry_tables.hpp"

namespace shipml {
namespace {

std::string lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

// A letter first, so an alias is never a version number; never a stage or
// "latest" (in any case), so NAME@X means one thing and reads as one thing.
void check_alias(const std::string& alias) {
  const auto word = [](char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-'; };
  bool ok = !alias.empty() && alias.size() <= 64 && std::isalpha(static_cast<unsigned char>(alias[0])) &&
            lower(alias) != "latest" && !registry::is_stage(lower(alias));
  for (char c : alias) ok = ok && static_cast<unsigned char>(c) < 0x80 && word(c);
  if (!ok)
    throw UsageError("alias '" + echoed(alias) +
                     "' must be a letter and then at most 63 letters, digits, '_' or '-', and not 'latest' or a "
                     "stage name (" +
                     join(registry::kStages) + ")");
}

}  // namespace

namespace registry {

std::map<std::string, int> aliases_of(sql::SqlConnection& db, const std::string& name) {
  std::map<std::string, int> out;
  for (const auto& r : db.query("SELECT alias, version FROM model_aliases WHERE name = ?", {name}))
    out[*r[0]] = std::stoi(*r[1]);
  return out;
}

}  // namespace registry

ModelVersion ModelRegistry::set_alias(const std::string& name, const std::string& alias, int version,
                                      const std::string& actor, const std::string& notes) {
  check_alias(alias);
  auto& db = *store_.db_;
  sql::in_transaction(db, [&] {
    db.lock_exclusive();
    if (db.query("SELECT 1 FROM model_versions WHERE name = ? AND version = ?", {name, std::int64_t{version}}).empty())
      throw registry::no_such_version(db, name, version);
    const auto before = db.query("SELECT version FROM model_aliases WHERE name = ? AND alias = ?", {name, alias});
    const std::string previous = before.empty() ? "" : *before[0][0];
    if (previous == std::to_string(version)) return;  // already there: nothing changed, nothing to record
    if (before.empty())
      db.exec("INSERT INTO model_aliases (name, alias, version) VALUES (?, ?, ?)",
              {name, alias, std::int64_t{version}});
    else
      db.exec("UPDATE model_aliases SET version = ? WHERE name = ? AND alias = ?",
              {std::int64_t{version}, name, alias});
    registry::record_event(db, {.name = name,
                                .version = version,
                                .action = "alias_set",
                                .from = previous,
                                .to = alias,
                                .actor = actor,
                                .notes = notes});
  });
  return get(name + "@" + std::to_string(version));
}

void ModelRegistry::remove_alias(const std::string& name, const std::string& alias, const std::string& actor) {
  auto& db = *store_.db_;
  sql::in_transaction(db, [&] {
    db.lock_exclusive();
    const auto aliases = registry::aliases_of(db, name);
    const auto it = aliases.find(alias);
    if (it == aliases.end()) {
      if (db.query("SELECT 1 FROM model_versions WHERE name = ?", {name}).empty())
        throw registry::no_such_model(db, name);
      std::vector<std::string> known;
      for (const auto& [a, v] : aliases) known.push_back(a);
      throw UsageError("model '" + name + "' has no alias '" + echoed(alias) +
                       "' (aliases: " + (known.empty() ? "none" : join(known)) + ")");
    }
    db.exec("DELETE FROM model_aliases WHERE name = ? AND alias = ?", {name, alias});
    registry::record_event(db, {.name = name,
                                .version = it->second,
                                .action = "alias_removed",
                                .from = alias,
                                .to = "",
                                .actor = actor,
                                .notes = ""});
  });
}

}  // namespace shipml
