// `shipml registry register|list|show|promote|alias|unalias|history|get`:
// named, versioned models with stages and aliases, and the history of their changes.
#include <algorithm>
#include <iomanip>
#include <iostream>

#include "commands.hpp"
#include "shipml/core/error.hpp"
#include "shipml/core/names.hpp"
#include "shipml/io/file.hpp"
#include "shipml/model/model_file.hpp"
#include "shipml/track/registry.hpp"
#include "text_table.hpp"

namespace shipml::cli {
namespace {

void print_version(const ModelVersion& v) {
  std::cout << v.name << " version " << v.version << "  stage " << v.stage << "  registered " << v.created;
  if (!v.source_run.empty()) std::cout << "  from run " << v.source_run.substr(0, 8);
  if (!v.aliases.empty()) std::cout << "  aliases " << join(v.aliases);
  std::cout << '\n';
  if (!v.notes.empty()) std::cout << "    notes: " << v.notes << '\n';
  for (const auto& [k, m] : v.metrics.items())
    if (!k.ends_with("_std") && m.is_number())
      std::cout << "    " << std::left << std::setw(20) << k << m.get<double>() << '\n';
}

struct RegistryArgs {
  std::string store;
  bool json = false;
  void add(CLI::App* cmd, bool with_json = true) {
    cmd->add_option("--store", store, "run store holding the registry (default: $SHIPML_TRACKING_URI or ./runs)");
    if (with_json) cmd->add_flag("--json", json, "print as JSON");
  }
};

// `shipml registry register NAME FILE|--run ID`: the next version.
void add_register(CLI::App* reg) {
  auto* cmd = reg->add_subcommand("register", "Register a model file, or the model a run saved, as the next version");
  auto a = std::make_shared<RegistryArgs>();
  auto name = std::make_shared<std::string>(), model = std::make_shared<std::string>(),
       run = std::make_shared<std::string>(), notes = std::make_shared<std::string>();
  cmd->add_option("name", *name, "registered model name")->required();
  auto* file = cmd->add_option("model", *model, "model file")->check(CLI::ExistingFile);
  cmd->add_option("--run", *run, "register the model file this run saved")->excludes(file);
  cmd->add_option("--notes", *notes, "free text kept with the version");
  a->add(cmd);
  cmd->callback([=] {
    if (model->empty() == run->empty()) throw UsageError("give a model file or --run ID (one of them)");
    auto store = RunStore::open(a->store);
    ModelRegistry registry(*store);
    const ModelVersion v =
        run->empty() ? registry.register_file(*name, *model, *notes) : registry.register_run(*name, *run, *notes);
    if (a->json) std::cout << v.to_json().dump(2) << '\n';
    else
      std::cout << "registered " << v.name << " version " << v.version << " (models:/" << v.name << "/" << v.version
                << ")\n";
  });
}

// `shipml registry list`: every name with its latest version and stages.
void add_list(CLI::App* reg) {
  auto* cmd = reg->add_subcommand("list", "Registered models with their latest version and stages");
  auto a = std::make_shared<RegistryArgs>();
  a->add(cmd);
  cmd->callback([=] {
    auto store = RunStore::open(a->store);
    ModelRegistry registry(*store);
    nlohmann::json out = nlohmann::json::array();
    for (const auto& name : registry.names()) {
      const auto versions = registry.versions(name);
      nlohmann::json j = {{"name", name},
                          {"latest", versions.back().version},
                          {"stages", nlohmann::json::object()},
                          {"aliases", nlohmann::json::object()}};
      for (const auto& v : versions) {
        if (v.stage == "staging" || v.stage == "production") j["stages"][v.stage] = v.version;
        for (const auto& alias : v.aliases) j["aliases"][alias] = v.version;
      }
      out.push_back(j);
    }
    if (a->json) {
      std::cout << out.dump(2) << '\n';
      return;
    }
    if (out.empty()) std::cout << "no registered models\n";
    for (const auto& j : out) {
      std::cout << std::left << std::setw(24) << j["name"].get<std::string>() << "latest " << j["latest"];
      for (const auto& [stage, v] : j["stages"].items()) std::cout << "  " << stage << " " << v;
      for (const auto& [alias, v] : j["aliases"].items()) std::cout << "  @" << alias << " " << v;
      std::cout << '\n';
    }
  });
}

// `shipml registry show NAME`: every version.
void add_show(CLI::App* reg) {
  auto* cmd = reg->add_subcommand("show", "Every version of a registered model");
  auto a = std::make_shared<RegistryArgs>();
  auto name = std::make_shared<std::string>();
  cmd->add_option("name", *name, "registered model name")->required();
  a->add(cmd);
  cmd->callback([=] {
    auto store = RunStore::open(a->store);
    ModelRegistry registry(*store);
    const auto versions = registry.versions(*name);
    if (versions.empty()) (void)registry.get(*name);  // says what is registered
    if (a->json) {
      nlohmann::json out = nlohmann::json::array();
      for (const auto& v : versions) out.push_back(v.to_json());
      std::cout << out.dump(2) << '\n';
      return;
    }
    for (const auto& v : versions) print_version(v);
  });
}

// `shipml registry promote NAME VERSION --stage S`.
void add_promote(CLI::App* reg) {
  auto* cmd = reg->add_subcommand(
      "promote", "Move a version to a stage (the version that held staging or production is archived)");
  auto a = std::make_shared<RegistryArgs>();
  auto name = std::make_shared<std::string>(), stage = std::make_shared<std::string>(),
       notes = std::make_shared<std::string>();
  auto version = std::make_shared<int>(0);
  cmd->add_option("name", *name, "registered model name")->required();
  cmd->add_option("version", *version, "version number")->required();
  cmd->add_option("--stage", *stage, "none, staging, production or archived")->required();
  cmd->add_option("--notes", *notes, "replace the version's notes");
  a->add(cmd);
  cmd->callback([=] {
    auto store = RunStore::open(a->store);
    const ModelVersion v = ModelRegistry(*store).promote(*name, *version, *stage, *notes);
    if (a->json) std::cout << v.to_json().dump(2) << '\n';
    else std::cout << v.name << " version " << v.version << " is now in stage " << v.stage << '\n';
  });
}

// `shipml registry alias NAME ALIAS VERSION`: points the alias at the version.
void add_alias(CLI::App* reg) {
  auto* cmd = reg->add_subcommand(
      "alias", "Point an alias (champion, challenger, ...) at a version, moving it if it pointed elsewhere");
  auto a = std::make_shared<RegistryArgs>();
  auto name = std::make_shared<std::string>(), alias = std::make_shared<std::string>(),
       notes = std::make_shared<std::string>();
  auto version = std::make_shared<int>(0);
  cmd->add_option("name", *name, "registered model name")->required();
  cmd->add_option("alias", *alias, "a letter, then letters, digits, '_' or '-'; not latest or a stage name")
      ->required();
  cmd->add_option("version", *version, "version number")->required();
  cmd->add_option("--notes", *notes, "why, kept in the history");
  a->add(cmd);
  cmd->callback([=] {
    auto store = RunStore::open(a->store);
    ModelRegistry registry(*store);
    const auto before = registry.versions(*name);
    const ModelVersion v = registry.set_alias(*name, *alias, *version, "", *notes);
    if (a->json) {
      std::cout << v.to_json().dump(2) << '\n';
      return;
    }
    std::string was = "new";
    for (const auto& old : before)
      if (std::find(old.aliases.begin(), old.aliases.end(), *alias) != old.aliases.end())
        was = old.version == v.version ? "already there" : "was version " + std::to_string(old.version);
    std::cout << v.name << "@" << *alias << " is version " << v.version << " (" << was << "; models:/" << v.name << "@"
              << *alias << ")\n";
  });
}

// `shipml registry unalias NAME ALIAS`.
void add_unalias(CLI::App* reg) {
  auto* cmd = reg->add_subcommand("unalias", "Remove an alias");
  auto a = std::make_shared<RegistryArgs>();
  auto name = std::make_shared<std::string>(), alias = std::make_shared<std::string>();
  cmd->add_option("name", *name, "registered model name")->required();
  cmd->add_option("alias", *alias, "the alias to remove")->required();
  a->add(cmd, false);
  cmd->callback([=] {
    auto store = RunStore::open(a->store);
    ModelRegistry(*store).remove_alias(*name, *alias);
    std::cout << "removed " << *name << "@" << *alias << '\n';
  });
}

// `shipml registry history [NAME]`: who changed what, newest first.
void add_history(CLI::App* reg) {
  auto* cmd = reg->add_subcommand(
      "history", "Registrations, stage changes and alias changes, newest first, with who made them and when");
  auto a = std::make_shared<RegistryArgs>();
  auto name = std::make_shared<std::string>();
  auto limit = std::make_shared<std::size_t>(100);
  cmd->add_option("name", *name, "registered model name (default: every model)");
  cmd->add_option("--limit", *limit, "at most this many events")->capture_default_str();
  a->add(cmd);
  cmd->callback([=] {
    auto store = RunStore::open(a->store);
    ModelRegistry registry(*store);
    if (!name->empty() && registry.versions(*name).empty()) (void)registry.get(*name);  // says what is registered
    const auto events = registry.history(*name, *limit);
    if (a->json) {
      nlohmann::json out = nlohmann::json::array();
      for (const auto& e : events) out.push_back(e.to_json());
      std::cout << out.dump(2) << '\n';
      return;
    }
    if (events.empty()) {
      std::cout << "no registry history\n";
      return;
    }
    auto or_dash = [](const std::string& s) { return s.empty() ? std::string("-") : s; };
    std::vector<std::vector<std::string>> table = {
        {"when (UTC)", "name", "version", "action", "from -> to", "actor", "notes"}};
    for (const auto& e : events)
      table.push_back({e.at.substr(0, 19), e.name, std::to_string(e.version), e.action,
                       or_dash(e.from) + " -> " + or_dash(e.to), or_dash(e.actor), e.notes});
    print_table(table);
  });
}

// `shipml registry get REFERENCE --out FILE`: a copy of the file.
void add_get(CLI::App* reg) {
  auto* cmd =
      reg->add_subcommand("get", "Copy a registered model file out: NAME, NAME@VERSION, NAME:STAGE or NAME@ALIAS");
  auto a = std::make_shared<RegistryArgs>();
  auto ref = std::make_shared<std::string>(), out = std::make_shared<std::string>();
  cmd->add_option("reference", *ref, "NAME (latest), NAME@3, NAME:production, NAME@champion")->required();
  cmd->add_option("--out,-o", *out, "where to write the model file")->required();
  auto force = std::make_shared<bool>(false);
  cmd->add_flag("--force", *force, "replace --out even when it is not a shipml model file");
  a->add(cmd, false);
  cmd->callback([=] {
    if (!*force) check_model_destination(*out);
    auto store = RunStore::open(a->store);
    const ModelVersion v = ModelRegistry(*store).get(*ref);
    write_file_atomic(*out, read_file(v.path));
    std::cout << "wrote " << v.name << " version " << v.version << " (" << v.stage << ") to " << *out << '\n';
  });
}

}  // namespace

void add_registry(CLI::App& app) {
  auto* reg = app.add_subcommand(
      "registry", "Named model versions with stages (none, staging, production, archived), aliases and a history");
  reg->require_subcommand(1);
  add_register(reg);
  add_list(reg);
  add_show(reg);
  add_promote(reg);
  add_alias(reg);
  add_unalias(reg);
  add_history(reg);
  add_get(reg);
}

}  // namespace shipml::cli
