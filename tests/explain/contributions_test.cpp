// Model::contributions for every estimator and task: each row's contributions
// sum with the expected value to its raw output; they name the input columns
// (one-hot columns and missing indicators summed back into theirs); sampled
// ones are within their bound of the exact Shapley values; and a saved model
// explains as the fitted one did.
#include <gtest/gtest.h>

#include <algorithm>
#include <bit>
#include <iostream>
#include <map>

#include "explain_support.hpp"

namespace shipml {
namespace {

using test::Kind;

TEST(Contributions, SumWithTheExpectedValueToTheRawOutputForEveryEstimatorAndTask) {
  std::map<std::string, double> worst;
  for (const auto& info : estimators()) {
    for (const Kind kind : {Kind::binary, Kind::multiclass, Kind::regression}) {
      const Task task = kind == Kind::regression ? Task::regression : Task::classification;
      if (!info.supports(task)) continue;
      SCOPED_TRACE(info.name + " " + test::name(kind));
      const Dataset d = test::explain_data(kind);
      Model m(info.name);
      m.fit(d);
      const Frame rows = test::first_rows(d.features(), 40);
      const Contributions c = m.contributions(rows);
      const Matrix raw = m.raw_output(rows);
      const std::size_t outputs = kind == Kind::multiclass ? 3 : 1;
      ASSERT_EQ(c.columns, (std::vector<std::string>{"x1", "x2", "color"}));
      ASSERT_EQ(c.values.size(), outputs);
      ASSERT_EQ(c.expected.size(), outputs);
      ASSERT_EQ(static_cast<std::size_t>(raw.cols()), outputs);
      ASSERT_EQ(c.outputs, kind == Kind::multiclass ? m.classes()
                           : kind == Kind::binary   ? std::vector<std::string>{m.classes()[1]}
                                                    : std::vector<std::string>{""});
      for (const Matrix& v : c.values) {
        ASSERT_EQ(v.rows(), 40);
        ASSERT_EQ(v.cols(), 3);
      }
      // XGBoost computes in float32; every other method in double.
      const double tolerance = c.method == "xgboost" ? 1e-5 : 1e-9;
      const double error = test::largest_sum_error(c, raw);
      EXPECT_LE(error, tolerance) << c.method;
      EXPECT_EQ(c.exact, c.method != "sampling");
      worst[info.name] = std::max(worst[info.name], error);
    }
  }
  for (const auto& [name, error] : worst) std::cout << "largest |sum - raw| " << name << ": " << error << '\n';
}

TEST(Contributions, EachEstimatorUsesItsMethod) {
  const Dataset d = test::explain_data(Kind::binary);
  const std::map<std::string, std::string> expected = {
      {"linear", "linear"},         {"elastic_net", "linear"},      {"lasso", "linear"},
      {"logistic", "linear"},       {"decision_tree", "tree_shap"}, {"random_forest", "tree_shap"},
      {"extra_trees", "tree_shap"}, {"hist_gbdt", "tree_shap"},     {"xgboost", "xgboost"},
      {"knn", "sampling"},          {"gaussian_nb", "sampling"}};
  for (const auto& info : estimators()) {
    SCOPED_TRACE(info.name);
    const Dataset data = info.supports(Task::classification) ? d : test::explain_data(Kind::regression);
    Model m(info.name);
    m.fit(data);
    EXPECT_EQ(m.contributions(test::first_rows(data.features(), 5)).method, expected.at(info.name));
  }
}

// logistic on the 4-level color column: its one-hot columns' terms appear once,
// as "color", and are coef x (one-hot - training share) summed over the levels.
TEST(Contributions, OneHotColumnsAreSummedIntoTheirInputColumn) {
  const Dataset d = test::explain_data(Kind::binary);
  Model m("logistic");
  m.fit(d);
  const auto& encoded = m.encoded_features();
  ASSERT_EQ(std::count_if(encoded.begin(), encoded.end(), [](const auto& n) { return n.starts_with("color="); }), 4);
  const Frame rows = test::first_rows(d.features(), 30);
  const Contributions c = m.contributions(rows);
  ASSERT_EQ(c.columns, (std::vector<std::string>{"x1", "x2", "color"}));
  const nlohmann::json coef = m.inspect()["coefficients"][m.classes()[1]];
  // The training share of each level, from the training rows themselves.
  const Column& color = d.frame.column("color");
  const auto& levels = color.categories();
  std::vector<double> share(levels.size(), 0.0);
  for (auto code : color.codes())
    if (code != kMissingCode) share[static_cast<std::size_t>(code)] += 1.0 / static_cast<double>(color.size());
  const Column& color_rows = rows.column("color");
  for (std::size_t i = 0; i < rows.rows(); ++i) {
    double expected = 0;
    for (std::size_t k = 0; k < levels.size(); ++k) {
      const double hot = color_rows.codes()[i] == static_cast<std::int32_t>(k) ? 1.0 : 0.0;
      expected += coef["color=" + levels[k]].get<double>() * (hot - share[k]);
    }
    EXPECT_NEAR(c.values[0](static_cast<Eigen::Index>(i), 2), expected, 1e-12) << "row " << i;
  }
}

TEST(Contributions, AMissingIndicatorCountsForItsColumn) {
  const Dataset d = test::explain_data(Kind::regression);
  Model m("linear");
  m.fit(d);
  const auto& encoded = m.encoded_features();
  ASSERT_NE(std::find(encoded.begin(), encoded.end(), "x2_missing"), encoded.end());
  const Contributions c = m.contributions(d.features());
  ASSERT_EQ(c.values[0].cols(), 3);  // x1, x2 (its indicator in it), color
  const nlohmann::json coef = m.inspect()["coefficients"];
  const auto x2 = d.frame.column("x2").values();
  double missing_share = 0;
  for (double v : x2) missing_share += std::isnan(v) ? 1.0 / static_cast<double>(x2.size()) : 0.0;
  for (std::size_t i = 0; i < x2.size(); ++i) {
    if (!std::isnan(x2[i])) continue;
    // Missing: the standardised value is its mean (0), the indicator 1.
    const double expected = coef["x2_missing"].get<double>() * (1 - missing_share);
    EXPECT_NEAR(c.values[0](static_cast<Eigen::Index>(i), 1), expected, 1e-12) << "row " << i;
  }
}

TEST(Contributions, APipelinesColumnsCountForTheInputColumnTheyCameFrom) {
  const Dataset d = test::explain_data(Kind::regression);
  Model m("hist_gbdt", {{"n_estimators", "20"}}, {{.transformer = "one_hot", .columns = {"color"}}});
  m.fit(d);
  const auto& encoded = m.encoded_features();
  ASSERT_EQ(std::count_if(encoded.begin(), encoded.end(), [](const auto& n) { return n.starts_with("color="); }), 4);
  const Frame rows = test::first_rows(d.features(), 20);
  const Contributions c = m.contributions(rows);
  EXPECT_EQ(c.columns, (std::vector<std::string>{"x1", "x2", "color"}));
  EXPECT_LE(test::largest_sum_error(c, m.raw_output(rows)), 1e-9);
  // The trees split on the step's color columns (blue raises the target): that shows under color.
  EXPECT_GT(c.values[0].col(2).cwiseAbs().maxCoeff(), 0.01);
}

TEST(Contributions, ACalibratedModelExplainsItsLearnerBeforeCalibration) {
  const Dataset d = test::explain_data(Kind::binary);
  Model m = Model("logistic").calibrated({.method = CalibrationMethod::isotonic, .folds = 3});
  m.fit(d);
  const Frame rows = test::first_rows(d.features(), 30);
  const Contributions c = m.contributions(rows);
  EXPECT_TRUE(c.before_calibration);
  const Matrix raw = m.raw_output(rows);
  EXPECT_LE(test::largest_sum_error(c, raw), 1e-9);
  // The raw output is the learner's log-odds, not the calibrated probability's.
  const Matrix calibrated = m.predict_proba(rows);
  double largest_gap = 0;
  for (Eigen::Index i = 0; i < raw.rows(); ++i)
    largest_gap = std::max(largest_gap, std::abs(raw(i, 0) - std::log(calibrated(i, 1) / calibrated(i, 0))));
  EXPECT_GT(largest_gap, 1e-3);
  const Matrix learner = m.predict_proba_uncalibrated(rows);
  for (Eigen::Index i = 0; i < raw.rows(); ++i)
    EXPECT_NEAR(raw(i, 0), std::log(learner(i, 1) / learner(i, 0)), 1e-9) << "row " << i;
}

TEST(Contributions, ASavedModelExplainsAsTheFittedOneDid) {
  test::TempDir tmp;
  for (const char* e : {"logistic", "hist_gbdt", "knn", "xgboost"}) {
    SCOPED_TRACE(e);
    const Dataset d = test::explain_data(Kind::multiclass);
    Model m(e);
    m.fit(d);
    m.save(tmp.file("m.shipml"));
    const Model loaded = Model::load(tmp.file("m.shipml"));
    const Frame rows = test::first_rows(d.features(), 10);
    const Contributions before = m.contributions(rows), after = loaded.contributions(rows);
    ASSERT_EQ(before.values.size(), after.values.size());
    for (std::size_t o = 0; o < before.values.size(); ++o) EXPECT_EQ(before.values[o], after.values[o]);
    EXPECT_EQ(before.expected, after.expected);
  }
}

TEST(Contributions, ALinearModelFromAFileWithoutTrainingMeansAsksForARefit) {
  // Files written before explanations keep no training means of the encoded features.
  const Model m = Model::load(test::source_path("tests/golden/v1/linear_regression_ames.shipml"));
  const Frame rows = test::first_rows(read_csv(test::data_path("ames.csv")), 3);
  try {
    m.contributions(rows);
    FAIL() << "explained without the training means";
  } catch (const ModelError& e) {
    EXPECT_NE(std::string(e.what()).find("refit"), std::string::npos) << e.what();
  }
}

TEST(Contributions, TreeModelsFromOlderFilesExplainWithTheCoversTheyKeep) {
  const Model m = Model::load(test::source_path("tests/golden/v1/hist_gbdt_churn.shipml"));
  const Frame rows = test::first_rows(read_csv(test::data_path("churn.csv")), 20);
  const Contributions c = m.contributions(rows);
  EXPECT_EQ(c.method, "tree_shap");
  EXPECT_LE(test::largest_sum_error(c, m.raw_output(rows)), 1e-9);
}

// knn on 30 rows: its background is every training row, so the exact
// interventional Shapley values can be enumerated over the 2^3 coalitions, with
// the absent columns taken from each training row in turn.
TEST(Contributions, SampledValuesAreWithinTheirBoundOfTheExactShapleyValues) {
  const Dataset full = test::explain_data(Kind::regression, 30, 11);
  Frame numeric;
  numeric.add(full.frame.column("x1"));
  Random rng(5);
  std::vector<double> x2, x3;
  for (std::size_t i = 0; i < 30; ++i) x2.push_back(rng.uniform() * 10), x3.push_back(rng.uniform());
  numeric.add(Column::numeric("x2", x2));
  numeric.add(Column::numeric("x3", x3));
  numeric.add(full.frame.column("y"));
  const Dataset d{numeric, "y", "numeric"};
  Model m("knn", {{"n_neighbors", "3"}});
  m.fit(d);
  const Frame train = d.features(), rows = test::first_rows(train, 6);
  const Contributions c = m.contributions(rows);
  EXPECT_FALSE(c.exact);
  EXPECT_GT(c.error_bound, 0);
  // v(S) for row i: the mean over training rows b of f(x_S, b_rest).
  auto value = [&](std::size_t i, unsigned coalition) {
    std::vector<Column> columns;
    for (std::size_t j = 0; j < 3; ++j) {
      std::vector<double> v(train[j].values().begin(), train[j].values().end());
      if (coalition >> j & 1u) std::fill(v.begin(), v.end(), rows[j].values()[i]);
      columns.push_back(Column::numeric(train[j].name(), v));
    }
    return m.raw_output(Frame(columns)).mean();
  };
  EXPECT_NEAR(c.expected[0], value(0, 0), 1e-12);
  const double weight[] = {1.0 / 3, 1.0 / 6, 1.0 / 3};  // |S|! (3 - |S| - 1)! / 3!
  double largest_error = 0;
  for (std::size_t i = 0; i < rows.rows(); ++i)
    for (unsigned j = 0; j < 3; ++j) {
      double exact = 0;
      for (unsigned s = 0; s < 8; ++s)
        if (!(s >> j & 1u)) exact += weight[std::popcount(s)] * (value(i, s | 1u << j) - value(i, s));
      const double sampled = c.values[0](static_cast<Eigen::Index>(i), j);
      largest_error = std::max(largest_error, std::abs(sampled - exact));
      EXPECT_LE(std::abs(sampled - exact), c.error_bound) << "row " << i << " column " << j;
    }
  std::cout << "knn sampled vs exact: largest error " << largest_error << ", bound " << c.error_bound << '\n';
}

TEST(Contributions, TheSameSeedGivesTheSameSampledValuesAndAnotherSeedOthers) {
  const Dataset d = test::explain_data(Kind::multiclass);
  Model m("gaussian_nb");
  m.fit(d);
  const Frame rows = test::first_rows(d.features(), 10);
  const Contributions a = m.contributions(rows), b = m.contributions(rows), other = m.contributions(rows, {.seed = 9});
  EXPECT_EQ(a.values[1], b.values[1]);
  EXPECT_NE(a.values[1], other.values[1]);
}

TEST(Contributions, AnUnfittedModelSaysSo) {
  const Model m("hist_gbdt");
  EXPECT_THROW(m.contributions(test::explain_data(Kind::regression).features()), ModelError);
}

}  // namespace
}  // namespace shipml
