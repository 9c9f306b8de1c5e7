#pragma once
// Scoring: fit on training rows, measure on held-out rows, for one split or for
// every fold of a cross-validation. Classification splits are stratified.
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "shipml/data/split.hpp"
#include "shipml/model/model.hpp"

namespace shipml {

struct Validation {
  double test_size = 0.25;     // used when folds == 0
  int folds = 0;               // K-fold cross-validation when >= 2
  std::uint64_t seed = 42;
  std::optional<Task> task;    // inferred from the target when not given
  int threads = 0;             // folds scored at once; 0 = all cores
};

struct FoldResult {
  std::size_t train_rows = 0, test_rows = 0;
  double fit_seconds = 0, predict_seconds = 0;
  std::map<std::string, double> metrics;
};

struct Result {
  std::string estimator;
  std::map<std::string, std::string> params;
  Task task = Task::regression;
  std::vector<std::string> classes;
  std::string validation;  // in words: "hold-out 25%, stratified" or "5-fold CV, stratified"
  std::uint64_t seed = 0;
  std::vector<std::string> metric_names;
  std::vector<FoldResult> folds;

  double mean(const std::string& metric) const;
  /// Sample standard deviation over folds (0 for a single split).
  double stddev(const std::string& metric) const;
  /// A text table: one row per metric, one column per fold, then mean and std.
  std::string table() const;
  nlohmann::json to_json() const;
};

/// Scores a copy of `prototype` (it stays unfitted) on `data`.
Result score(const Model& prototype, const Dataset& data, const Validation& validation = {},
             std::vector<std::string> metric_names = {});

}  // namespace shipml
