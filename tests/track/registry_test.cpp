// The registry's aliases and history, against SQLite and a real PostgreSQL
// server: aliases set, moved and removed; every change in the history, newest
// first, with who and when; references through aliases; a store from before
// aliases existed, migrated; and writers in parallel numbering the history.
#include <pwd.h>
#include <unistd.h>

#include <filesystem>

#include "shipml/track/registry.hpp"
#include "track/store_fixture.hpp"

namespace shipml::test {
namespace {

// The store of StoreTest, and three different iris models saved once for every
// test: a.shipml, b.shipml, c.shipml.
class Registry : public StoreTest {
 protected:
  static void SetUpTestSuite() {
    dir_ = new TempDir;
    const Dataset iris = read_dataset(data_path("iris.csv"), "species");
    Model a("logistic"), b("decision_tree", {{"max_depth", "1"}}), c("decision_tree", {{"max_depth", "3"}});
    for (auto [model, file] : {std::pair{&a, "a"}, {&b, "b"}, {&c, "c"}}) {
      model->fit(iris);
      model->save(file_of(file));
    }
  }
  static void TearDownTestSuite() { delete dir_; }
  static std::string file_of(const std::string& name) { return dir_->file(name + ".shipml"); }

  // Registers a, b and c as versions 1, 2 and 3 of "iris", by `actor`.
  static void register_three(ModelRegistry& registry, const std::string& actor = "ana") {
    for (const char* f : {"a", "b", "c"}) registry.register_file("iris", file_of(f), std::string("model ") + f, actor);
  }

