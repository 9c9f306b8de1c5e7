// Calibration maps, decision thresholds and the models that carry them: what
// each map fits, what a calibrated or thresholded model predicts, what it
// refuses, and that its file gives back the same predictions.
#include <gtest/gtest.h>

#include <cfloat>
#include <cmath>

#include "shipml/core/random.hpp"
#include "shipml/io/file.hpp"
#include "shipml/model/model_file.hpp"
#include "shipml/shipml.hpp"
#include "support.hpp"

namespace shipml {
namespace {

Dataset breast_cancer() { return read_dataset(test::data_path("breast_cancer.csv"), "diagnosis"); }

TEST(IsotonicCalibration, PoolsViolatorsMergesTiesAndDropsFlatInsidePoints) {
  // Checked against scikit-learn 1.2's IsotonicRegression(out_of_bounds="clip").
  const std::vector<double> x = {0.1, 0.2, 0.2, 0.3, 0.4, 0.5, 0.6};
  const std::vector<int> y = {0, 1, 0, 0, 1, 1, 1};
  const auto m = IsotonicCalibration::fit(x, y);
  EXPECT_EQ(m.x, (std::vector<double>{0.1, 0.2, 0.3, 0.4, 0.6}));  // 0.5 sat inside a flat run
  ASSERT_EQ(m.y.size(), 5u);
  EXPECT_DOUBLE_EQ(m.y[1], 1.0 / 3);  // 0.2 (mean 0.5) pooled with 0.3 (0)
  EXPECT_DOUBLE_EQ(m.y[2], 1.0 / 3);
  EXPECT_EQ(m(0.05), 0.0);  // clipped to the first threshold
  EXPECT_DOUBLE_EQ(m(0.25), 1.0 / 3);
  EXPECT_DOUBLE_EQ(m(0.35), 2.0 / 3);  // half way from 1/3 to 1
  EXPECT_EQ(m(0.7), 1.0);              // clipped to the last
}

TEST(IsotonicCalibration, ScoresWithinTheResolutionOfAFloatAreOneScore) {
  // 0.30000000000000004 is 0.3 to scikit-learn's _make_unique (1e-15 apart).
  const auto m =
      IsotonicCalibration::fit(std::vector<double>{0.3, 0.30000000000000004, 0.5}, std::vector<int>{0, 1, 1});
  EXPECT_EQ(m.x, (std::vector<double>{0.3, 0.5}));
  EXPECT_EQ(m.y, (std::vector<double>{0.5, 1.0}));
}

TEST(SigmoidCalibration, ReachesTheOptimumOfPlattsObjective) {
  Random rng(3);
  std::vector<double> s;
  std::vector<int> y;
  for (int i = 0; i < 400; ++i) {
    s.push_back(rng.uniform() * 6 - 3);
    y.push_back(rng.uniform() < 1 / (1 + std::exp(-2 * s.back() + 0.5)) ? 1 : 0);
  }
  const auto m = SigmoidCalibration::fit(s, y);
  EXPECT_LT(m.a, 0);  // higher scores, the class: a negative slope in 1 / (1 + exp(a·s + b))
  // The gradient of the cross-entropy against Platt's targets vanishes there.
  double n1 = 0;
  for (int v : y) n1 += v;
  const double n0 = static_cast<double>(y.size()) - n1;
  double ga = 0, gb = 0;
  for (std::size_t i = 0; i < s.size(); ++i) {
    const double t = y[i] ? (n1 + 1) / (n1 + 2) : 1 / (n0 + 2);
    ga += (t - m(s[i])) * s[i];
    gb += t - m(s[i]);
  }
  EXPECT_LT(std::abs(ga), 1e-9);
  EXPECT_LT(std::abs(gb), 1e-9);
}

TEST(Calibrator, BinaryComplementsAndMulticlassRowsSumToOne) {
  Matrix binary(3, 2);
  binary << 0.9, 0.1, 0.4, 0.6, 0.2, 0.8;
  const auto two =
      Calibrator::fit(CalibrationMethod::sigmoid, CalibrationInput::probability,
                      calibration_scores(binary, CalibrationInput::probability), std::vector<int>{0, 1, 1}, 2);
  EXPECT_EQ(two.size(), 1u);
  const Matrix p = two.apply(binary);
  for (Eigen::Index i = 0; i < 3; ++i) EXPECT_EQ(p(i, 0), 1.0 - p(i, 1));
  Matrix three(4, 3);
  three << 0.7, 0.2, 0.1, 0.1, 0.8, 0.1, 0.2, 0.2, 0.6, 0.3, 0.3, 0.4;
  const auto many =
      Calibrator::fit(CalibrationMethod::isotonic, CalibrationInput::log_odds,
                      calibration_scores(three, CalibrationInput::log_odds), std::vector<int>{0, 1, 2, 2}, 3);
  EXPECT_EQ(many.size(), 3u);
  const Matrix q = many.apply(three);
  for (Eigen::Index i = 0; i < 4; ++i) EXPECT_NEAR(q.row(i).sum(), 1.0, 1e-15);
}

TEST(Calibrator, LogOddsAreTheDecisionFunctionAndStayFinite) {
  Matrix p(2, 2);
  p << 0.25, 0.75, 0.0, 1.0;  // the second row saturated
  const Matrix s = calibration_scores(p, CalibrationInput::log_odds);
  EXPECT_DOUBLE_EQ(s(0, 0), std::log(3.0));
  EXPECT_TRUE(std::isfinite(s(1, 0)));
  EXPECT_NEAR(s(1, 0), -std::log(DBL_EPSILON), 1e-12);
  EXPECT_EQ(calibration_input_for("logistic"), CalibrationInput::log_odds);
  EXPECT_EQ(calibration_input_for("random_forest"), CalibrationInput::probability);
}

TEST(ThresholdSpec, ReadsFixedAndTunedAndRefusesWhatIsNeither) {
  EXPECT_EQ(*ThresholdSpec::parse("0.3").value, 0.3);
  EXPECT_EQ(ThresholdSpec::parse("tune:f1").metric, "f1");
  EXPECT_EQ(ThresholdSpec::parse("tune:balanced_accuracy").to_string(), "tune:balanced_accuracy");
  EXPECT_THROW(ThresholdSpec::parse("1.5"), UsageError);
  EXPECT_THROW(ThresholdSpec::parse("high"), UsageError);
  EXPECT_THROW(ThresholdSpec::parse("tune:"), UsageError);
  try {
    ThresholdSpec::parse("tune:roc_auc");
    FAIL() << "roc_auc does not depend on the threshold";
  } catch (const UsageError& e) {
    EXPECT_NE(std::string(e.what()).find("does not depend on the threshold"), std::string::npos) << e.what();
  }
  EXPECT_THROW(ThresholdSpec::parse("tune:r2"), UsageError);
}

TEST(TuneThreshold, PicksTheFirstBestOfTheMeanInterpolatedCurve) {
  // Two folds, each separable at 0.5: accuracy 1 from just above the highest
  // negative to the lowest positive; the grid's first point there wins.
  const std::vector<ThresholdFold> folds = {{{0.1, 0.2, 0.6, 0.9}, {0, 0, 1, 1}}, {{0.0, 0.3, 0.7, 1.0}, {0, 0, 1, 1}}};
  const TunedThreshold t = tune_threshold(folds, "accuracy", 11);
  EXPECT_DOUBLE_EQ(t.score, 1.0);
  EXPECT_GT(t.value, 0.3);
  EXPECT_LE(t.value, 0.6);
  EXPECT_THROW(tune_threshold({{{0.4, 0.4}, {0, 1}}}, "f1"), DataError);  // nothing to tune
}

TEST(CalibratedModel, ChangesProbabilitiesNotTheUncalibratedOnes) {
  const Dataset d = breast_cancer();
  Model plain("gaussian_nb");
  plain.fit(d);
  Model calibrated = Model("gaussian_nb").calibrated({CalibrationMethod::isotonic, 5});
  calibrated.fit(d);
  const Matrix before = calibrated.predict_proba_uncalibrated(d.features());
  EXPECT_TRUE(before.isApprox(plain.predict_proba(d.features()), 0)) << "the final fit is the plain model";
  const Matrix after = calibrated.predict_proba(d.features());
  EXPECT_GT((after - before).cwiseAbs().maxCoeff(), 0.01);
  // Naive Bayes is overconfident: calibration lowers its log loss on held-out rows.
  const Result raw = score(Model("gaussian_nb"), d, {.folds = 5}, {"log_loss"});
  const Result fixed =
      score(Model("gaussian_nb").calibrated({CalibrationMethod::isotonic, 5}), d, {.folds = 5}, {"log_loss"});
  EXPECT_LT(fixed.mean("log_loss"), raw.mean("log_loss"));
  // Every fold kept the probabilities before calibration, for the chart.
  const HeldOutPredictions held = fixed.held_out();
  EXPECT_EQ(held.uncalibrated.rows(), static_cast<Eigen::Index>(d.rows()));
  const HeldOutPredictions again = HeldOutPredictions::from_csv(held.to_csv(), "predictions.csv");
  EXPECT_TRUE(again.uncalibrated.isApprox(held.uncalibrated, 0));
}

TEST(CalibratedModel, ScoreCrossFitsTheCalibrationInsideEachFold) {
  // Each fold's held-out probabilities are those of a model calibrated on
  // that fold's training rows alone: the held-out rows never reach the map.
  const Dataset d = breast_cancer();
  const Model prototype = Model("logistic").calibrated({CalibrationMethod::isotonic, 4});
  const Validation v{.folds = 3, .seed = 5};
  const Result r = score(prototype, d, v, {"log_loss"});
  const Splits splits = make_splits(d, v, strata(d));
  ASSERT_EQ(r.folds.size(), splits.folds.size());
  for (std::size_t f = 0; f < splits.folds.size(); ++f) {
    Model alone = prototype.clone();
    alone.fit(d.take(splits.folds[f].train));
    const Matrix expected = alone.predict_proba(d.take(splits.folds[f].test).features());
    EXPECT_TRUE(r.folds[f].held_out.proba.isApprox(expected, 0)) << "fold " << f;
  }
}

TEST(CalibratedModel, RefusesRegressionAndClassesRarerThanTheFolds) {
  Model m = Model("decision_tree").calibrated({CalibrationMethod::sigmoid, 5});
  try {
    m.fit(read_dataset(test::data_path("diabetes.csv"), "progression"));
    FAIL() << "calibrated a regression";
  } catch (const UsageError& e) {
    EXPECT_NE(std::string(e.what()).find("is for classifiers"), std::string::npos) << e.what();
  }
  EXPECT_THROW(Model("linear").calibrated({CalibrationMethod::sigmoid, 5}), UsageError);
  EXPECT_THROW(Model("logistic").calibrated({CalibrationMethod::sigmoid, 1}), UsageError);
  Frame f;
  f.add(Column::numeric("x", {1, 2, 3, 4, 5, 6, 7, 8}));
  const Column y = Column::from_strings("y", {"a", "a", "a", "a", "a", "a", "b", "b"});
  try {
    Model("logistic").calibrated({CalibrationMethod::sigmoid, 3}).fit(f, y);
    FAIL() << "class b has 2 rows for 3 folds";
  } catch (const DataError& e) {
    EXPECT_NE(std::string(e.what()).find("class 'b' has 2"), std::string::npos) << e.what();
  }
}

TEST(ThresholdModel, ChangesLabelsNeverProbabilities) {
  const Dataset d = breast_cancer();
  Model plain("logistic");
  plain.fit(d);
  Model low = Model("logistic").with_threshold(ThresholdSpec::parse("0.05"));
  low.fit(d);
  const Predictions a = plain.predict(d.features()), b = low.predict(d.features());
  EXPECT_TRUE(a.proba.isApprox(b.proba, 0));
  std::size_t positive_a = 0, positive_b = 0;
  for (std::size_t i = 0; i < a.values.size(); ++i) {
    positive_a += a.values[i] == 1, positive_b += b.values[i] == 1;
    EXPECT_EQ(b.values[i], b.proba(static_cast<Eigen::Index>(i), 1) >= 0.05 ? 1 : 0) << i;
  }
  EXPECT_GT(positive_b, positive_a);
  EXPECT_EQ(*low.decision_threshold(), 0.05);
}

TEST(ThresholdModel, IsRefusedOnMulticlassAndRegressionTargets) {
  Model m = Model("decision_tree").with_threshold(ThresholdSpec::parse("0.3"));
  try {
    m.fit(read_dataset(test::data_path("iris.csv"), "species"));
    FAIL() << "a threshold on three classes";
  } catch (const UsageError& e) {
    EXPECT_NE(std::string(e.what()).find("is for two classes; target 'species' has 3"), std::string::npos) << e.what();
  }
  EXPECT_THROW(m.fit(read_dataset(test::data_path("diabetes.csv"), "progression")), UsageError);
  EXPECT_THROW(Model("linear").with_threshold(ThresholdSpec::parse("0.3")), UsageError);
}

TEST(ThresholdModel, TunedThresholdIsCrossValidatedAndRecorded) {
  Model m = Model("logistic").with_threshold(ThresholdSpec::parse("tune:recall"));
  m.fit(breast_cancer());
  ASSERT_TRUE(m.decision_threshold());
  EXPECT_LT(*m.decision_threshold(), 0.5);  // recall is won by predicting more positives
  EXPECT_GT(m.threshold_score(), 0.9);
  EXPECT_EQ(m.decision_params().at("threshold"), "tune:recall");
  EXPECT_EQ(m.decision_params().at("threshold_cv"), "5");
}

TEST(DecidedModelFile, IsFormatThreeAndPredictsTheSameAfterLoading) {
  const Dataset d = breast_cancer();
  test::TempDir dir;
  for (auto method : {CalibrationMethod::sigmoid, CalibrationMethod::isotonic}) {
    Model m = Model("hist_gbdt", {{"n_estimators", "20"}})
                  .calibrated({method, 3})
                  .with_threshold(ThresholdSpec::parse("tune:f1"));
    m.fit(d);
    m.save(dir.file("m.shipml"));
    const auto header = read_model_header(read_file(dir.file("m.shipml")), "m.shipml");
    EXPECT_EQ(header["format_version"], 3);
    EXPECT_EQ(header["calibration"]["method"], to_string(method));
    EXPECT_EQ(header["calibration"]["input"], "log_odds");
    EXPECT_EQ(header["threshold"]["metric"], "f1");
    const Model back = Model::load(dir.file("m.shipml"));
    const Predictions p = m.predict(d.features()), q = back.predict(d.features());
    EXPECT_EQ(p.values, q.values);
    EXPECT_TRUE(p.proba.isApprox(q.proba, 0));
    EXPECT_EQ(back.decision_threshold(), m.decision_threshold());
    // A refit of the loaded model is calibrated and tuned again.
    EXPECT_EQ(back.clone().decision_params(), m.decision_params());
  }
  Model plain("logistic");
  plain.fit(d);
  EXPECT_EQ(read_model_header(encode_model(plain), "p")["format_version"], 1);  // the oldest format that holds it
}

}  // namespace
}  // namespace shipml
