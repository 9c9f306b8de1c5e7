// Single-row prediction latency in-process: the path a server takes per request
// (a one-row frame through schema checks, encoding and every tree), and the
// whole of a request's work but HTTP (decode the body, predict, watch drift,
// encode the answer) for 19 mixed features (churn.csv) and 57 numeric ones:
// what a row costs per feature.
#include <benchmark/benchmark.h>

#include <nlohmann/json.hpp>
#include <random>

#include "shipml/serve/drift_monitor.hpp"
#include "shipml/serve/mlflow_scoring.hpp"
#include "shipml/serve/open_inference.hpp"
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

// A served model and one row of its data as the two protocols' bodies.
struct ServedRow {
  shipml::serve::ServedModel served;
  std::string v2_body, mlflow_body;
};

ServedRow serve_first_row(shipml::Model model, const shipml::Frame& features) {
  ServedRow r;
  r.served.name = "m";
  r.served.version = "1";
  r.served.drift =
      std::make_shared<shipml::serve::DriftMonitor>(model.drift_reference(), shipml::serve::DriftOptions{});
  r.served.model = std::make_shared<const shipml::Model>(std::move(model));
  // Keys in the order Python clients write them.
  nlohmann::ordered_json inputs = nlohmann::ordered_json::array(), columns = nlohmann::ordered_json::array(),
                         cells = nlohmann::ordered_json::array();
  for (const shipml::Column& c : features.columns()) {
    const nlohmann::ordered_json cell = c.is_missing(0)  ? nlohmann::ordered_json(nullptr)
                                        : c.is_numeric() ? nlohmann::ordered_json(c.values()[0])
                                                         : nlohmann::ordered_json(c.text(0));
    inputs.push_back(
        {{"name", c.name()}, {"shape", {1}}, {"datatype", c.is_numeric() ? "FP64" : "BYTES"}, {"data", {cell}}});
    columns.push_back(c.name());
    cells.push_back(cell);
  }
  r.v2_body = nlohmann::ordered_json{{"inputs", inputs}}.dump();
  r.mlflow_body = nlohmann::ordered_json{{"dataframe_split", {{"columns", columns}, {"data", {cells}}}}}.dump();
  return r;
}

const std::map<std::string, std::string> kHundredTrees{
    {"n_estimators", "100"}, {"early_stopping", "false"}, {"threads", "1"}};

ServedRow& churn19() {
  static ServedRow r = [] {
    const shipml::Dataset data = shipml::read_dataset(SHIPML_SOURCE_DIR "/data/churn.csv", "churn");
    shipml::Model m("hist_gbdt", kHundredTrees);
    m.fit(data);
    const std::vector<std::size_t> first{0};
    return serve_first_row(std::move(m), data.features().take(first));
  }();
  return r;
}

// 57 numeric features (bench/serve.sh's width rows draw the same shape with numpy).
ServedRow& wide57() {
  static ServedRow r = [] {
    std::mt19937_64 random(57);
    std::normal_distribution<double> normal;
    const std::size_t rows = 2000, width = 57;
    std::vector<shipml::Column> columns;
    std::vector<double> signal(rows);
    for (std::size_t j = 0; j < width; ++j) {
      std::vector<double> values(rows);
      const double weight = j < 19 ? normal(random) : 0.0;
      for (std::size_t i = 0; i < rows; ++i) {
        values[i] = std::round(normal(random) * 1e4) / 1e4;
        signal[i] += weight * values[i];
      }
      columns.push_back(shipml::Column::numeric("feature_" + std::string(j < 9 ? "0" : "") + std::to_string(j + 1),
                                                std::move(values)));
    }
    std::vector<std::string> labels(rows);
    for (std::size_t i = 0; i < rows; ++i) labels[i] = signal[i] + 2 * normal(random) > 0 ? "yes" : "no";
    const shipml::Frame features(columns);
    columns.push_back(shipml::Column::from_strings("target", labels));
    shipml::Model m("hist_gbdt", kHundredTrees);
    m.fit(shipml::Dataset{.frame = shipml::Frame(std::move(columns)), .target = "target"});
    const std::vector<std::size_t> first{0};
    return serve_first_row(std::move(m), features.take(first));
  }();
  return r;
}

void serve_v2(benchmark::State& state, ServedRow& r) {
  for (auto _ : state) {
    const auto request = shipml::serve::oip::decode_infer(*r.served.model, r.v2_body, "");
    const shipml::Predictions p = r.served.model->predict(request.input);
    r.served.drift->observe(request.input, p);
    shipml::serve::HttpResponse response;
    shipml::serve::oip::encode_infer(r.served, request, p, nullptr, response);
    benchmark::DoNotOptimize(response.body.data());
  }
}

void serve_mlflow(benchmark::State& state, ServedRow& r) {
  for (auto _ : state) {
    const auto request = shipml::serve::mlflow::decode(*r.served.model, "application/json", r.mlflow_body);
    const shipml::Predictions p = r.served.model->predict(request.input);
    r.served.drift->observe(request.input, p);
    benchmark::DoNotOptimize(shipml::serve::mlflow::encode(p).data());
  }
}

void BM_ServeOneRowV2_Churn19(benchmark::State& state) { serve_v2(state, churn19()); }
void BM_ServeOneRowV2_Wide57(benchmark::State& state) { serve_v2(state, wide57()); }
void BM_ServeOneRowMlflow_Churn19(benchmark::State& state) { serve_mlflow(state, churn19()); }
void BM_ServeOneRowMlflow_Wide57(benchmark::State& state) { serve_mlflow(state, wide57()); }
BENCHMARK(BM_ServeOneRowV2_Churn19);
BENCHMARK(BM_ServeOneRowV2_Wide57);
BENCHMARK(BM_ServeOneRowMlflow_Churn19);
BENCHMARK(BM_ServeOneRowMlflow_Wide57);

}  // namespace

BENCHMARK_MAIN();
