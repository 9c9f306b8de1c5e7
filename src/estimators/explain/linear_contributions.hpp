#pragma once
// Exact contributions of a linear model on its link scale (the value, the
// log-odds, the softmax's scores): feature j adds coef_j x (x_j - mean_j),
// starting from the model's output at the training mean, intercept + Σ coef_j
// x mean_j. With features independent these are the Shapley values of the
// linear output (Lundberg & Lee 2017, "linear SHAP"), and they sum to it exactly.
#include <string>
#include <vector>

#include "shipml/estimators/estimator.hpp"

namespace shipml::explain {

/// `coef`: features x outputs; `intercept`: one per output; the training means
/// come from request.feature_means (a ModelError naming `who` when it has none).
FeatureContributions linear_contributions(const FeatureMatrix& X, const Matrix& coef,
                                          const std::vector<double>& intercept, const ContributionRequest& request,
                                          const std::string& who);

}  // namespace shipml::explain
