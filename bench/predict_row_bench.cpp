// Single-row prediction latency in-process: the path a server takes per request
// (a one-row frame through schema checks, encoding and every tree).
#include <benchmark/benchmark.h>

#include "shipml/serve/drift_monitor.hpp"
#include "shipml/shipml.hpp"

namespace {

struct Fixture {
  shipml::Model model;
  shipml::Frame row;
};

Fixture& fixture(const std::string& estimator, const std::map<std::string, std::string>& params) {
  static std::map<std::string, std::unique_ptr<Fixture>> cache;
  auto& slot = cache[estimator];
  if (!slot) {
    const shipml::Dataset data = shipml::read_dataset(SHIPML_SOURCE_DIR "/data/churn.csv", "churn");
    shipml::Model m(estimator, params);
    m.fit(data);
    const std::vector<std::size_t> first{0};
    slot = std::make_unique<Fixture>(Fixture{std::move(m), data.features().take(first)});
  }
  return *slot;
}

void BM_PredictOneRow_HistGbdt100(benchmark::State& state) {
  Fixture& f = fixture("hist_gbdt", {{"n_estimators", "100"}, {"early_stopping", "false"}, {"threads", "1"}});
  for (auto _ : state) benchmark::DoNotOptimize(f.model.predict(f.row));
}
BENCHMARK(BM_PredictOneRow_HistGbdt100);

void BM_PredictOneRow_Logistic(benchmark::State& state) {
  Fixture& f = fixture("logistic", {});
  for (auto _ : state) benchmark::DoNotOptimize(f.model.predict(f.row));
}
BENCHMARK(BM_PredictOneRow_Logistic);

// What drift monitoring adds to a served row: binning it and its prediction
// into the live window (compare with BM_PredictOneRow_HistGbdt100).
void BM_DriftObserveOneRow(benchmark::State& state) {
  Fixture& f = fixture("hist_gbdt", {{"n_estimators", "100"}, {"early_stopping", "false"}, {"threads", "1"}});
  shipml::serve::DriftMonitor monitor(f.model.drift_reference(), {});
  const shipml::Predictions p = f.model.predict(f.row);
  for (auto _ : state) monitor.observe(f.row, p);
}
BENCHMARK(BM_DriftObserveOneRow);

}  // namespace

BENCHMARK_MAIN();
