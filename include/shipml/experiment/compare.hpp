#pragma once
/// \file
/// Comparing models on exactly the same folds: a leaderboard sorted by one
/// metric, best first, with every metric's mean and spread.
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "shipml/core/export.hpp"
#include "shipml/model/scoring.hpp"

namespace shipml {

/// Models ranked on the same folds: what compare() gives.
struct SHIPML_API Leaderboard {
  std::string metric;               ///< what the ranking is by
  bool greater_is_better = true;    ///< whether a larger metric is better
  std::vector<Result> entries;      ///< best first
  std::string validation;           ///< the validation, in words
  std::optional<Model> best_model;  ///< with refit: the best, fit on all rows
  std::string run_id;               ///< its run record, when tracking is on

  /// Rank, estimator, the metric's mean ± std, the other metrics' means, fit seconds.
  std::string table() const;
  /// As JSON: the metric, the validation and every entry with its rank.
  nlohmann::json to_json() const;
};

/// The models a first comparison of a task should hold, each with its defaults:
/// a linear model, a forest, boosting and nearest neighbours (logistic,
/// random_forest, hist_gbdt and knn for classification; linear, random_forest,
/// hist_gbdt and knn for regression). What `shipml compare` scores when no
/// estimator is named.
SHIPML_API std::vector<Model> baseline_models(Task task);

/// Scores every model on the same folds of `data` (in parallel over models and
/// folds) and ranks them by `metric` (default: the first of `metrics`, or the
/// task's usual first). With `refit`, the best is then fit on all rows. Recorded
/// as a "compare" run (leaderboard and best model as artifacts).
SHIPML_API Leaderboard compare(const std::vector<Model>& models, const Dataset& data, const Validation& validation = {},
                               std::vector<std::string> metrics = {}, std::string metric = "", bool refit = false);

}  // namespace shipml
