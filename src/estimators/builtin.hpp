#pragma once
// Declarations of the built-in estimators. Adding an estimator: write its file,
// declare its info function here, list it in registry.cpp. The contract test suite
// picks it up from the registry with no further test code.
#include <cstdint>
#include <limits>
#include <string>

#include "shipml/estimators/estimator.hpp"

namespace shipml::builtin {

/// A class count read from a model file: 0 for a regressor, at least 2 for a
/// classifier. Any other count is refused: predictions allocate and index by it.
inline int stored_class_count(std::uint64_t stored, const std::string& who) {
  if (stored == 1 || stored > static_cast<std::uint64_t>(std::numeric_limits<int>::max()))
    BinaryReader::fail(who + ": a class count of " + std::to_string(stored) +
                       " (0 for a regressor, at least 2 otherwise)");
  return static_cast<int>(stored);
}

EstimatorInfo linear_info();
EstimatorInfo logistic_info();
EstimatorInfo decision_tree_info();
EstimatorInfo random_forest_info();
EstimatorInfo extra_trees_info();
EstimatorInfo hist_gbdt_info();
EstimatorInfo elastic_net_info();
EstimatorInfo lasso_info();
EstimatorInfo knn_info();
EstimatorInfo gaussian_nb_info();
EstimatorInfo xgboost_info();

}  // namespace shipml::builtin
