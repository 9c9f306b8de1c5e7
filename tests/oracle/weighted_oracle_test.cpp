// Sample weights against scikit-learn's sample_weight on the same rows: the
// weighted metrics must give scikit-learn's numbers, and every learner that
// scikit-learn weighs the same way must give its predictions after fitting
// with the same weights (weighted_reference.py writes both).
#include <gtest/gtest.h>

#include <cmath>
#include <iostream>

#include "oracle_support.hpp"
#include "shipml/shipml.hpp"

namespace shipml {
namespace {

const nlohmann::json& weighted() {
  static const nlohmann::json j = test::oracle("weighted.json");
  return j;
}

nlohmann::json model_case(const std::string& name) {
  for (const auto& c : weighted()["models"])
    if (c["name"] == name) return c;
  throw std::runtime_error("no weighted oracle case " + name);
}

void expect_metric(const std::string& metric, const Evaluation& e, const nlohmann::json& expected,
                   const std::string& where) {
  if (!expected.contains(metric)) return;
  const double ours = find_metric(metric).compute(e);
  EXPECT_NEAR(ours, expected[metric].get<double>(), 1e-10) << where << ' ' << metric;
}

TEST(WeightedOracle, EveryClassificationMetricMatchesScikitLearnWithSampleWeight) {
  std::size_t checked = 0;
  for (const auto& c : weighted()["classification"]) {
    const int k = c["n_classes"];
    const auto truth = c["y_true"].get<std::vector<double>>(), predicted = c["y_pred"].get<std::vector<double>>();
    const auto rows = c["proba"].get<std::vector<std::vector<double>>>();
    Matrix proba(static_cast<Eigen::Index>(rows.size()), k);
    for (std::size_t i = 0; i < rows.size(); ++i)
      for (int j = 0; j < k; ++j) proba(static_cast<Eigen::Index>(i), j) = rows[i][static_cast<std::size_t>(j)];
    const Evaluation e{Task::classification, k, truth, predicted, proba, c["weights"].get<std::vector<double>>()};
    for (const auto& m : metrics()) {
      if (m.task != Task::classification || (m.binary_only && k != 2)) continue;
      ASSERT_TRUE(c["expected"].contains(m.name)) << "no reference for " << m.name;
      expect_metric(m.name, e, c["expected"], c["name"]);
      ++checked;
    }
  }
  EXPECT_GE(checked, 60u);
}

TEST(WeightedOracle, EveryRegressionMetricMatchesScikitLearnWithSampleWeight) {
  for (const auto& c : weighted()["regression"]) {
    const Evaluation e{Task::regression,
                       0,
                       c["y_true"].get<std::vector<double>>(),
                       c["y_pred"].get<std::vector<double>>(),
                       Matrix(),
                       c["weights"].get<std::vector<double>>()};
    for (const auto& m : metrics())
      if (m.task == Task::regression) {
        ASSERT_TRUE(c["expected"].contains(m.name)) << "no reference for " << m.name;
        expect_metric(m.name, e, c["expected"], c["name"]);
      }
  }
}

TEST(WeightedOracle, UnitWeightsGiveTheUnweightedMetricExactly) {
  const auto& c = weighted()["classification"][0];
  Matrix proba(static_cast<Eigen::Index>(c["proba"].size()), 2);
  for (std::size_t i = 0; i < c["proba"].size(); ++i)
    for (int j = 0; j < 2; ++j) proba(static_cast<Eigen::Index>(i), j) = c["proba"][i][static_cast<std::size_t>(j)];
  Evaluation plain{Task::classification, 2, c["y_true"].get<std::vector<double>>(),
                   c["y_pred"].get<std::vector<double>>(), proba};
  Evaluation ones = plain;
  ones.weights.assign(plain.truth.size(), 1.0);
  for (const auto& m : metrics()) {
    if (m.task != Task::classification) continue;
    EXPECT_EQ(m.compute(plain), m.compute(ones)) << m.name;
  }
}

struct Fitted {
  Predictions predictions;
  Dataset test;
};

// Fits on the weighted training file (its weight column is a role, not a
// feature) and predicts the test file's rows.
Fitted fit_case(const nlohmann::json& c) {
  Model m(c["estimator"], c["params"].get<std::map<std::string, std::string>>());
  Dataset train = read_dataset(c["train"], c["target"]);
  train.weight = c["weight"];
  m.fit(train);
  EXPECT_EQ(m.metadata()["training"]["weight"], c["weight"]);
  Dataset test = read_dataset(c["test"], c["target"]);
  test.weight = c["weight"];
  EXPECT_EQ(m.schema().fields().size(), test.features().cols()) << "the weight column is not a feature";
  return {m.predict(test.features()), test};
}

void expect_same_values(const std::string& name, double tolerance) {
  const nlohmann::json c = model_case(name);
  const Fitted f = fit_case(c);
  const auto expected = c["predictions"].get<std::vector<double>>();
  ASSERT_EQ(f.predictions.values.size(), expected.size());
  double worst = 0;
  for (std::size_t i = 0; i < expected.size(); ++i)
    worst = std::max(worst, std::abs(f.predictions.values[i] - expected[i]) / std::max(1.0, std::abs(expected[i])));
  EXPECT_LT(worst, tolerance) << name;
  const double r2 = r2_score(target_values(f.test.labels()), f.predictions.values, f.test.weights());
  EXPECT_NEAR(r2, c["weighted_r2"].get<double>(), 1e-6) << name;
  std::cout << name << ": largest relative difference " << worst << "; weighted R2 shipml " << r2 << ", scikit-learn "
            << c["weighted_r2"] << '\n';
}

void expect_same_proba(const std::string& name, double tolerance) {
  const nlohmann::json c = model_case(name);
  const Fitted f = fit_case(c);
  ASSERT_EQ(f.predictions.classes, c["classes"].get<std::vector<std::string>>());
  const double worst = test::largest_proba_difference(f.predictions.proba, c["proba"]);
  EXPECT_LT(worst, tolerance) << name;
  const auto truth = class_indices(f.test.labels(), f.predictions.classes);
  const std::vector<int> pred(f.predictions.values.begin(), f.predictions.values.end());
  const double accuracy = accuracy_score(truth, pred, f.test.weights());
  EXPECT_NEAR(accuracy, c["weighted_accuracy"].get<double>(), 1e-12) << name;
  std::cout << name << ": largest probability difference " << worst << "; weighted accuracy shipml " << accuracy
            << ", scikit-learn " << c["weighted_accuracy"] << '\n';
}

TEST(WeightedOracle, LinearIsWeightedLeastSquares) {
  expect_same_values("linear_diabetes", 1e-8);
  expect_same_values("ridge_concrete", 1e-8);
}

TEST(WeightedOracle, LogisticWeighsEachRowsLoss) {
  expect_same_proba("logistic_breast_cancer", 1e-6);
  expect_same_proba("logistic_wine_multinomial", 1e-6);
}

TEST(WeightedOracle, ElasticNetAndLassoMatchElasticNetWithSampleWeight) {
  expect_same_values("elastic_net_diabetes", 1e-7);
  expect_same_values("lasso_concrete", 1e-7);
}

TEST(WeightedOracle, DecisionTreeWeighsImpurityAndLeaves) {
  expect_same_values("tree_diabetes", 1e-9);
  expect_same_proba("tree_wine", 1e-12);
}

TEST(WeightedOracle, ForestsWithoutBootstrapMatchScikitLearnsForests) {
  expect_same_proba("forest_wine", 1e-12);
  expect_same_values("forest_diabetes", 1e-7);  // the forest sums w and w·y in float32
}

TEST(WeightedOracle, GaussianNbWeighsMeansVariancesAndPriors) { expect_same_proba("gaussian_nb_wine", 1e-9); }

TEST(WeightedOracle, HistGbdtStartsFromTheWeightedClassShares) {
  expect_same_proba("hist_gbdt_prior_breast_cancer", 1e-9);
  expect_same_proba("hist_gbdt_prior_wine", 1e-9);
}

TEST(WeightedOracle, XGBoostAdapterPassesTheWeights) {
  expect_same_proba("xgboost_breast_cancer", 1e-6);  // the same library, in float32
}

}  // namespace
}  // namespace shipml
