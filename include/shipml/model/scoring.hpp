#pragma once
/// \file
/// Scoring: fit on training rows, measure on held-out rows, for one split or for
/// every fold of a cross-validation. Classification splits are stratified.
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "shipml/core/export.hpp"
#include "shipml/data/split.hpp"
#include "shipml/metrics/metrics.hpp"
#include "shipml/model/model.hpp"
#include "shipml/model/validation.hpp"

namespace shipml {

/// One fold's scores, timings and (when kept) held-out predictions.
struct SHIPML_API FoldResult {
  /// Rows trained on.
  std::size_t train_rows = 0, test_rows = 0;  ///< rows measured on
  /// Seconds spent fitting.
  double fit_seconds = 0, predict_seconds = 0;  ///< seconds spent predicting the test rows
  std::map<std::string, double> metrics;        ///< metric name -> value on the test rows
  /// The data rows predicted, when held-out predictions are kept (searches keep only scores).
  std::vector<std::size_t> rows;
  Evaluation held_out;  ///< their truth, predictions and probabilities
  /// A calibrated model's: the same rows' probabilities before calibration (empty otherwise).
  Matrix uncalibrated;
};

/// Every kept held-out prediction of a result, folds one after another: what
/// plots of a scored model are drawn from, with no refit.
struct SHIPML_API HeldOutPredictions {
  std::vector<std::size_t> rows;     ///< data row of each prediction
  std::vector<std::size_t> fold;     ///< the fold it was held out in
  std::vector<std::string> classes;  ///< class labels (classification)
  Evaluation evaluation;             ///< their truth, predictions and probabilities, in the same order
  /// A calibrated model's probabilities before calibration, in the same order
  /// (empty otherwise): what a calibration chart shows the calibration against.
  Matrix uncalibrated;

  /// Number of predictions.
  std::size_t size() const { return rows.size(); }
  /// One line per prediction: row, fold, truth, predicted (labels by name) and,
  /// for classification, `proba:<class>` per class (then `uncalibrated:<class>`
  /// per class for a calibrated model).
  std::string to_csv() const;
  /// Reads what to_csv() wrote; a DataError naming the line and column otherwise.
  static HeldOutPredictions from_csv(const std::string& text, const std::string& source);
};

/// Fewer test rows than this in a split or fold, and its score is mostly chance.
inline constexpr std::size_t kFewTestRows = 30;

/// A model's scores under one validation: metrics per fold, and what produced them.
struct SHIPML_API Result {
  std::string estimator;                      ///< the estimator's name
  std::map<std::string, std::string> params;  ///< every parameter, as text
  Task task = Task::regression;               ///< classification or regression
  std::vector<std::string> classes;           ///< class labels (classification)
  std::string validation;                     ///< in words: "hold-out 25%, stratified" or "5-fold CV, stratified"
  std::uint64_t seed = 0;                     ///< the seed of the split or folds
  std::vector<std::string> metric_names;      ///< the metrics, in report order
  std::vector<FoldResult> folds;              ///< one per fold (one for a hold-out split)
  std::string weight;                         ///< the weight column fits and metrics used (empty: none)
  std::string run_id;                         ///< its run record, when one was recorded (score_recorded)

  /// Mean of a metric over the folds.
  double mean(const std::string& metric) const;
  /// The kept held-out predictions of every fold (empty if none were kept).
  HeldOutPredictions held_out() const;
  /// Sample standard deviation over folds (0 for a single split).
  double stddev(const std::string& metric) const;
  /// What makes these scores doubtful, in words: a test set or fold of fewer
  /// than kFewTestRows rows, whose score is mostly chance. Empty when none.
  std::vector<std::string> warnings() const;
  /// A text table: one row per metric, one column per fold, then mean and std;
  /// then a "warning:" line for each of warnings().
  std::string table() const;
  /// As JSON: the settings, each fold's rows, timings and metrics, and each metric's mean and std.
  nlohmann::json to_json() const;
};

/// Scores a copy of `prototype` (it stays unfitted) on `data`. Nothing else
/// happens: recording it as a run is the caller's choice (shipml/track/recorded.hpp).
SHIPML_API Result score(const Model& prototype, const Dataset& data, const Validation& validation = {},
                        std::vector<std::string> metric_names = {});

/// How to score on `data`, worked out once: task, classes, the truth, the folds
/// and the metrics. Everything scored with one plan meets exactly the same rows,
/// which is what makes comparisons and searches fair.
struct SHIPML_API ScoringPlan {
  Task task = Task::regression;           ///< classification or regression
  std::vector<std::string> classes;       ///< class labels (classification)
  std::vector<double> truth;              ///< class index or value, per row
  std::vector<Fold> folds;                ///< the splits, one per fold
  std::vector<std::string> metric_names;  ///< the metrics measured
  std::string validation;                 ///< in words
  std::uint64_t seed = 0;                 ///< the seed of the split or folds
  Frame features;                         ///< the feature columns
  Column target;                          ///< the target column
  std::vector<double> weights;            ///< per row, from the weight column; empty: unweighted
  std::string weight;                     ///< the weight column (empty: none)
  bool keep_predictions = true;           ///< FoldResult::held_out filled by run_fold

  /// Works out the plan for `data` under `validation` (`metric_names` empty: the task's usual set).
  static ScoringPlan make(const Dataset& data, const Validation& validation,
                          std::vector<std::string> metric_names = {});
  /// Fits a copy of `prototype` on fold `f`'s training rows and measures it on
  /// its test rows, both weighted by the rows' weights when the plan has them. With `max_train_rows`, on that many of
  /// the training rows, drawn with `seed` (successive halving). `fitted`, when given, receives the fitted model
  /// (feature elimination reads it).
  FoldResult run_fold(const Model& prototype, std::size_t f, std::size_t max_train_rows = 0, std::uint64_t seed = 0,
                      Model* fitted = nullptr) const;
  /// The same plan (rows, folds, truth) seeing only these feature columns.
  ScoringPlan with_columns(const std::vector<std::size_t>& columns) const;
  /// An empty result for `prototype` under this plan (folds to be filled in).
  Result result_for(const Model& prototype) const;
};

}  // namespace shipml
