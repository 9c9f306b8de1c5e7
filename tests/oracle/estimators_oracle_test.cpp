// Learners against scikit-learn on the same train/test files: the same model
// (with the same standardisation) must give the same predictions.
#include <gtest/gtest.h>

#include <cmath>

#include "oracle_support.hpp"
#include "shipml/shipml.hpp"

namespace shipml {
namespace {

nlohmann::json model_case(const std::string& name) {
  for (const auto& c : test::oracle("models.json"))
    if (c["name"] == name) return c;
  throw std::runtime_error("no oracle case " + name);
}

struct Fitted {
  Predictions predictions;
  Dataset test;
};

Fitted fit_case(const nlohmann::json& c) {
  Model m(c["estimator"], c["params"].get<std::map<std::string, std::string>>());
  m.fit(read_dataset(c["train"], c["target"]));
  Dataset test = read_dataset(c["test"], c["target"]);
  return {m.predict(test.features()), test};
}

void expect_same_values(const nlohmann::json& c, double tolerance) {
  const Fitted f = fit_case(c);
  const auto expected = c["predictions"].get<std::vector<double>>();
  ASSERT_EQ(f.predictions.values.size(), expected.size());
  for (std::size_t i = 0; i < expected.size(); ++i)
    EXPECT_NEAR(f.predictions.values[i], expected[i], tolerance * std::max(1.0, std::abs(expected[i]))) << "row " << i;
  const double r2 = r2_score(target_values(f.test.labels()), f.predictions.values);
  EXPECT_NEAR(r2, c["r2"].get<double>(), 0.01);
  std::cout << c["name"].get<std::string>() << ": R2 shipml " << r2 << ", scikit-learn " << c["r2"] << '\n';
}

void expect_same_proba(const nlohmann::json& c, double tolerance) {
  const Fitted f = fit_case(c);
  ASSERT_EQ(f.predictions.classes, c["classes"].get<std::vector<std::string>>());
  const double worst = test::largest_proba_difference(f.predictions.proba, c["proba"]);
  EXPECT_LT(worst, tolerance) << c["name"];
  const auto truth = class_indices(f.test.labels(), f.predictions.classes);
  const std::vector<int> pred(f.predictions.values.begin(), f.predictions.values.end());
  EXPECT_NEAR(accuracy_score(truth, pred), c["accuracy"].get<double>(), 1e-12);
}

TEST(EstimatorsOracle, LinearMatchesLinearRegressionOnDiabetes) {
  expect_same_values(model_case("linear_diabetes"), 1e-8);
}

TEST(EstimatorsOracle, RidgeMatchesScaledRidgeOnConcrete) { expect_same_values(model_case("ridge_concrete"), 1e-8); }

TEST(EstimatorsOracle, LogisticMatchesLbfgsOnBreastCancer) {
  expect_same_proba(model_case("logistic_breast_cancer"), 1e-6);
}

TEST(EstimatorsOracle, MultinomialLogisticMatchesOnWine) {
  expect_same_proba(model_case("logistic_wine_multinomial"), 1e-6);
}

TEST(EstimatorsOracle, ShallowTreeMatchesDecisionTreeRegressor) {
  expect_same_values(model_case("tree_stump_diabetes"), 1e-9);
}

TEST(EstimatorsOracle, ElasticNetAndLassoMatchCoordinateDescent) {
  expect_same_values(model_case("elastic_net_diabetes"), 1e-7);
  expect_same_values(model_case("lasso_concrete"), 1e-7);
}

TEST(EstimatorsOracle, KnnMatchesKNeighbors) {
  expect_same_proba(model_case("knn_breast_cancer"), 1e-12);
  expect_same_values(model_case("knn_distance_diabetes"), 1e-9);
}

TEST(EstimatorsOracle, GaussianNbMatchesGaussianNB) { expect_same_proba(model_case("gaussian_nb_wine"), 1e-9); }

TEST(EstimatorsOracle, XGBoostAdapterMatchesXGBClassifier) {
  expect_same_proba(model_case("xgboost_breast_cancer"), 1e-6);  // the same library, in float32
}

}  // namespace
}  // namespace shipml
