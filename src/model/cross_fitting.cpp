// What Model::fit does for a calibrated or thresholded model: the estimator on
// every training row, a calibrator on out-of-fold predictions of copies fitted
// on the other folds, and a threshold tuned on held-out folds of copies that
// are themselves calibrated inside their own training rows. Everything the
// calibrator and the threshold learn comes from rows the predicting copy did
// not see, so neither flatters the model.
#include <chrono>
#include <cmath>

#include "shipml/core/error.hpp"
#include "shipml/core/names.hpp"
#include "shipml/core/parallel.hpp"
#include "shipml/data/split.hpp"
#include "shipml/model/model.hpp"

namespace shipml {
namespace {

// Stratified K-fold cannot put each class in every fold with fewer rows than
// folds; scikit-learn refuses that too, rather than fit on folds lacking a class.
void refuse_rare_classes(std::span<const int> y, const std::vector<std::string>& classes, int folds,
                         const std::string& what, const std::string& option) {
  std::vector<std::size_t> count(classes.size(), 0);
  for (int k : y) ++count[static_cast<std::size_t>(k)];
  for (std::size_t k = 0; k < classes.size(); ++k)
    if (count[k] < static_cast<std::size_t>(folds))
      throw DataError(what + " uses " + std::to_string(folds) + " folds and needs at least " + std::to_string(folds) +
                      " rows of each class; class '" + echoed(classes[k]) + "' has " + std::to_string(count[k]) +
                      " (choose fewer folds with " + option + ")");
}

}  // namespace

std::uint64_t Model::fold_seed() const {
  return params_.values().count("seed") ? static_cast<std::uint64_t>(params_.integer("seed")) : 0;
}

void Model::fit_with_decision(const Frame& features, const Column& target, const FitOptions& options) {
  const auto start = std::chrono::steady_clock::now();
  Model fitted = unwrapped();
  FitOptions plain = options;
  plain.drift_reference = false;        // taken below, of the calibrated and thresholded predictions
  fitted.fit(features, target, plain);  // every check of a plain fit, first
  if (fitted.task_ != Task::classification)
    throw UsageError(std::string(calibration_spec_ ? "calibration" : "a decision threshold") +
                     " is for classifiers: target '" + target.name() + "' is a regression target");
  if (threshold_spec_ && fitted.classes_.size() != 2)
    throw UsageError("a decision threshold is for two classes; target '" + target.name() + "' has " +
                     std::to_string(fitted.classes_.size()) + " (" + listed(fitted.classes_) +
                     "), which are predicted by their highest probability");
  const std::vector<int> y = class_indices(target, fitted.classes_);
  fitted.calibration_spec_ = calibration_spec_;
  fitted.threshold_spec_ = threshold_spec_;
  if (calibration_spec_) fitted.cross_fit_calibrator(features, target, y);
  if (threshold_spec_) fitted.choose_threshold(features, target, y);
  fitted.metadata_["training"]["fit_seconds"] =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  if (options.drift_reference) fitted.keep_drift_reference(features);
  *this = std::move(fitted);
}

void Model::cross_fit_calibrator(const Frame& features, const Column& target, std::span<const int> y) {
  const CalibrationSpec& spec = *calibration_spec_;
  refuse_rare_classes(y, classes_, spec.folds, "calibration", "--calibration-cv");
  const std::vector<Fold> folds = kfold(features.rows(), spec.folds, fold_seed(), y);
  Matrix out_of_fold(static_cast<Eigen::Index>(features.rows()), static_cast<Eigen::Index>(classes_.size()));
  parallel_for(folds.size(), 0, [&](std::size_t f) {
    Model copy = unwrapped();
    copy.fit(features.take(folds[f].train), target.take(folds[f].train),
             {.task = task_, .classes = classes_, .drift_reference = false});
    const Matrix p = copy.predict_proba(features.take(folds[f].test));
    for (std::size_t i = 0; i < folds[f].test.size(); ++i)
      out_of_fold.row(static_cast<Eigen::Index>(folds[f].test[i])) = p.row(static_cast<Eigen::Index>(i));
  });
  const CalibrationInput input = calibration_input_for(info_->name);
  calibrator_ = Calibrator::fit(spec.method, input, calibration_scores(out_of_fold, input), y, classes_.size());
}

void Model::choose_threshold(const Frame& features, const Column& target, std::span<const int> y) {
  const ThresholdSpec& spec = *threshold_spec_;
  if (spec.value) {
    threshold_ = *spec.value;
    return;
  }
  refuse_rare_classes(y, classes_, spec.folds, "threshold tuning", "--threshold-cv");
  const std::vector<Fold> folds = kfold(features.rows(), spec.folds, fold_seed(), y);
  std::vector<ThresholdFold> held_out(folds.size());
  parallel_for(folds.size(), 0, [&](std::size_t f) {
    // The model as it will predict, calibration included, fitted without the fold.
    Model copy = calibration_spec_ ? unwrapped().calibrated(*calibration_spec_) : unwrapped();
    copy.fit(features.take(folds[f].train), target.take(folds[f].train),
             {.task = task_, .classes = classes_, .drift_reference = false});
    const Matrix p = copy.predict_proba(features.take(folds[f].test));
    for (std::size_t i = 0; i < folds[f].test.size(); ++i) {
      held_out[f].score.push_back(p(static_cast<Eigen::Index>(i), 1));
      held_out[f].truth.push_back(y[folds[f].test[i]] == 1 ? 1 : 0);
    }
  });
  const TunedThreshold tuned = tune_threshold(held_out, spec.metric);
  threshold_ = tuned.value;
  threshold_score_ = tuned.score;
}

}  // namespace shipml
