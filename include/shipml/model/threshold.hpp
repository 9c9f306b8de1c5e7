#pragma once
/// \file
/// The decision threshold of a binary classifier: the probability of the
/// positive class (the second class in sorted order) from which a row is
/// predicted positive. Fixed, or tuned by cross-validation to maximise a metric
/// computed from labels, as scikit-learn 1.5's TunedThresholdClassifierCV does.
/// Probabilities are never changed by it, only the labels.
#include <optional>
#include <string>
#include <vector>

#include "shipml/core/export.hpp"

namespace shipml {

/// How a binary classifier's threshold is chosen: what Model::with_threshold takes.
struct SHIPML_API ThresholdSpec {
  std::optional<double> value;  ///< fixed: predict the positive class when its probability >= value, in [0, 1]
  std::string metric;           ///< tuned (no value): the metric maximised, one computed from labels
  int folds = 5;                ///< tuned: cross-validation folds of the training rows

  /// A fixed threshold ("0.3") or a tuned one ("tune:f1"); a UsageError saying
  /// what is accepted otherwise.
  static ThresholdSpec parse(const std::string& text);
  /// As parse() reads it: "0.3" or "tune:f1".
  std::string to_string() const;
  /// Whether it is tuned (no fixed value).
  bool tuned() const { return !value.has_value(); }
  /// Refuses (UsageError) a value outside [0, 1], fewer than 2 folds, or a
  /// metric that is unknown, not for classification or not computed from labels.
  void check() const;
};

/// One fold's held-out rows, for tuning: the positive class's probability and
/// whether the row is positive (1) or not (0).
struct SHIPML_API ThresholdFold {
  std::vector<double> score;  ///< probability of the positive class, per row
  std::vector<int> truth;     ///< 1 for the positive class, 0 otherwise
};

/// The tuned threshold and its cross-validated score.
struct SHIPML_API TunedThreshold {
  double value = 0.5;  ///< the threshold
  double score = 0;    ///< the metric's mean over the folds at it (interpolated)
};

/// TunedThresholdClassifierCV's search: in each fold, the metric at `points`
/// thresholds evenly spaced from the fold's lowest score to its highest; then,
/// at `points` thresholds evenly spaced over all folds' range, each fold's
/// curve linearly interpolated (numpy.interp) and averaged over the folds; the
/// first threshold with the highest mean wins. A fold whose scores are all the
/// same (numpy.isclose) has no threshold to tune: a DataError.
SHIPML_API TunedThreshold tune_threshold(const std::vector<ThresholdFold>& folds, const std::string& metric,
                                         std::size_t points = 100);

}  // namespace shipml
