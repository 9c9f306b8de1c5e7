#include "linear_contributions.hpp"

#include "shipml/core/error.hpp"

namespace shipml::explain {

FeatureContributions linear_contributions(const FeatureMatrix& X, const Matrix& coef,
                                          const std::vector<double>& intercept, const ContributionRequest& request,
                                          const std::string& who) {
  const std::size_t features = X.cols(), rows = X.rows();
  if (static_cast<std::size_t>(coef.rows()) != features)
    throw ModelError(who + ": expected " + std::to_string(coef.rows()) + " encoded features");
  const std::vector<double>& mean = request.feature_means;
  if (mean.size() != features)
    throw ModelError(who + ": explaining a linear model starts from the training mean of each encoded feature, and "
                           "this model keeps none (model files written before explanations existed do not): refit it");
  const std::size_t groups = request.group_of.empty() ? features : request.groups;
  FeatureContributions out;
  out.method = "linear";
  for (Eigen::Index o = 0; o < coef.cols(); ++o) {
    double expected = intercept[static_cast<std::size_t>(o)];
    Matrix values = Matrix::Zero(static_cast<Eigen::Index>(rows), static_cast<Eigen::Index>(groups));
    for (std::size_t j = 0; j < features; ++j) {
      const double c = coef(static_cast<Eigen::Index>(j), o);
      expected += c * mean[j];
      const double* x = X.column(j);
      auto column = values.col(static_cast<Eigen::Index>(request.group(j)));
      for (std::size_t i = 0; i < rows; ++i) column[static_cast<Eigen::Index>(i)] += c * (x[i] - mean[j]);
    }
    out.values.push_back(std::move(values));
    out.expected.push_back(expected);
  }
  return out;
}

}  // namespace shipml::explain
