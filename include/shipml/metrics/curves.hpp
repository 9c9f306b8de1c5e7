#pragma once
/// \file
/// Threshold curves of a binary score, as scikit-learn computes them: one point
/// per distinct score, so ties are one step. Optional weights, one per row
/// (scikit-learn's sample_weight), count each row that many times. What the ROC and precision-recall
/// charts draw, and average precision, the area the latter summarises.
#include <span>
#include <vector>

#include "shipml/core/export.hpp"

namespace shipml {

/// A threshold curve's points, in drawing order.
struct SHIPML_API ThresholdCurve {
  /// Horizontal: false-positive rate (ROC) or recall (PR).
  std::vector<double> x, y;        ///< vertical: true-positive rate (ROC) or precision (PR)
  std::vector<double> thresholds;  ///< the score at each point
};

/// `positive` holds 1 for positive rows, 0 otherwise. roc_curve(..., drop_intermediate=False):
/// from (0, 0), highest threshold first, to (1, 1).
SHIPML_API ThresholdCurve roc_curve(std::span<const int> positive, std::span<const double> score,
                                    std::span<const double> weights = {});
/// precision_recall_curve (scikit-learn 1.2): every threshold from the lowest
/// to the highest, then the (recall 0, precision 1) end point.
SHIPML_API ThresholdCurve precision_recall_curve(std::span<const int> positive, std::span<const double> score,
                                                 std::span<const double> weights = {});
/// average_precision_score: sum over thresholds of (R_n - R_{n-1}) P_n.
SHIPML_API double average_precision(std::span<const int> positive, std::span<const double> score,
                                    std::span<const double> weights = {});

}  // namespace shipml