  static inline TempDir* dir_ = nullptr;
};

std::string os_user_name() {
  const passwd* pw = ::getpwuid(::getuid());
  const char* env = std::getenv("USER");
  return pw ? pw->pw_name : env ? env : "";
}

// The text of a UsageError `body` throws; a test failure when it throws none.
template <class Body>
std::string usage_error(Body body) {
  try {
    body();
  } catch (const UsageError& e) {
    return e.what();
  }
  ADD_FAILURE() << "no UsageError";
  return "";
}

// "action version from->to" for each event, newest first: the history at a glance.
std::vector<std::string> summary(const std::vector<ModelEvent>& events) {
  std::vector<std::string> out;
  for (const auto& e : events) out.push_back(e.action + " " + std::to_string(e.version) + " " + e.from + "->" + e.to);
  return out;
}

TEST_P(Registry, AliasesAreSetMovedAndRemovedAndTheHistorySaysWhoDidWhat) {
  auto store = open();
  ModelRegistry registry(*store);
  register_three(registry);

  const ModelVersion set = registry.set_alias("iris", "champion", 1, "ui:bob", "best so far");
  EXPECT_EQ(set.version, 1);
  EXPECT_EQ(set.aliases, std::vector<std::string>{"champion"});
  EXPECT_EQ(registry.get("iris@champion").version, 1);
  registry.set_alias("iris", "challenger", 2, "ana");
  registry.set_alias("iris", "champion", 2, "ana", "won the A/B test");  // moved
  registry.set_alias("iris", "champion", 2, "ana");                      // already there: no change, no event

  const auto versions = registry.versions("iris");
  EXPECT_TRUE(versions[0].aliases.empty());
  EXPECT_EQ(versions[1].aliases, (std::vector<std::string>{"challenger", "champion"}));  // sorted
  EXPECT_TRUE(versions[2].aliases.empty());
  EXPECT_EQ(registry.get("iris@champion").version, 2);
  EXPECT_EQ(registry.get("iris@champion").aliases, (std::vector<std::string>{"challenger", "champion"}));
  EXPECT_EQ(registry.get("iris@champion").to_json()["aliases"], nlohmann::json({"challenger", "champion"}));

  registry.remove_alias("iris", "challenger", "ana");
  EXPECT_EQ(registry.versions("iris")[1].aliases, std::vector<std::string>{"champion"});
  EXPECT_THROW(registry.get("iris@challenger"), UsageError);

  const auto history = registry.history("iris");
  EXPECT_EQ(summary(history),
            (std::vector<std::string>{"alias_removed 2 challenger->", "alias_set 2 1->champion",
                                      "alias_set 2 ->challenger", "alias_set 1 ->champion", "registered 3 ->none",
                                      "registered 2 ->none", "registered 1 ->none"}));
  EXPECT_EQ(history[1].notes, "won the A/B test");
  EXPECT_EQ(history[3].actor, "ui:bob");
  EXPECT_EQ(history[3].notes, "best so far");
  EXPECT_EQ(history[6].actor, "ana");
  EXPECT_EQ(history[6].notes, "model a");
  for (std::size_t i = 0; i < history.size(); ++i) {
    EXPECT_EQ(history[i].name, "iris");
    EXPECT_EQ(history[i].at.size(), std::string("2026-11-27T15:43:47.123456Z").size()) << history[i].at;
    if (i > 0) {
      EXPECT_GE(history[i - 1].at, history[i].at);  // newest first
    }
  }
  EXPECT_EQ(registry.history("iris", 2).size(), 2u);
  EXPECT_EQ(summary(registry.history("iris", 1)), std::vector<std::string>{"alias_removed 2 challenger->"});
  const nlohmann::json j = history[1].to_json();
  EXPECT_EQ(j, nlohmann::json({{"name", "iris"},
                               {"version", 2},
                               {"action", "alias_set"},
                               {"from", "1"},
                               {"to", "champion"},
                               {"actor", "ana"},
                               {"at", history[1].at},
                               {"notes", "won the A/B test"}}));
}

TEST_P(Registry, PromotingRecordsTheVersionItArchivedAndTheOsUserByDefault) {
  auto store = open();
  ModelRegistry registry(*store);
  register_three(registry);
  registry.promote("iris", 1, "production", "", "ana");
  registry.promote("iris", 2, "production", "better recall", "ben");
  registry.promote("iris", 2, "production", "", "ben");  // already there: no stage changed
  registry.promote("iris", 3, "staging");                // no actor given: the OS user

  const auto history = registry.history("iris");
  EXPECT_EQ(summary(history),
            (std::vector<std::string>{"stage 3 none->staging", "stage 2 none->production",
                                      "stage 1 production->archived", "stage 1 none->production", "registered 3 ->none",
                                      "registered 2 ->none", "registered 1 ->none"}));
  EXPECT_EQ(history[0].actor, os_user_name());
  EXPECT_FALSE(history[0].actor.empty());
  EXPECT_EQ(history[1].actor, "ben");
  EXPECT_EQ(history[1].notes, "better recall");
  EXPECT_EQ(history[2].actor, "ben");  // the archive was ben's doing, and says why
  EXPECT_EQ(history[2].notes, "replaced in production by version 2");
  EXPECT_EQ(history[3].actor, "ana");
  EXPECT_EQ(registry.get("iris@1").stage, "archived");

  // Without a name: every model's events, newest first.
  registry.register_file("penguins", file_of("a"));
  const auto all = registry.history();
  ASSERT_EQ(all.size(), history.size() + 1);
  EXPECT_EQ(all[0].name, "penguins");
  EXPECT_EQ(all[0].actor, os_user_name());
  EXPECT_EQ(all[1].name, "iris");
  EXPECT_EQ(registry.history("nothing").size(), 0u);
}

TEST_P(Registry, BadAliasesAndMissingVersionsAreRefusedSayingWhatIsAllowed) {
  auto store = open();
  ModelRegistry registry(*store);
  register_three(registry);
  const std::size_t events = registry.history("iris").size();
  for (const std::string& bad :
       std::vector<std::string>{"", "1st", "latest", "Latest", "production", "STAGING", "none", "archived", "a b",
                                "a/b", "a@b", "a.b", "caf\xc3\xa9", "_x", std::string(65, 'a')}) {
    const std::string why = usage_error([&] { registry.set_alias("iris", bad, 1); });
    EXPECT_NE(why.find("must be a letter and then at most 63 letters, digits, '_' or '-', and not 'latest' or a "
                       "stage name (none, staging, production, archived)"),
              std::string::npos)
        << bad << ": " << why;
  }
  EXPECT_EQ(registry.set_alias("iris", "a" + std::string(63, 'b'), 1).version, 1);  // 64 characters: allowed
  EXPECT_EQ(registry.set_alias("iris", "Shadow-2_b", 1).version, 1);

  EXPECT_NE(usage_error([&] {
              registry.set_alias("iris", "champion", 9);
            }).find("model 'iris' has no version 9 (it has versions 1 to 3)"),
            std::string::npos);
  EXPECT_NE(usage_error([&] {
              registry.set_alias("churn", "champion", 1);
            }).find("no registered model 'churn' (registered: iris)"),
            std::string::npos);
  EXPECT_NE(usage_error([&] {
              registry.promote("iris", 4, "staging");
            }).find("model 'iris' has no version 4 (it has versions 1 to 3)"),
            std::string::npos);
  EXPECT_NE(usage_error([&] {
              registry.remove_alias("iris", "champion");
            }).find("model 'iris' has no alias 'champion' (aliases: Shadow-2_b, a" + std::string(63, 'b') + ")"),
            std::string::npos);
  EXPECT_NE(usage_error([&] { registry.remove_alias("churn", "champion"); }).find("no registered model 'churn'"),
            std::string::npos);
  // The two good aliases are the only changes recorded.
  EXPECT_EQ(registry.history("iris").size(), events + 2);
}

TEST_P(Registry, ReferencesThroughAnAliasAndWhatAnUnknownOneSays) {
  auto store = open();
  ModelRegistry registry(*store);
  register_three(registry);
  registry.set_alias("iris", "champion", 2);
  registry.set_alias("iris", "challenger", 3);
  registry.promote("iris", 1, "production");

  EXPECT_EQ(registry.get("iris@champion").version, 2);
  EXPECT_EQ(registry.get("iris@3").version, 3);  // digits: still a version number
  EXPECT_EQ(registry.get("iris@production").version, 1);
  EXPECT_EQ(registry.get("iris@latest").version, 3);
  EXPECT_NE(usage_error([&] {
              registry.get("iris@champio");
            }).find("model 'iris' has no alias 'champio' (aliases: challenger, champion)"),
            std::string::npos);
  // An alias goes after '@'; elsewhere the error says so.
  EXPECT_NE(usage_error([&] { registry.get("iris/champion"); })
                .find("has no version 'champion' (versions 1-3; stages: none, staging, production, archived; "
                      "aliases, as iris@ALIAS: challenger, champion)"),
            std::string::npos);
  EXPECT_NE(usage_error([&] { registry.get("penguins@champion"); }).find("no registered model 'penguins'"),
            std::string::npos);
  registry.remove_alias("iris", "champion");
  registry.remove_alias("iris", "challenger");
  EXPECT_NE(usage_error([&] { registry.get("iris@champion"); }).find("has no alias 'champion' (aliases: none)"),
            std::string::npos);
}

TEST_P(Registry, ResolveModelFollowsAnAliasWhereverItMoves) {
  auto store = open();
  ModelRegistry registry(*store);
  register_three(registry);
  registry.set_alias("iris", "champion", 2);
  registry.promote("iris", 2, "production");
  ::setenv("SHIPML_TRACKING_URI", uri().c_str(), 1);
  const ModelReference first = resolve_model("models:/iris@champion");
  registry.set_alias("iris", "champion", 3);
  const ModelReference moved = resolve_model("models:/iris@champion");
  const ModelReference by_number = resolve_model("models:/iris@2"), by_stage = resolve_model("models:/iris/production");
  ::unsetenv("SHIPML_TRACKING_URI");

  EXPECT_EQ(first.name, "iris");
  EXPECT_EQ(first.version, 2);
  EXPECT_EQ(first.stage, "production");
  EXPECT_EQ(first.alias, "champion");
  EXPECT_EQ(first.path, registry.get("iris@2").path);
  EXPECT_EQ(moved.version, 3);
  EXPECT_EQ(moved.alias, "champion");
  EXPECT_EQ(moved.path, registry.get("iris@3").path);
  EXPECT_EQ(by_number.alias, "");  // not through an alias
  EXPECT_EQ(by_stage.alias, "");
  EXPECT_EQ(by_stage.path, first.path);
  // The file it gives is the model registered, prediction for prediction.
  const Frame rows = read_dataset(data_path("iris.csv"), "species").features();
  EXPECT_EQ(Model::load(moved.path).predict(rows).values, Model::load(file_of("c")).predict(rows).values);
}

TEST_P(Registry, AStoreFromBeforeAliasesIsMigratedWithItsVersionsIntact) {
  // The schema as shipml 0.2 before aliases left it (migrations 1 and 2), with two versions.
  if (GetParam() == "sqlite") std::filesystem::create_directories(uri());
  for (
      const std::string& statement : std::vector<std::string>{
          "CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, applied TEXT NOT NULL)",
          "CREATE TABLE runs (id TEXT PRIMARY KEY, experiment TEXT NOT NULL, kind TEXT NOT NULL, status TEXT NOT NULL, "
          "start_time TEXT NOT NULL, end_time TEXT, heartbeat TEXT, duration_s DOUBLE PRECISION, error TEXT, info TEXT "
          "NOT NULL)",
          "CREATE INDEX runs_by_experiment ON runs (experiment, start_time)",
          "CREATE TABLE params (run_id TEXT NOT NULL, key TEXT NOT NULL, value TEXT NOT NULL, PRIMARY KEY (run_id, key))",
          "CREATE TABLE metrics (run_id TEXT NOT NULL, key TEXT NOT NULL, step INTEGER NOT NULL, value DOUBLE "
          "PRECISION, PRIMARY KEY (run_id, key, step))",
          "CREATE TABLE tags (run_id TEXT NOT NULL, key TEXT NOT NULL, value TEXT NOT NULL, PRIMARY KEY (run_id, key))",
          "CREATE TABLE artifacts (run_id TEXT NOT NULL, name TEXT NOT NULL, path TEXT NOT NULL, PRIMARY KEY (run_id, "
          "name))",
          "CREATE TABLE model_versions (name TEXT NOT NULL, version INTEGER NOT NULL, stage TEXT NOT NULL, source_run "
          "TEXT, path TEXT NOT NULL, created TEXT NOT NULL, notes TEXT, metrics TEXT NOT NULL, PRIMARY KEY (name, "
          "version))",
          "INSERT INTO schema_migrations (version, applied) VALUES (1, '2026-01-05T10:00:00Z')",
          "INSERT INTO schema_migrations (version, applied) VALUES (2, '2026-01-05T10:00:00Z')"}) {
    raw_sql(uri(), statement);
  }
  raw_sql(uri(), "INSERT INTO model_versions VALUES ('iris', 1, 'archived', NULL, '" + file_of("a") +
                     "', '2026-01-05T10:00:00Z', 'baseline', '{}')");
  raw_sql(uri(), "INSERT INTO model_versions VALUES ('iris', 2, 'production', 'abc123', '" + file_of("b") +
                     "', '2026-02-01T09:30:00Z', NULL, '{\"accuracy\": 0.95}')");

  auto store = open();  // migrates
  ModelRegistry registry(*store);
  const auto versions = registry.versions("iris");
  ASSERT_EQ(versions.size(), 2u);
  EXPECT_EQ(versions[0].stage, "archived");
  EXPECT_EQ(versions[0].path, file_of("a"));
  EXPECT_EQ(versions[0].notes, "baseline");
  EXPECT_EQ(versions[0].created, "2026-01-05T10:00:00Z");
  EXPECT_EQ(versions[1].stage, "production");
  EXPECT_EQ(versions[1].source_run, "abc123");
  EXPECT_EQ(versions[1].metrics["accuracy"], 0.95);
  EXPECT_TRUE(versions[1].aliases.empty());
  EXPECT_EQ(registry.get("iris/production").version, 2);
  // The registrations it held open the history, with no actor (nobody recorded one then).
  auto history = registry.history("iris");
  EXPECT_EQ(summary(history), (std::vector<std::string>{"registered 2 ->none", "registered 1 ->none"}));
  EXPECT_EQ(history[0].at, "2026-02-01T09:30:00Z");
  EXPECT_EQ(history[0].actor, "");
  EXPECT_EQ(history[1].notes, "baseline");

  // Aliases and the history work from here on, numbered after what was there.
  registry.set_alias("iris", "champion", 2, "ana");
  EXPECT_EQ(registry.get("iris@champion").path, file_of("b"));
  EXPECT_EQ(registry.register_file("iris", file_of("c"), "", "ana").version, 3);
  registry.promote("iris", 3, "production", "", "ana");
  history = registry.history("iris");
  EXPECT_EQ(summary(history),
            (std::vector<std::string>{"stage 3 none->production", "stage 2 production->archived", "registered 3 ->none",
                                      "alias_set 2 ->champion", "registered 2 ->none", "registered 1 ->none"}));
  // Opened again: nothing more to migrate, nothing lost.
  store.reset();
  auto again = open();
  EXPECT_EQ(ModelRegistry(*again).history("iris").size(), history.size());
}

TEST_P(Registry, WritersInParallelNumberTheHistoryWithoutLosingAnEvent) {
  {
    auto store = open();
    ModelRegistry registry(*store);
    register_three(registry);
  }
  constexpr int kMoves = 15;
  // Each process moves its own alias back and forth: every move is one event,
  // each taking the next number under the same lock as the change.
  in_processes(2, [&](int process) {
    auto store = open();
    ModelRegistry registry(*store);
    for (int i = 0; i < kMoves; ++i)
      registry.set_alias("iris", "writer" + std::to_string(process), 1 + i % 2, "writer " + std::to_string(process));
  });
  auto store = open();
  ModelRegistry registry(*store);
  const auto history = registry.history("iris");
  ASSERT_EQ(history.size(), 3u + 2 * kMoves);
  for (int process = 0; process < 2; ++process) {
    const std::string actor = "writer " + std::to_string(process);
    std::vector<std::string> froms;
    for (auto it = history.rbegin(); it != history.rend(); ++it)
      if (it->actor == actor) froms.push_back(it->from);
    ASSERT_EQ(froms.size(), static_cast<std::size_t>(kMoves)) << actor;
    // In order: new, then each move from where the last one put it.
    EXPECT_EQ(froms[0], "");
    for (int i = 1; i < kMoves; ++i) EXPECT_EQ(froms[static_cast<std::size_t>(i)], std::to_string(1 + (i - 1) % 2));
  }
}

INSTANTIATE_TEST_SUITE_P(Backends, Registry, ::testing::Values("sqlite", "postgresql"), backend_name);

}  // namespace
}  // namespace shipml::test
