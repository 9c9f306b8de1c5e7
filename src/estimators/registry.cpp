#include "builtin.hpp"
#include "shipml/core/error.hpp"
#include "shipml/core/names.hpp"

namespace shipml {

bool EstimatorInfo::supports(Task task) const {
  for (Task t : tasks)
    if (t == task) return true;
  return false;
}

std::vector<double> Estimator::predict(const FeatureMatrix& X) const {
  const Matrix proba = predict_proba(X);
  std::vector<double> out(static_cast<std::size_t>(proba.rows()));
  for (Eigen::Index i = 0; i < proba.rows(); ++i) {
    Eigen::Index best = 0;
    proba.row(i).maxCoeff(&best);
    out[static_cast<std::size_t>(i)] = static_cast<double>(best);
  }
  return out;
}

Matrix Estimator::predict_proba(const FeatureMatrix&) const {
  throw UsageError("this estimator is a regressor: it has no class probabilities");
}

Matrix Estimator::raw_output(const FeatureMatrix& X) const {
  const std::size_t classes = shape().classes;
  if (classes == 0) {
    const std::vector<double> values = predict(X);
    return Eigen::Map<const Eigen::VectorXd>(values.data(), static_cast<Eigen::Index>(values.size()));
  }
  Matrix proba = predict_proba(X);
  if (classes == 2) return proba.col(1);  // the second class's probability: the first is 1 minus it
  return proba;
}

std::optional<FeatureContributions> Estimator::contributions(const FeatureMatrix&, const ContributionRequest&) const {
  return std::nullopt;
}

void Estimator::fit_partitioned(FeatureChunks& X, std::span<const double> y, int n_classes,
                                std::span<const double> weights, Communicator& ranks) {
  // One rank holding every row in memory is an ordinary fit.
  if (auto* whole = dynamic_cast<WholeMatrix*>(&X); whole && ranks.size() == 1)
    return fit(whole->matrix(), y, n_classes, weights);
  throw UsageError(std::string(ranks.size() > 1 ? "data-parallel training over ranks" : "training from chunks") +
                   " is for hist_gbdt (and random_forest over ranks); this estimator trains on rows held in memory "
                   "by one process");
}

const std::vector<EstimatorInfo>& estimators() {
  static const std::vector<EstimatorInfo> all = {
      builtin::linear_info(),        builtin::logistic_info(),    builtin::decision_tree_info(),
      builtin::random_forest_info(), builtin::extra_trees_info(), builtin::hist_gbdt_info(),
      builtin::elastic_net_info(),   builtin::lasso_info(),       builtin::knn_info(),
      builtin::gaussian_nb_info(),   builtin::xgboost_info(),
  };
  return all;
}

const EstimatorInfo& find_estimator(const std::string& name) { return find_named(estimators(), name, "estimator"); }

}  // namespace shipml
