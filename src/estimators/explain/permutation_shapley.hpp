#pragma once
// Shapley values by permutation sampling (Štrumbelj & Kononenko, "Explaining
// prediction models and individual predictions with feature contributions",
// 2014), for learners whose structure gives no exact method (knn,
// gaussian_nb). A feature group outside a coalition takes its value from a
// background row: v(S) = Σ_b w_b f(x_S, b_rest), the interventional game.
//
// For each background row, m random orders of the groups are drawn; walking an
// order from the background row to the explained row, each group's marginal
// change is one sample of its Shapley value. Each order's changes add up to
// f(x) - f(b) exactly, and every background row is walked equally often, so
// each row's contributions sum to its raw output minus the expected value to
// rounding: only the split between groups is estimated. Its sampling error is
// reported as a 99% bound (2.576 standard errors, the standard error from the
// samples' variance within each background row).
#include <functional>
#include <vector>

#include "shipml/estimators/estimator.hpp"

namespace shipml::explain {

/// The model on encoded rows: rows x outputs (a learner's raw_output()).
using RawOutput = std::function<Matrix(const FeatureMatrix&)>;

/// What absent features are filled from: encoded rows and their weights (summing to 1).
struct Background {
  Matrix rows;
  std::vector<double> weights;
};

/// Contributions per group of request.group_of, sampled with request.samples
/// orders per row in all (at least 2 per background row) from request.seed;
/// the expected value is Σ_b w_b f(b).
FeatureContributions permutation_shapley(const FeatureMatrix& X, const Background& background, const RawOutput& raw,
                                         const ContributionRequest& request);

}  // namespace shipml::explain
