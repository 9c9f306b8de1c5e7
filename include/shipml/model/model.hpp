#pragma once
// Model: the one thing users train, score, save, load and predict with, from C++,
// Python, the command line and REST. It is an estimator plus everything needed to
// use it on new data: the input schema, the fitted default preprocessing, the
// task and classes, and metadata.
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "shipml/core/export.hpp"
#include "shipml/data/dataset.hpp"
#include "shipml/estimators/estimator.hpp"
#include "shipml/model/encoder.hpp"
#include "shipml/model/schema.hpp"
#include "shipml/preprocess/pipeline.hpp"

namespace shipml {

/// What a model says about some rows.
struct SHIPML_API Predictions {
  Task task = Task::regression;
  std::vector<double> values;        // regression value, or class index
  Matrix proba;                      // classification: one column per class
  std::vector<std::string> classes;  // classification: class labels

  /// The prediction of row i as text: the class label or the number.
  std::string label(std::size_t i) const;
};

struct SHIPML_API FitOptions {
  std::optional<Task> task;                   // inferred from the target when not given
  std::vector<std::string> classes;           // all classes, when training on a subset (CV folds)
};

class SHIPML_API Model {
 public:
  /// An unfitted model of the named estimator, after the pipeline `steps` (none:
  /// the estimator alone). Parameters are validated now; "step.param" keys set
  /// a step's parameter.
  explicit Model(const std::string& estimator, const std::map<std::string, std::string>& params = {},
                 std::vector<StepSpec> steps = {});
  Model(Model&&) noexcept;
  Model& operator=(Model&&) noexcept;
  ~Model();

  const std::string& estimator() const { return info_->name; }
  const EstimatorInfo& info() const { return *info_; }
  /// The estimator's parameters.
  const Params& params() const { return params_; }
  /// The estimator's parameters and every step's, as "step.param".
  std::map<std::string, std::string> all_params() const;
  const Pipeline& pipeline() const { return pipeline_; }
  /// An unfitted copy with the same parameters.
  Model clone() const;
  /// An unfitted copy with some parameters changed (estimator's, or "step.param").
  Model with(const std::map<std::string, std::string>& changes) const;

  /// Trains on all rows. Nothing else happens: recording the training as a
  /// run is the caller's choice (shipml/track/recorded.hpp does it).
  void fit(const Frame& features, const Column& target, const FitOptions& options = {});
  /// The same, noting where the data came from in the metadata.
  void fit(const Dataset& data, const FitOptions& options = {});
  bool fitted() const { return learner_ != nullptr; }

  /// Predictions (and class probabilities) for `features`. Thread-safe.
  Predictions predict(const Frame& features) const;
  Matrix predict_proba(const Frame& features) const;

  Task task() const;
  const std::vector<std::string>& classes() const { return classes_; }
  const Schema& schema() const { return schema_; }
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
  const nlohmann::json& metadata() const { return metadata_; }

  void save(const std::string& path) const;
  static Model load(const std::string& path);

 private:
  friend struct ModelFile;
  Model() = default;
  void require_fitted(const char* what) const;
  FeatureMatrix encode(const Frame& features) const;

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
  nlohmann::json metadata_ = nlohmann::json::object();
};

}  // namespace shipml
