// One shipml measurement for bench/trees.sh: trains on train.csv, predicts
// test.csv, prints one JSON line with fit and predict seconds, the test metric
// (ROC AUC or accuracy for classes, R² for values) and memory.
//
//   bench_fit_predict TRAIN TEST TARGET ESTIMATOR|SPEC.yaml [name=value ...]
#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>

#include "shipml/shipml.hpp"

namespace {

// Resident and peak resident memory of this process, in MB (Linux).
std::pair<double, double> memory_mb() {
  std::ifstream status("/proc/self/status");
  double rss = 0, peak = 0;
  for (std::string line; std::getline(status, line);) {
    if (line.rfind("VmRSS:", 0) == 0) rss = std::stod(line.substr(6)) / 1024;
    if (line.rfind("VmHWM:", 0) == 0) peak = std::stod(line.substr(6)) / 1024;
  }
  return {rss, peak};
}

double seconds(std::chrono::steady_clock::time_point since) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - since).count();
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 5) {
    std::cerr << "usage: bench_fit_predict TRAIN TEST TARGET ESTIMATOR [name=value ...]\n";
    return 2;
  }
  std::map<std::string, std::string> params;
  for (int i = 5; i < argc; ++i) params.insert(shipml::parse_assignment(argv[i]));
  const shipml::Dataset train = shipml::read_dataset(argv[1], argv[3]);
  const shipml::Dataset test = shipml::read_dataset(argv[2], argv[3]);
  const shipml::Frame test_features = test.features();

  std::ofstream("/proc/self/clear_refs") << "5";  // restart the peak-RSS counter here
  const double loaded_mb = memory_mb().first;
  // An estimator's name, or a model spec file with a pipeline.
  const std::string what = argv[4];
  shipml::Model model = what.ends_with(".yaml") || what.ends_with(".json") ? shipml::read_model_spec(what, params)
                                                                           : shipml::Model(what, params);
  auto start = std::chrono::steady_clock::now();
  model.fit(train);
  const double fit_s = seconds(start);
  const double peak_mb = memory_mb().second;

  start = std::chrono::steady_clock::now();
  const shipml::Predictions p = model.predict(test_features);
  const double predict_s = seconds(start);

  // BENCH_PREDICT_REPEATS=n: the same batch predicted n more times, the median
  // of those as predict_again_s. The first call pays for touching fresh memory
  // (page faults, costly in a virtual machine); the later ones show the work.
  std::vector<double> again;
  const char* repeats = std::getenv("BENCH_PREDICT_REPEATS");
  for (int i = 0; repeats && i < std::atoi(repeats); ++i) {
    start = std::chrono::steady_clock::now();
    (void)model.predict(test_features);
    again.push_back(seconds(start));
  }

  nlohmann::json out = {{"tool", "shipml"},     {"fit_s", fit_s},           {"predict_s", predict_s},
                        {"data_mb", loaded_mb}, {"train_peak_mb", peak_mb}, {"train_extra_mb", peak_mb - loaded_mb}};
  if (!again.empty()) {
    std::nth_element(again.begin(), again.begin() + again.size() / 2, again.end());
    out["predict_again_s"] = again[again.size() / 2];
  }
  if (p.task == shipml::Task::classification) {
    const auto truth = shipml::class_indices(test.labels(), p.classes);
    const std::vector<int> pred(p.values.begin(), p.values.end());
    out["accuracy"] = shipml::accuracy_score(truth, pred);
    out["auc"] = shipml::roc_auc_score(truth, p.proba);
  } else {
    out["r2"] = shipml::r2_score(shipml::target_values(test.labels()), p.values);
  }
  // The training loss (log loss or mean squared error on the training rows), to
  // show that both tools reached the same optimum; not for neighbours (costly, and no optimum).
  if (model.estimator() == "logistic" || model.estimator() == "elastic_net" || model.estimator() == "lasso") {
    const shipml::Predictions fitted = model.predict(train.features());
    if (fitted.task == shipml::Task::classification)
      out["train_loss"] = shipml::log_loss(shipml::class_indices(train.labels(), fitted.classes), fitted.proba);
    else out["train_loss"] = shipml::mean_squared_error(shipml::target_values(train.labels()), fitted.values);
  }
  std::cout << out.dump() << std::endl;
}
