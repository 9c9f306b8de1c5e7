#pragma once
// What the registry's source files share: its stages, and reading and writing
// its alias and history tables. Writers run inside the caller's transaction,
// after lock_exclusive(), so a change and its history row commit together.
#include <map>
#include <string>
#include <vector>

#include "shipml/core/error.hpp"
#include "shipml/track/registry.hpp"
#include "sources/sql.hpp"

namespace shipml::registry {

inline const std::vector<std::string> kStages = {"none", "staging", "production", "archived"};

inline bool is_stage(const std::string& s) {
  for (const auto& stage : kStages)
    if (s == stage) return true;
  return false;
}

/// Appends `event` to its model's history as the next seq, filling in `at`,
/// and `actor` when it is empty (the OS user).
void record_event(sql::SqlConnection& db, ModelEvent event);

/// The aliases of `name`, sorted, with the version each points at.
std::map<std::string, int> aliases_of(sql::SqlConnection& db, const std::string& name);

/// "no registered model 'x' (registered: a, b)", for every lookup of a name that is not there.
UsageError no_such_model(sql::SqlConnection& db, const std::string& name);
/// "model 'x' has no version 7 (it has versions 1 to 3)", or no_such_model's error.
UsageError no_such_version(sql::SqlConnection& db, const std::string& name, int version);

}  // namespace shipml::registry
