#pragma once
// Linear learners' batch predictions: X·W read in place from the encoder's
// block, rows in chunks over threads. Each row's value is computed exactly as
// one Eigen product over the whole matrix computes it, whatever the thread
// count, so predictions keep every bit.
#include <vector>

#include "shipml/core/matrix.hpp"
#include "shipml/estimators/feature_matrix.hpp"

namespace shipml::builtin {

/// X · W: one column of scores per column of W (W has X.cols() rows).
Matrix linear_scores(const FeatureMatrix& X, const Eigen::Ref<const Matrix>& W);
/// X · w, for a single vector of coefficients (Eigen multiplies it as a vector, not as a one-column matrix).
Eigen::VectorXd vector_scores(const FeatureMatrix& X, const Eigen::VectorXd& w);

/// intercept + Σ_j coef[j]·X(i, j) for each row i, the columns added in order
/// and those with a zero coefficient skipped.
std::vector<double> sparse_linear_scores(const FeatureMatrix& X, const std::vector<double>& coef, double intercept);

}  // namespace shipml::builtin
