// The run store, against SQLite and a real PostgreSQL server: records, queries,
// migrations, several writers at once, and a writer killed mid-run.
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <set>

#include "shipml/track/registry.hpp"
#include "shipml/track/tracked_run.hpp"
#include "track/store_fixture.hpp"

namespace shipml::test {
namespace {

RunRecord make_run(const std::string& experiment, std::map<std::string, std::string> params) {
  RunRecord r;
  r.kind = "score";
  r.experiment = experiment;
  r.params = std::move(params);
  r.info = {{"command", "test"}};
  return r;
}

using RunStoreSuite = StoreTest;

TEST_P(RunStoreSuite, RecordsAndReadsBackEverythingAboutARun) {
  auto store = open();
  RunRecord r = make_run("churn", {{"estimator", "hist_gbdt"}, {"max_leaves", "31"}});
  r.tags = {{"owner", "ana"}};
  store->start(r);
  ASSERT_EQ(r.id.size(), 32u);
  EXPECT_EQ(store->get(r.id).status, "running");
  store->log_metric(r.id, "roc_auc", 0.91, 0);
  store->log_metric(r.id, "roc_auc", 0.93, 1);
  store->log_metrics(r.id, {{"roc_auc", 0.92}, {"roc_auc_std", 0.0141421356237}});
  store->log_params(r.id, {{"learning_rate", "0.1"}});
  store->set_tag(r.id, "note", "first try");
  store->set_info(r.id, {{"command", "test"}, {"data", {{"rows", 5000}}}});
  write_file_atomic(tmp_.file("model.bin"), "model bytes");
  const std::string stored = store->add_artifact(r.id, "model.shipml", tmp_.file("model.bin"));
  store->finish(r.id, "finished");

  const RunRecord back = store->get(r.id.substr(0, 6));  // a unique prefix is enough
  EXPECT_EQ(back.id, r.id);
  EXPECT_EQ(back.experiment, "churn");
  EXPECT_EQ(back.kind, "score");
  EXPECT_EQ(back.status, "finished");
  EXPECT_FALSE(back.end_time.empty());
  EXPECT_GE(back.duration_seconds, 0);
  EXPECT_EQ(back.params, (std::map<std::string, std::string>{
                             {"estimator", "hist_gbdt"}, {"learning_rate", "0.1"}, {"max_leaves", "31"}}));
  EXPECT_EQ(back.tags, (std::map<std::string, std::string>{{"note", "first try"}, {"owner", "ana"}}));
  EXPECT_EQ(back.metrics.at("roc_auc"), 0.92);  // exact doubles, both backends
  EXPECT_EQ(back.metrics.at("roc_auc_std"), 0.0141421356237);
  EXPECT_EQ(back.metric_steps.at("roc_auc"), (std::vector<double>{0.91, 0.93}));
  EXPECT_EQ(back.info["data"]["rows"], 5000);
  EXPECT_EQ(back.artifacts.at("model.shipml"), stored);
  EXPECT_EQ(read_file(stored), "model bytes");
  EXPECT_EQ(store->get("latest").id, r.id);
  EXPECT_THROW(store->get("nope"), UsageError);
}

TEST_P(RunStoreSuite, ListsFilterAndSortLikeTheyRead) {
  auto store = open();
  std::vector<std::string> ids;
  const double aucs[] = {0.85, 0.95, 0.75, 0.91};
  const char* leaves[] = {"31", "31", "15", "63"};
  for (int i = 0; i < 4; ++i) {
    RunRecord r = make_run(i == 3 ? "other" : "churn", {{"max_leaves", leaves[i]}, {"estimator", "hist_gbdt"}});
    store->start(r);
    store->log_metrics(r.id, {{"roc_auc", aucs[i]}});
    store->finish(r.id, i == 2 ? "failed" : "finished", i == 2 ? "boom" : "");
    ids.push_back(r.id);
  }
  auto list = [&](RunQuery q) {
    std::vector<std::string> out;
    for (const auto& r : store->list(q)) out.push_back(r.id);
    return out;
  };
  EXPECT_EQ(list({}), (std::vector<std::string>{ids[3], ids[2], ids[1], ids[0]}));  // newest first
  EXPECT_EQ(list({.sort = "-metrics.roc_auc"}), (std::vector<std::string>{ids[1], ids[3], ids[0], ids[2]}));
  EXPECT_EQ(list({.sort = "metrics.roc_auc", .limit = 2}), (std::vector<std::string>{ids[2], ids[0]}));
  EXPECT_EQ(list({.filter = "metrics.roc_auc > 0.8 and params.max_leaves = 31", .sort = "metrics.roc_auc"}),
            (std::vector<std::string>{ids[0], ids[1]}));
  EXPECT_EQ(list({.filter = "params.max_leaves >= 31 and metrics.roc_auc<0.92", .sort = "metrics.roc_auc"}),
            (std::vector<std::string>{ids[0], ids[3]}));
  EXPECT_EQ(list({.filter = "status = failed"}), (std::vector<std::string>{ids[2]}));
  EXPECT_EQ(list({.filter = "status != 'failed' and experiment = churn", .sort = "metrics.roc_auc"}),
            (std::vector<std::string>{ids[0], ids[1]}));
  EXPECT_EQ(list({.experiment = "other"}), (std::vector<std::string>{ids[3]}));
  EXPECT_EQ(store->get(ids[2]).error, "boom");
  // A bare name is a metric, as the UI's filter box takes it.
  EXPECT_EQ(list({.filter = "roc_auc > 0.8 and params.max_leaves = 31", .sort = "roc_auc"}),
            (std::vector<std::string>{ids[0], ids[1]}));
  // Pages of a long list, and how long it is.
  EXPECT_EQ(list({.sort = "-metrics.roc_auc", .limit = 2, .offset = 1}), (std::vector<std::string>{ids[3], ids[0]}));
  EXPECT_EQ(list({.sort = "-metrics.roc_auc", .limit = 2, .offset = 4}), std::vector<std::string>{});
  EXPECT_EQ(store->count({}), 4u);
  EXPECT_EQ(store->count({.experiment = "churn", .filter = "roc_auc > 0.8", .limit = 1}), 2u);
  EXPECT_EQ(store->experiments(), (std::vector<std::string>{"churn", "other"}));
  for (const std::string bad :
       {"metrics.auc >", "metrics.auc ~ 1", "nowhere.weight > 1", "metrics.auc > high", "a = 1 or b = 2"}) {
    try {
      store->list({.filter = bad});
      ADD_FAILURE() << "accepted: " << bad;
    } catch (const UsageError& e) {
      const std::string what = e.what();
      EXPECT_TRUE(what.find("filter") != std::string::npos || what.find("unknown field") != std::string::npos) << what;
    }
  }
}

TEST_P(RunStoreSuite, DeleteRemovesRecordsAndArtifacts) {
  auto store = open();
  RunRecord r = make_run("x", {{"a", "1"}});
  store->start(r);
  write_file_atomic(tmp_.file("f"), "x");
  const std::string stored = store->add_artifact(r.id, "f.txt", tmp_.file("f"));
  store->finish(r.id, "finished");
  store->remove(r.id);
  EXPECT_THROW(store->get(r.id), UsageError);
  EXPECT_FALSE(std::filesystem::exists(stored));
  EXPECT_TRUE(store->list().empty());
}

TEST_P(RunStoreSuite, DeletingSeveralRunsIsAllOrNone) {
  auto store = open();
  RunRecord good = make_run("x", {}), other = make_run("x", {});
  store->start(good);
  store->finish(good.id, "finished");
  store->start(other);
  store->finish(other.id, "finished");
  EXPECT_THROW(store->remove(std::vector<std::string>{good.id, "0000000000000000"}), UsageError);
  EXPECT_EQ(store->get(good.id).id, good.id);  // an unknown id deleted nothing
  store->remove(std::vector<std::string>{good.id, other.id});
  EXPECT_TRUE(store->list().empty());
}

TEST_P(RunStoreSuite, ARegistryCopyKilledMidwayIsCollectedByTheNextVersion) {
  auto store = open();
  ModelRegistry registry(*store);
  Model m("logistic");
  m.fit(read_dataset(data_path("iris.csv"), "species"));
  m.save(tmp_.file("m.shipml"));
  const std::filesystem::path first = registry.register_file("iris", tmp_.file("m.shipml")).path;
  // A writer killed with kill -9 while copying version 2: its transaction rolled back, its copy stayed.
  const pid_t child = ::fork();
  if (child == 0) ::_exit(0);
  ::waitpid(child, nullptr, 0);
  const std::filesystem::path folder = first.parent_path().parent_path() / "2";
  std::filesystem::create_directories(folder);
  const std::string stale = (folder / ("model.shipml.tmp." + std::to_string(child))).string();
  write_file_atomic(stale, std::string(1 << 20, 'x'));
  const ModelVersion second = registry.register_file("iris", tmp_.file("m.shipml"));
  EXPECT_EQ(second.version, 2);
  EXPECT_FALSE(std::filesystem::exists(stale));
  EXPECT_EQ(std::distance(std::filesystem::directory_iterator(folder), {}), 1);  // the model, alone
  EXPECT_NO_THROW(Model::load(second.path));
}

TEST_P(RunStoreSuite, ARunStillRunningIsNotDeletedUnderItsWriter) {
  auto store = open();
  RunRecord live = make_run("x", {});
  store->start(live);  // this process: alive
  const std::string artifact =
      store->add_artifact(live.id, "big.bin", (write_file_atomic(tmp_.file("b"), "x"), tmp_.file("b")));
  try {
    store->remove(live.id);
    ADD_FAILURE() << "a running run was deleted";
  } catch (const UsageError& e) {
    EXPECT_NE(std::string(e.what()).find("is still running (pid " + std::to_string(::getpid())), std::string::npos)
        << e.what();
  }
  EXPECT_TRUE(std::filesystem::exists(artifact));
  // Its process gone (a kill -9), it can be deleted.
  const pid_t child = ::fork();
  if (child == 0) ::_exit(0);
  ::waitpid(child, nullptr, 0);
  nlohmann::json info = store->get(live.id).info;
  info["pid"] = child;
  store->set_info(live.id, info);
  EXPECT_EQ(store->get(live.id).status, "running (process gone)");
  store->remove(live.id);
  EXPECT_FALSE(std::filesystem::exists(artifact));
}

TEST_P(RunStoreSuite, MigrationsApplyOnceAndANewerSchemaIsRefused) {
  { auto first = open(); }
  { auto again = open(); }  // nothing to apply the second time
  raw_sql(uri(), "INSERT INTO schema_migrations (version, applied) VALUES (99, 'later')");
  try {
    open();
    FAIL() << "opened a store from the future";
  } catch (const DataError& e) {
    EXPECT_NE(std::string(e.what()).find("schema version 99, newer than this shipml knows"), std::string::npos)
        << e.what();
  }
}

TEST_P(RunStoreSuite, TwoProcessesLogging200RunsEachLoseNoRecord) {
  { auto create = open(); }
  in_processes(2, [&](int process) {
    auto store = open();
    for (int i = 0; i < 200; ++i) {
      RunRecord r = make_run("parallel", {{"process", std::to_string(process)}, {"i", std::to_string(i)}});
      store->start(r);
      store->log_metric(r.id, "loss", i * 0.5, 0);
      store->log_metrics(r.id, {{"score", static_cast<double>(i)}});
      store->finish(r.id, "finished");
    }
  });
  auto store = open();
  const auto runs = store->list({.limit = 1000});
  ASSERT_EQ(runs.size(), 400u);
  std::set<std::string> seen;
  for (const auto& r : runs) {
    EXPECT_EQ(r.status, "finished");
    ASSERT_EQ(r.params.size(), 2u);
    EXPECT_EQ(r.metrics.at("score"), std::stod(r.params.at("i")));
    EXPECT_EQ(r.metric_steps.at("loss").size(), 1u);
    seen.insert(r.params.at("process") + "/" + r.params.at("i"));
  }
  EXPECT_EQ(seen.size(), 400u);
}

TEST_P(RunStoreSuite, AWriterKilledMidRunLeavesItNotFinishedAndTheStoreIntact) {
  { auto create = open(); }
  int ready[2];
  ASSERT_EQ(::pipe(ready), 0);
  const pid_t child = ::fork();
  if (child == 0) {
    auto store = open();
    RunRecord r = make_run("killed", {{"a", "1"}});
    store->start(r);
    for (int i = 0;; ++i) {  // logging when the kill comes
      store->log_metric(r.id, "loss", 1.0 / (i + 1), i);
      if (i == 5) [[maybe_unused]]
        auto n = ::write(ready[1], r.id.data(), r.id.size());
    }
  }
  char id[33] = {};
  ASSERT_EQ(::read(ready[0], id, 32), 32);
  ::kill(child, SIGKILL);
  ::waitpid(child, nullptr, 0);
  auto store = open();
  const RunRecord r = store->get(id);
  EXPECT_EQ(r.status, "running (process gone)");  // not finished, and it says why
  EXPECT_TRUE(r.end_time.empty());
  EXPECT_GE(r.metric_steps.at("loss").size(), 6u);
  if (GetParam() == "sqlite") {
    sqlite3* db = nullptr;
    sqlite3_open((uri() + "/shipml.db").c_str(), &db);
    sqlite3_stmt* stmt = nullptr;
    sqlite3_prepare_v2(db, "PRAGMA integrity_check", -1, &stmt, nullptr);
    ASSERT_EQ(sqlite3_step(stmt), SQLITE_ROW);
    EXPECT_STREQ(reinterpret_cast<const char*>(sqlite3_column_text(stmt, 0)), "ok");
    sqlite3_finalize(stmt);
    sqlite3_close(db);
  }
  RunRecord next = make_run("after", {});
  store->start(next);  // and the store takes new runs
  store->finish(next.id, "finished");
  EXPECT_EQ(store->list({.experiment = "after"}).size(), 1u);
  ::close(ready[0]);
  ::close(ready[1]);
}

TEST_P(RunStoreSuite, RegistryVersionsStagesAndReferences) {
  auto store = open();
  ModelRegistry registry(*store);
  const Dataset data = read_dataset(data_path("iris.csv"), "species");
  Model a("logistic"), b("decision_tree", {{"max_depth", "2"}});
  a.fit(data);
  b.fit(data);
  a.save(tmp_.file("a.shipml"));
  b.save(tmp_.file("b.shipml"));

  EXPECT_EQ(registry.register_file("iris", tmp_.file("a.shipml"), "baseline").version, 1);
  // A run that saved a model registers with the run's metrics.
  RunRecord run = make_run("iris", {});
  run.kind = "train";
  store->start(run);
  store->add_artifact(run.id, "model.shipml", tmp_.file("b.shipml"));
  store->log_metrics(run.id, {{"accuracy", 0.93}});
  store->finish(run.id, "finished");
  const ModelVersion v2 = registry.register_run("iris", run.id);
  EXPECT_EQ(v2.version, 2);
  EXPECT_EQ(v2.source_run, run.id);
  EXPECT_EQ(v2.metrics["accuracy"], 0.93);

  registry.promote("iris", 1, "production");
  EXPECT_EQ(registry.get("iris:production").version, 1);
  registry.promote("iris", 2, "production");  // the old production version is archived
  EXPECT_EQ(registry.get("iris/production").version, 2);
  EXPECT_EQ(registry.get("iris@1").stage, "archived");
  EXPECT_EQ(registry.get("iris").version, 2);
  EXPECT_EQ(registry.names(), std::vector<std::string>{"iris"});
  EXPECT_THROW(registry.get("iris:staging"), UsageError);
  EXPECT_THROW(registry.get("iris@7"), UsageError);
  EXPECT_THROW(registry.promote("iris", 1, "live"), UsageError);
  EXPECT_THROW(registry.register_file("bad/name", tmp_.file("a.shipml")), UsageError);
  write_file_atomic(tmp_.file("junk.shipml"), "not a model");
  EXPECT_THROW(registry.register_file("iris", tmp_.file("junk.shipml")), ModelError);
  EXPECT_EQ(registry.versions("iris").size(), 2u);

  // models:/NAME/STAGE works wherever a path does, with the same predictions.
  ::setenv("SHIPML_TRACKING_URI", uri().c_str(), 1);
  const std::string path = resolve_model_path("models:/iris/production");
  ::unsetenv("SHIPML_TRACKING_URI");
  const Predictions original = b.predict(data.features()), fetched = Model::load(path).predict(data.features());
  EXPECT_EQ(original.values, fetched.values);
  EXPECT_TRUE(original.proba == fetched.proba);
  EXPECT_EQ(resolve_model_path("plain/file.shipml"), "plain/file.shipml");
}

INSTANTIATE_TEST_SUITE_P(Backends, RunStoreSuite, ::testing::Values("sqlite", "postgresql"), backend_name);

}  // namespace
}  // namespace shipml::test
