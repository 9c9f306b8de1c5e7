// How long `shipml ui` takes to answer the runs list of a store with 100,000
// runs (issue 20: under 100 ms for the first page and for a filtered one):
// UiService::handle timed by Google Benchmark, the server's own time without
// the network. The store is made once in a folder (SQLite, the default store),
// its rows written straight into the tables in one transaction.
// Usage: bench_ui_runs [--store DIR] [Google Benchmark flags]  (default DIR: ./ui-bench-store)
#include <benchmark/benchmark.h>
#include <sqlite3.h>

#include <filesystem>
#include <fstream>
#include <iostream>
#include <random>

#include "shipml/track/run_store.hpp"
#include "shipml/ui/ui_service.hpp"

namespace {

constexpr int kRuns = 100000;
std::string store_dir = "ui-bench-store";

void exec(sqlite3* db, const char* sql) {
  char* error = nullptr;
  if (sqlite3_exec(db, sql, nullptr, nullptr, &error) != SQLITE_OK) throw std::runtime_error(error);
}

// 100,000 finished runs over 20 experiments, 4 estimators and 5 kinds, each
// with 3 parameters and 4 metrics; made once, kept for the next run.
void make_store() {
  const auto marker = std::filesystem::path(store_dir) / "complete";
  if (std::filesystem::exists(marker)) return;
  std::filesystem::remove_all(store_dir);
  shipml::RunStore::open(store_dir);  // the schema
  sqlite3* db = nullptr;
  if (sqlite3_open_v2((std::filesystem::path(store_dir) / "shipml.db").c_str(), &db, SQLITE_OPEN_READWRITE, nullptr) !=
      SQLITE_OK)
    throw std::runtime_error("cannot open the store's shipml.db in " + store_dir);
  exec(db, "BEGIN");
  sqlite3_stmt *run, *param, *metric;
  sqlite3_prepare_v2(db,
                     "INSERT INTO runs (id, experiment, kind, status, start_time, end_time, heartbeat, duration_s, "
                     "error, info) VALUES (?, ?, ?, ?, ?, ?, ?, ?, NULL, '{}')",
                     -1, &run, nullptr);
  sqlite3_prepare_v2(db, "INSERT INTO params (run_id, key, value) VALUES (?, ?, ?)", -1, &param, nullptr);
  sqlite3_prepare_v2(db, "INSERT INTO metrics (run_id, key, step, value) VALUES (?, ?, -1, ?)", -1, &metric, nullptr);
  std::mt19937_64 random(7);
  std::uniform_real_distribution<double> unit(0, 1);
  const char* estimators[] = {"hist_gbdt", "logistic", "random_forest", "xgboost"};
  const char* kinds[] = {"train", "score", "compare", "search", "select"};
  for (int i = 0; i < kRuns; ++i) {
    char id[33], time[32];
    std::snprintf(id, sizeof id, "%032x", i * 2654435761u + 12345u);
    std::snprintf(time, sizeof time, "2026-%02d-%02dT%02d:%02d:%02dZ", 1 + i / 9000 % 12, 1 + i / 300 % 28, i / 60 % 24,
                  i % 60, i * 7 % 60);
    const std::string experiment = "experiment_" + std::to_string(i % 20);
    sqlite3_bind_text(run, 1, id, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(run, 2, experiment.c_str(), -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(run, 3, kinds[i % 5], -1, SQLITE_STATIC);
    sqlite3_bind_text(run, 4, i % 50 == 0 ? "failed" : "finished", -1, SQLITE_STATIC);
    sqlite3_bind_text(run, 5, time, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(run, 6, time, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(run, 7, time, -1, SQLITE_TRANSIENT);
    sqlite3_bind_double(run, 8, 1 + 10 * unit(random));
    sqlite3_step(run);
    sqlite3_reset(run);
    const std::pair<const char*, std::string> params[] = {{"estimator", estimators[i % 4]},
                                                          {"max_leaves", std::to_string(8 << (i % 4))},
                                                          {"learning_rate", std::to_string(0.01 * (1 + i % 10))}};
    for (const auto& [k, v] : params) {
      sqlite3_bind_text(param, 1, id, -1, SQLITE_TRANSIENT);
      sqlite3_bind_text(param, 2, k, -1, SQLITE_STATIC);
      sqlite3_bind_text(param, 3, v.c_str(), -1, SQLITE_TRANSIENT);
      sqlite3_step(param);
      sqlite3_reset(param);
    }
    const double auc = 0.6 + 0.39 * unit(random);
    const std::pair<const char*, double> metrics[] = {
        {"roc_auc", auc}, {"accuracy", auc - 0.05}, {"log_loss", 1 - auc}, {"fit_seconds", unit(random)}};
    for (const auto& [k, v] : metrics) {
      sqlite3_bind_text(metric, 1, id, -1, SQLITE_TRANSIENT);
      sqlite3_bind_text(metric, 2, k, -1, SQLITE_STATIC);
      sqlite3_bind_double(metric, 3, v);
      sqlite3_step(metric);
      sqlite3_reset(metric);
    }
  }
  for (auto* s : {run, param, metric}) sqlite3_finalize(s);
  exec(db, "COMMIT");
  sqlite3_close(db);
  std::ofstream(marker) << kRuns << '\n';
}

void BM_RunsPage(benchmark::State& state, const std::string& query) {
  static shipml::ui::UiService service(shipml::ui::UiOptions{store_dir});
  shipml::serve::HttpRequest request;
  request.method = "GET";
  request.path = "/runs";
  request.query = query;
  for (auto _ : state) {
    shipml::serve::HttpResponse response;
    service.handle(request, {"127.0.0.1", 0}, response);
    if (response.status != 200 || response.body.find(" of ") == std::string::npos)
      state.SkipWithError(("no runs listed: " + response.body.substr(0, 300)).c_str());
    benchmark::DoNotOptimize(response.body);
  }
}

}  // namespace

BENCHMARK_CAPTURE(BM_RunsPage, first_page, std::string())->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_RunsPage, filtered_by_metric, std::string("filter=roc_auc+%3E+0.9"))
    ->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_RunsPage, filtered_and_sorted_by_metric,
                  std::string("filter=roc_auc+%3E+0.9&estimator=logistic&sort=-metrics.roc_auc"))
    ->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_RunsPage, one_experiment_page_20, std::string("experiment=experiment_7&page=20"))
    ->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_RunsPage, filtered_by_param, std::string("filter=params.max_leaves+%3D+32&kind=score"))
    ->Unit(benchmark::kMillisecond);

int main(int argc, char** argv) {
  for (int i = 1; i + 1 < argc; ++i)
    if (std::string(argv[i]) == "--store") store_dir = argv[i + 1];
  std::cerr << "store " << store_dir << ": " << kRuns << " runs (made once)" << std::endl;
  make_store();
  benchmark::Initialize(&argc, argv);
  benchmark::RunSpecifiedBenchmarks();
}
