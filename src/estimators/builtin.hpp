#pragma once
// Declarations of the built-in estimators. Adding an estimator: write its file,
// declare its info function here, list it in registry.cpp. The contract test suite
// picks it up from the registry with no further test code.
#include "shipml/estimators/estimator.hpp"

namespace shipml::builtin {

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
