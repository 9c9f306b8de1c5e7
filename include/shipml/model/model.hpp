#pragma once
/// \file
/// Model: the one thing users train, score, save, load and predict with, from C++,
/// Python, the command line and REST. It is an estimator plus everything needed to
/// use it on new data: the input schema, the fitted default preprocessing, the
/// task and classes, and metadata.
#include <limits>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "shipml/core/export.hpp"
#include "shipml/data/dataset.hpp"
#include "shipml/estimators/estimator.hpp"
#include "shipml/model/calibration.hpp"
#include "shipml/model/contributions.hpp"
#include "shipml/model/drift.hpp"
#include "shipml/model/encoder.hpp"
#include "shipml/model/schema.hpp"
#include "shipml/model/threshold.hpp"
#include "shipml/preprocess/pipeline.hpp"

namespace shipml {

class CsvChunks;

/// What a model says about some rows.
struct SHIPML_API Predictions {
  Task task = Task::regression;      ///< classification or regression
  std::vector<double> values;        ///< regression value, or class index
  Matrix proba;                      ///< classification: one column per class
  std::vector<std::string> classes;  ///< classification: class labels

  /// The prediction of row i as text: the class label or the number.
  std::string label(std::size_t i) const;
  /// The predictions as a column: class labels (classification) or values.
  Column column(std::string name) const;
};

/// How Model::fit reads the target, and how much each row counts.
struct SHIPML_API FitOptions {
  std::optional<Task> task;          ///< inferred from the target when not given
  std::vector<std::string> classes;  ///< all classes, when training on a subset (CV folds)
  /// One weight per row (scikit-learn's sample_weight): finite, >= 0, not all
  /// 0. Empty: every row counts once. Fitting from a Dataset takes them from
  /// its weight column when this is empty.
  std::vector<double> weights;
  /// Keep the training distribution of the inputs and predictions in the model
  /// (drift_reference()); off for the many fits of cross-validation, whose models are not kept.
  bool drift_reference = true;
};

/// A trained (or still untrained) estimator plus everything needed to use it on
/// new data: the input schema, the fitted default preprocessing, the task and
/// classes, and metadata. A classifier may be calibrated and, with two
/// classes, decide by a threshold: both wrap the learner here, at the model,
/// so every estimator gets them and the estimator contract does not change.
class SHIPML_API Model {
 public:
  /// An unfitted model of the named estimator, after the pipeline `steps` (none:
  /// the estimator alone). Parameters are validated now; "step.param" keys set
  /// a step's parameter.
  explicit Model(const std::string& estimator, const std::map<std::string, std::string>& params = {},
                 std::vector<StepSpec> steps = {});
  /// Moves a model, fitted or not; copies are made with clone().
  Model(Model&&) noexcept;
  /// Moves a model into this one.
  Model& operator=(Model&&) noexcept;
  /// Frees the model and its learner.
  ~Model();

  /// The estimator's name.
  const std::string& estimator() const { return info_->name; }
  /// The estimator's declaration.
  const EstimatorInfo& info() const { return *info_; }
  /// The estimator's parameters.
  const Params& params() const { return params_; }
  /// The estimator's parameters and every step's, as "step.param".
  std::map<std::string, std::string> all_params() const;
  /// The pipeline before the learner (empty: none).
  const Pipeline& pipeline() const { return pipeline_; }
  /// An unfitted copy with the same parameters.
  Model clone() const;
  /// An unfitted copy with some parameters changed (estimator's, or "step.param").
  /// Calibration and threshold carry over.
  Model with(const std::map<std::string, std::string>& changes) const;

  /// An unfitted copy whose class probabilities are calibrated, as scikit-learn's
  /// CalibratedClassifierCV(method, cv=folds, ensemble=False): fit() predicts
  /// each of `spec.folds` stratified folds of the training rows (seeded by the
  /// estimator's `seed` parameter, or 0) with a copy fitted on the others,
  /// fits the calibrator on those out-of-fold predictions, then fits the
  /// estimator on every row. Classification only (refused at fit otherwise).
  Model calibrated(const CalibrationSpec& spec) const;
  /// An unfitted copy that predicts the positive class (the second) when its
  /// probability is at least a threshold: `spec.value`, or the one that
  /// maximises `spec.metric` over `spec.folds` folds (tune_threshold), chosen at
  /// fit. Probabilities do not change. Binary classification only.
  Model with_threshold(const ThresholdSpec& spec) const;
  /// An unfitted copy without calibration or threshold: the estimator (after its pipeline) alone.
  Model unwrapped() const;
  /// How it is calibrated, if it is.
  const std::optional<CalibrationSpec>& calibration() const { return calibration_spec_; }
  /// How its threshold is chosen, if it has one.
  const std::optional<ThresholdSpec>& threshold() const { return threshold_spec_; }
  /// The fitted threshold, if it has one (after fit or load).
  std::optional<double> decision_threshold() const { return threshold_; }
  /// A tuned threshold's cross-validated score (NaN when fixed or unknown).
  double threshold_score() const { return threshold_score_; }
  /// Calibration and threshold as run-record parameters: "calibrate",
  /// "calibration_cv", "threshold", "threshold_cv" (empty without them).
  std::map<std::string, std::string> decision_params() const;

