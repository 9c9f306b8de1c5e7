#include "shipml/model/model.hpp"

#include <chrono>
#include <cmath>
#include <cstring>
#include <functional>
#include <future>
#include <optional>

#include "shipml/core/error.hpp"
#include "shipml/core/hash.hpp"
#include "shipml/core/parallel.hpp"

namespace shipml {

std::string Predictions::label(std::size_t i) const {
  return task == Task::classification ? classes[static_cast<std::size_t>(values[i])] : format_number(values[i]);
}

Model::Model(const std::string& estimator, const std::map<std::string, std::string>& params,
             std::vector<StepSpec> steps)
    : info_(&find_estimator(estimator)), pipeline_(std::move(steps)) {
  std::map<std::string, std::string> own;
  for (const auto& [k, v] : params) {
    if (pipeline_.addresses(k)) pipeline_.set(k, v);
    else own[k] = v;
  }
  params_ = Params::validate(estimator, info_->params, own);
}
Model::Model(Model&&) noexcept = default;
Model& Model::operator=(Model&&) noexcept = default;
Model::~Model() = default;

Model Model::clone() const {
  Model m = unwrapped();
  m.calibration_spec_ = calibration_spec_;
  m.threshold_spec_ = threshold_spec_;
  return m;
}

Model Model::unwrapped() const {
  Model m;
  m.info_ = info_;
  m.params_ = params_;
  m.pipeline_ = pipeline_.unfitted();
  return m;
}

Model Model::with(const std::map<std::string, std::string>& changes) const {
  auto params = params_.values();
  for (const auto& [k, v] : changes) params[k] = v;
  Model m(info_->name, params, pipeline_.specs());
  m.calibration_spec_ = calibration_spec_;
  m.threshold_spec_ = threshold_spec_;
  return m;
}

Model Model::calibrated(const CalibrationSpec& spec) const {
  if (spec.folds < 2)
    throw UsageError("calibration needs at least 2 folds of out-of-fold predictions, got " +
                     std::to_string(spec.folds));
  if (!info_->supports(Task::classification))
    throw UsageError(info_->name + " does not do classification: only a classifier's probabilities are calibrated");
  Model m = clone();
  m.calibration_spec_ = spec;
  return m;
}

Model Model::with_threshold(const ThresholdSpec& spec) const {
  spec.check();
  if (!info_->supports(Task::classification))
    throw UsageError(info_->name + " does not do classification: a decision threshold is a binary classifier's");
  Model m = clone();
  m.threshold_spec_ = spec;
  return m;
}

std::map<std::string, std::string> Model::decision_params() const {
  std::map<std::string, std::string> out;
  if (calibration_spec_) {
    out["calibrate"] = to_string(calibration_spec_->method);
    out["calibration_cv"] = std::to_string(calibration_spec_->folds);
  }
  if (threshold_spec_) {
    out["threshold"] = threshold_spec_->to_string();
    if (threshold_spec_->tuned()) out["threshold_cv"] = std::to_string(threshold_spec_->folds);
  }
  return out;
}

std::map<std::string, std::string> Model::all_params() const {
  auto out = params_.values();
  for (const auto& [k, v] : pipeline_.param_values()) out[k] = v;
  return out;
}

std::vector<std::size_t> Model::encoded_sources() const {
  std::vector<std::size_t> out = encoder_.sources();
  if (!pipeline_.empty())
    for (auto& j : out) j = pipeline_.lineage().at(j);
  return out;
}

namespace {

// Data sets of this many values or more are fingerprinted on a thread of their
// own (see fit()); below, a thread costs more than it saves.
constexpr std::size_t kValuesToHashBeside = std::size_t{1} << 22;

// The first row whose output is not a number, if any.
std::optional<std::size_t> first_not_finite(const double* values, std::size_t rows, std::size_t per_row) {
  for (std::size_t i = 0; i < rows * per_row; ++i)
    if (!std::isfinite(values[i])) return i % rows;  // column-major: the row is the index within a column
  return std::nullopt;
}

// A fit that diverged (values too large for the learner's arithmetic, such as
// 1e308) leaves parameters that are not numbers, and a model that answers NaN:
// refused here, on the first training rows, before anything can save it.
void refuse_diverged(const Estimator& learner, const FeatureMatrix& X, Task task) {
  FeatureMatrix head = X;  // shares the columns
  head.set_rows(std::min<std::size_t>(X.rows(), 64));
  const Matrix proba = task == Task::classification ? learner.predict_proba(head) : Matrix();
  const std::vector<double> values = task == Task::classification ? std::vector<double>() : learner.predict(head);
  if (task == Task::classification ? first_not_finite(proba.data(), head.rows(), static_cast<std::size_t>(proba.cols()))
                                   : first_not_finite(values.data(), head.rows(), 1))
    throw DataError("the fit failed: the model's outputs on its own training rows are not numbers (its parameters "
                    "overflowed; values as large as 1e308 do that: scale or clip them, or choose a scaling step)");
}

// A prediction is a number, or an error that says why it is not.
void refuse_not_finite(const double* values, std::size_t rows, std::size_t per_row) {
  if (const auto row = first_not_finite(values, rows, per_row))
    throw DataError("row " + std::to_string(*row + 1) + ": the model's prediction is not a number (the row's values " +
                    "are beyond what the model's arithmetic holds, such as 1e308; scale or clip them)");
}

// The mean of each encoded column over the training rows, weighted as the fit is.
std::vector<double> column_means(const FeatureMatrix& X, std::span<const double> weights) {
  std::vector<double> means(X.cols(), 0.0);
  double total = 0;
  for (std::size_t i = 0; i < X.rows(); ++i) total += weights.empty() ? 1.0 : weights[i];
  for (std::size_t j = 0; j < X.cols(); ++j) {
    const double* x = X.column(j);
    double sum = 0;
    for (std::size_t i = 0; i < X.rows(); ++i) sum += (weights.empty() ? 1.0 : weights[i]) * x[i];
    means[j] = sum / total;
  }
  return means;
}

}  // namespace

void Model::fit(const Dataset& data, const FitOptions& options) {
  if (options.weights.empty() && !data.weight.empty()) {
    FitOptions weighted = options;
    weighted.weights = data.weights();
    fit(data.features(), data.labels(), weighted);
    metadata_["training"]["weight"] = data.weight;
  } else {
    fit(data.features(), data.labels(), options);
  }
  if (!data.source.empty()) metadata_["training"]["source"] = data.source;
}

void Model::fit(const Frame& features, const Column& target, const FitOptions& options) {
  if (calibration_spec_ || threshold_spec_) return fit_with_decision(features, target, options);
  if (features.cols() == 0) throw DataError("no feature columns to train on");
  if (features.rows() == 0) throw DataError("no rows to train on");
  check_weights(options.weights, features.rows(), "the weights");
  const std::span<const double> weights = options.weights;
  const Task task = options.task ? *options.task : infer_task(target);
  if (!info_->supports(task))
    throw UsageError(info_->name + " does not do " + std::string(to_string(task)) + " (target '" + target.name() +
                     "' looks like " + std::string(to_string(task)) + "; pass the task explicitly if it is not)");
  std::vector<double> y;
  std::vector<std::string> classes;
  if (task == Task::classification) {
    classes = options.classes.empty() ? class_labels(target) : options.classes;
    const std::vector<int> idx = class_indices(target, classes);
    std::vector<bool> seen(classes.size(), false);
    for (std::size_t i = 0; i < idx.size(); ++i) {
      if (idx[i] < 0)
        throw DataError("target value '" + target.text(i) + "' at row " + std::to_string(i + 1) +
                        " is not one of the classes");
      // A class whose rows all weigh 0 is not learned from: it is not seen.
      if (weights.empty() || weights[i] > 0) seen[static_cast<std::size_t>(idx[i])] = true;
      y.push_back(idx[i]);
    }
    if (std::count(seen.begin(), seen.end(), true) < 2) {
      const auto first = std::find(seen.begin(), seen.end(), true);
      throw DataError(
          "target '" + target.name() + "' has one class in the training rows" +
          (weights.empty() ? "" : " of positive weight") +
          (first == seen.end() ? "" : " ('" + classes[static_cast<std::size_t>(first - seen.begin())] + "')") +
          "; a classifier needs at least two");
    }
  } else {
    y = target_values(target);
  }

  Schema schema = Schema::of(features);
  FeatureEncoder encoder(info_->encoding);
  const Frame conformed = schema.conform(features);
  Pipeline pipeline = pipeline_.unfitted();
  Schema pipeline_schema;
  Frame prepared = conformed;
  if (!pipeline.empty()) {
    prepared = pipeline.fit_transform(conformed, {.target = &target, .task = task, .classes = classes, .seed = 0});
    if (prepared.cols() == 0)
      throw UsageError("the pipeline's steps leave no columns for " + info_->name + " to learn from");
    pipeline_schema = Schema::of(prepared);
    schema.refuse_unseen(pipeline.strict_columns(schema.names()));
  }
  encoder.fit(prepared, pipeline.empty());
  const FeatureMatrix X = encoder.transform(prepared);
  auto learner = info_->create(params_, task);
  const auto start = std::chrono::steady_clock::now();
  learner->fit(X, y, task == Task::classification ? static_cast<int>(classes.size()) : 0, weights);
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  refuse_diverged(*learner, X, task);
  // Linear learners explain from the training mean; one-hot encodings are theirs (and knn's, gaussian_nb's).
  std::vector<double> encoded_means =
      info_->encoding == InputEncoding::one_hot_scaled ? column_means(X, weights) : std::vector<double>();

  task_ = task;
  classes_ = std::move(classes);
  target_ = target.name();
  schema_ = std::move(schema);
  pipeline_ = std::move(pipeline);
  pipeline_schema_ = std::move(pipeline_schema);
  encoder_ = std::move(encoder);
  encoded_means_ = std::move(encoded_means);
  learner_ = std::move(learner);
  // The fingerprint hashes every value in one serial chain (0.1 s for 47
  // million) and the drift reference reads a sample of every column: on a
  // large data set the two run side by side.
  const bool beside = features.rows() * features.cols() >= kValuesToHashBeside && !inside_parallel_work();
  std::future<std::string> print =
      std::async(beside ? std::launch::async : std::launch::deferred, [&] { return fingerprint(features, target); });
  drift_reference_.reset();
  if (options.drift_reference) keep_drift_reference(features);
  metadata_ = nlohmann::json::object();
  metadata_["training"] = {{"rows", features.rows()},
                           {"columns", features.cols()},
                           {"target_type", to_string(target.type())},
                           {"fingerprint", print.get()},
                           {"fit_seconds", seconds}};
  if (!weights.empty()) metadata_["training"]["weighted"] = true;
}

void Model::require_fitted(const char* what) const {
  if (!learner_) throw ModelError(info_->name + ": cannot " + what + " before the model is fitted");
}

Task Model::task() const {
  require_fitted("tell its task");
  return task_;
}

FeatureMatrix Model::encode(const Frame& features) const {
  const Frame conformed = schema_.conform(features);
  // Not `empty() ? conformed : transform(...)`: that copies the frame, column by column.
  if (pipeline_.empty()) return encoder_.transform(conformed);
  return encoder_.transform(pipeline_.transform(conformed));
}

Matrix Model::decided_proba(const FeatureMatrix& X) const {
  Matrix proba = learner_->predict_proba(X);
  return calibrator_ ? calibrator_->apply(proba) : proba;
}

Predictions Model::predict(const Frame& features) const {
  require_fitted("predict");
  const FeatureMatrix X = encode(features);
  Predictions p;
  p.task = task_;
  if (task_ == Task::classification) {
    p.classes = classes_;
    p.proba = decided_proba(X);
    p.values.resize(X.rows());
    for (Eigen::Index i = 0; i < p.proba.rows(); ++i) {
      Eigen::Index best = 0;
      if (threshold_) best = p.proba(i, 1) >= *threshold_ ? 1 : 0;  // the second class is the positive one
      else p.proba.row(i).maxCoeff(&best);
      p.values[static_cast<std::size_t>(i)] = static_cast<double>(best);
    }
  } else {
    p.values = learner_->predict(X);
  }
  refuse_not_finite(task_ == Task::classification ? p.proba.data() : p.values.data(), X.rows(),
                    task_ == Task::classification ? p.classes.size() : 1);
  return p;
}

Matrix Model::predict_proba(const Frame& features) const {
  require_fitted("predict probabilities");
  if (task_ != Task::classification) throw UsageError(info_->name + ": a regression model has no class probabilities");
  Matrix proba = decided_proba(encode(features));
  refuse_not_finite(proba.data(), static_cast<std::size_t>(proba.rows()), static_cast<std::size_t>(proba.cols()));
  return proba;
}

Matrix Model::predict_proba_uncalibrated(const Frame& features) const {
  require_fitted("predict probabilities");
  if (task_ != Task::classification) throw UsageError(info_->name + ": a regression model has no class probabilities");
  Matrix proba = learner_->predict_proba(encode(features));
  refuse_not_finite(proba.data(), static_cast<std::size_t>(proba.rows()), static_cast<std::size_t>(proba.cols()));
  return proba;
}

nlohmann::json Model::dump_trees() const {
  require_fitted("dump its trees");
  nlohmann::json trees = learner_->dump_trees(encoder_.output_names());
  // Category codes in splits become the category names of the schema.
  std::function<void(nlohmann::json&)> rename = [&](nlohmann::json& node) {
    if (!node.is_object()) return;
    if (node.contains("left_category_codes")) {
      for (const auto& field : (pipeline_.empty() ? schema_ : pipeline_schema_).fields()) {
        if (field.name != node["feature"] || !field.categories) continue;
        nlohmann::json names = nlohmann::json::array();
        for (const auto& code : node["left_category_codes"]) {
          const auto c = code.get<std::size_t>();
          names.push_back(c < field.categories->size() ? (*field.categories)[c] : std::to_string(c));
        }
        node["left_categories"] = names;
        node.erase("left_category_codes");
      }
    }
    for (const char* child : {"left", "right"})
      if (node.contains(child)) rename(node[child]);
  };
  if (trees.is_array())
    for (auto& t : trees) rename(t);
  return trees;
}

nlohmann::json Model::inspect() const {
  require_fitted("be inspected");
  nlohmann::json j = learner_->inspect(encoder_.output_names(), classes_);
  j["preprocessing"] = encoder_.describe();
  if (!pipeline_.empty()) j["pipeline"] = pipeline_.to_json();
  if (calibrator_) {
    j["calibration"] = calibrator_->describe(classes_);
    j["calibration"]["cv"] = calibration_spec_ ? calibration_spec_->folds : 0;
  }
  if (threshold_) {
    j["threshold"] = {{"value", *threshold_}, {"positive_class", classes_.at(1)}};
    if (threshold_spec_ && threshold_spec_->tuned()) {
      j["threshold"]["tuned_for"] = threshold_spec_->metric;
      j["threshold"]["cv"] = threshold_spec_->folds;
      j["threshold"]["cv_score"] = std::isfinite(threshold_score_) ? nlohmann::json(threshold_score_) : nullptr;
    }
  }
  return j;
}

}  // namespace shipml