  /// Trains on all rows. Nothing else happens: recording the training as a
  /// run is the caller's choice (shipml/track/recorded.hpp does it).
  void fit(const Frame& features, const Column& target, const FitOptions& options = {});
  /// The same, noting where the data came from in the metadata; rows are
  /// weighted by the data's weight column, if it has one.
  void fit(const Dataset& data, const FitOptions& options = {});
  /// Trains on rows read in chunks (io/csv_chunks.hpp), which may be only this
  /// rank's share of a job over `ranks` (every rank calls it, with its own
  /// rows): the schema, classes and dictionaries are merged over every chunk
  /// and rank as one process would read them from the whole data, then the
  /// learner trains with Estimator::fit_partitioned. Every rank ends with the
  /// same model. With one rank and one chunk it equals fit() on the same rows
  /// (the metadata adds `ranks`). A bad chunk on one rank is a
  /// DistributedError on every rank. Refused: pipelines, calibration,
  /// thresholds, weights and learners of one-hot input (docs/distributed.md).
  void fit_partitioned(const CsvChunks& data, const std::string& target, const FitOptions& options,
                       Communicator& ranks);
  /// Whether it has been fitted (or loaded).
  bool fitted() const { return learner_ != nullptr; }

  /// Predictions (and class probabilities) for `features`. Thread-safe.
  Predictions predict(const Frame& features) const;
  /// Class probabilities for `features`, rows x classes in the order of classes(). Thread-safe.
  Matrix predict_proba(const Frame& features) const;
  /// The learner's own probabilities, before calibration (what a calibration
  /// chart compares with); predict_proba() for a model without calibration.
  Matrix predict_proba_uncalibrated(const Frame& features) const;

  /// The raw output that contributions() explains, rows x outputs (one output
  /// for regression and two classes, one per class otherwise): the value (its
  /// log for hist_gbdt's poisson loss); log-odds of the second class for
  /// logistic, hist_gbdt and xgboost, their softmax's scores with more
  /// classes; the probabilities for forests, decision_tree, knn and
  /// gaussian_nb. Before calibration. Thread-safe.
  Matrix raw_output(const Frame& features) const;
  /// Each row's raw output split into one contribution per input column
  /// (docs/explain.md): exact TreeSHAP for tree learners, exact linear
  /// contributions for linear ones, XGBoost's own for xgboost, sampled for knn
  /// and gaussian_nb. The rows go through the schema, the pipeline and the
  /// encoder as predict() sends them. Thread-safe.
  Contributions contributions(const Frame& features, const ExplainOptions& options = {}) const;

  /// How the training data was distributed, per input column and for the
  /// predictions (docs/drift.md); null for a model file written before shipml
  /// kept it, or fitted with FitOptions::drift_reference off.
  std::shared_ptr<const DriftReference> drift_reference() const { return drift_reference_; }
  /// How far `rows` have drifted from the training data: each column's and
  /// the predictions' (the model predicts the rows). A ModelError without a reference.
  DriftReport drift(const Frame& rows, const DriftThresholds& thresholds = {}) const;

  /// Classification or regression; a ModelError before fitting.
  Task task() const;
  /// Class labels, in the order of the probability columns (classification).
  const std::vector<std::string>& classes() const { return classes_; }
  /// The input schema it was trained on.
  const Schema& schema() const { return schema_; }
  /// Name of the target column it was trained on.
  const std::string& target() const { return target_; }
  /// Names of the encoded features the learner sees.
  const std::vector<std::string>& encoded_features() const { return encoder_.output_names(); }
  /// For each encoded feature, the index of the schema field it comes from
  /// (through the pipeline's steps, when there are any).
  std::vector<std::size_t> encoded_sources() const;
  /// What the learner learned (coefficients, importances, ...).
  nlohmann::json inspect() const;
  /// Tree learners: every tree as nested JSON, categories by name; null otherwise.
  nlohmann::json dump_trees() const;

  /// Free-form metadata saved with the model: training data summary, metrics.
  nlohmann::json& metadata() { return metadata_; }
  /// The same, read-only.
  const nlohmann::json& metadata() const { return metadata_; }

  /// Writes the model file to `path`, atomically. An existing file there that is
  /// not a shipml model (a mistyped path onto the user's data) is kept and a
  /// UsageError raised, unless `force`.
  void save(const std::string& path, bool force = false) const;
  /// Reads a model file; a FileError or a ModelError naming the file when it cannot be used.
  static Model load(const std::string& path);

 private:
  friend struct ModelFile;
  Model() = default;
  void require_fitted(const char* what) const;
  FeatureMatrix encode(const Frame& features) const;
  Matrix decided_proba(const FeatureMatrix& X) const;
  void fit_with_decision(const Frame& features, const Column& target, const FitOptions& options);
  void cross_fit_calibrator(const Frame& features, const Column& target, std::span<const int> y);
  void choose_threshold(const Frame& features, const Column& target, std::span<const int> y);
  std::uint64_t fold_seed() const;
  void keep_drift_reference(const Frame& features);

  const EstimatorInfo* info_ = nullptr;
  Params params_;
  std::unique_ptr<Estimator> learner_;
  Task task_ = Task::regression;
  std::vector<std::string> classes_;
  std::string target_;
  Schema schema_;
  Pipeline pipeline_;
  Schema pipeline_schema_;  // what the steps give the encoder (with a pipeline)
  FeatureEncoder encoder_;
  // The training mean of each encoded feature (weighted as the fit was), which
  // linear learners explain from; kept for one-hot encodings. Empty when the
  // model file predates them.
  std::vector<double> encoded_means_;
  nlohmann::json metadata_ = nlohmann::json::object();
  std::optional<CalibrationSpec> calibration_spec_;
  std::optional<ThresholdSpec> threshold_spec_;
  std::optional<Calibrator> calibrator_;  // fitted
  std::optional<double> threshold_;       // fitted
  double threshold_score_ = std::numeric_limits<double>::quiet_NaN();
  std::shared_ptr<const DriftReference> drift_reference_;  // shared by copies: it never changes
};

}  // namespace shipml
