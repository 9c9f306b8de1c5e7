// Calibration and decision thresholds from the command line: the flags of
// train, score, compare and search, what inspect and predict show, the run
// record and its calibration chart, spec and experiment files, and the
// one-line errors for what cannot be.
#include <gtest/gtest.h>

#include <fstream>

#include "support.hpp"

namespace shipml {
namespace {

using test::run_cli;

std::string data(const std::string& f) { return test::data_path(f); }

class CalibrationCli : public ::testing::Test {
 protected:
  test::RunResult tracked(const std::string& args) {
    return run_cli(args, "SHIPML_TRACKING=on SHIPML_TRACKING_URI=" + tmp_.file("runs"));
  }
  test::TempDir tmp_;
};

TEST_F(CalibrationCli, TrainInspectAndPredictAgreeOnTheThreshold) {
  const std::string model = tmp_.file("bc.shipml");
  const auto train = run_cli("train --data " + data("breast_cancer.csv") +
                             " --target diagnosis -e gaussian_nb --calibrate isotonic --calibration-cv 4 "
                             "--threshold tune:f1 --threshold-cv 3 -q --out " +
                             model);
  ASSERT_EQ(train.exit_code, 0) << train.err;
  EXPECT_NE(train.out.find("calibrated: isotonic, fitted on out-of-fold predictions of 4 folds"), std::string::npos)
      << train.out;
  EXPECT_NE(train.out.find("threshold: malignant from probability "), std::string::npos) << train.out;

  const auto inspect = run_cli("inspect " + model);
  ASSERT_EQ(inspect.exit_code, 0) << inspect.err;
  EXPECT_NE(inspect.out.find("shipml model format 3"), std::string::npos) << inspect.out;
  EXPECT_NE(inspect.out.find("calibrated isotonic, on out-of-fold probability of 4 folds"), std::string::npos)
      << inspect.out;
  EXPECT_NE(inspect.out.find("(tuned for f1 by 3-fold CV: "), std::string::npos) << inspect.out;
  const auto header = nlohmann::json::parse(run_cli("inspect --json " + model).out);
  const double threshold = header["threshold"]["value"];
  EXPECT_EQ(header["calibration"]["cv"], 4);
  EXPECT_EQ(header["learned"]["calibration"]["maps"].size(), 1u);

  const auto predict = run_cli("predict --proba --model " + model + " --data " + data("breast_cancer.csv"));
  ASSERT_EQ(predict.exit_code, 0) << predict.err;
  const Frame out = parse_csv(predict.out);
  for (std::size_t i = 0; i < out.rows(); ++i)
    EXPECT_EQ(out.column("prediction").text(i),
              out.column("proba_malignant").values()[i] >= threshold ? "malignant" : "benign")
        << i;
}

// Dashed strokes of a calibration chart: the diagonal's, and a calibrated
// model's curve before calibration (each also in the legend).
std::size_t dashed_strokes(const std::string& svg_file) {
  std::ifstream in(svg_file);
  const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  std::size_t n = 0;
  for (std::size_t at = text.find("stroke-dasharray"); at != std::string::npos;
       at = text.find("stroke-dasharray", at + 1))
    ++n;
  return n;
}

TEST_F(CalibrationCli, ScoreRecordsTheCalibrationAndItsRunDrawsTheCurveBeforeIt) {
  const std::string plain = tmp_.file("plain.svg"), calibrated = tmp_.file("calibrated.svg");
  const std::string score =
      "score --data " + data("breast_cancer.csv") + " --target diagnosis -e gaussian_nb --cv 3 --json -q";
  ASSERT_EQ(tracked(score).exit_code, 0);
  ASSERT_EQ(tracked("plot calibration --run latest --out " + plain).exit_code, 0);
  const auto r = tracked(score + " --calibrate sigmoid");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["params"]["calibrate"], "sigmoid");
  EXPECT_EQ(j["params"]["calibration_cv"], "5");
  const auto shown = tracked("runs show latest");
  EXPECT_NE(shown.out.find("calibrate"), std::string::npos) << shown.out;
  const auto plot = tracked("plot calibration --run latest --out " + calibrated);
  ASSERT_EQ(plot.exit_code, 0) << plot.err;
  EXPECT_EQ(dashed_strokes(calibrated), dashed_strokes(plain) + 2) << "the curve before calibration, and its legend";
}

TEST_F(CalibrationCli, CompareRefitsTheCalibratedWinner) {
  const std::string best = tmp_.file("best.shipml");
  const auto r =
      run_cli("compare --data " + data("breast_cancer.csv") +
              " --target diagnosis -e logistic -e gaussian_nb --calibrate sigmoid --cv 3 -q --refit " + best);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto header = nlohmann::json::parse(run_cli("inspect --json " + best).out);
  EXPECT_EQ(header["format_version"], 3);
  EXPECT_EQ(header["calibration"]["method"], "sigmoid");
}

TEST_F(CalibrationCli, SearchCarriesTheThresholdToEveryCandidate) {
  const auto r =
      run_cli("search --data " + data("breast_cancer.csv") +
              " --target diagnosis -e logistic --grid C=0.1,1 --threshold 0.3 --cv 3 -q --out " + tmp_.file("search"));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto header = nlohmann::json::parse(run_cli("inspect --json " + tmp_.file("search/best.shipml")).out);
  EXPECT_EQ(header["threshold"]["value"], 0.3);
}

TEST_F(CalibrationCli, SpecAndExperimentFilesTakeCalibrationAndThreshold) {
  const std::string spec = tmp_.file("spec.yaml");
  std::ofstream(spec) << "estimator: {logistic: {C: 0.5}}\ncalibrate: isotonic\ncalibration_cv: 3\n"
                         "threshold: tune:balanced_accuracy\n";
  const std::string model = tmp_.file("m.shipml");
  const auto train = run_cli("train --data " + data("breast_cancer.csv") + " --target diagnosis --pipeline " + spec +
                             " -q --out " + model);
  ASSERT_EQ(train.exit_code, 0) << train.err;
  const auto header = nlohmann::json::parse(run_cli("inspect --json " + model).out);
  EXPECT_EQ(header["calibration"]["cv"], 3);
  EXPECT_EQ(header["threshold"]["metric"], "balanced_accuracy");

  const std::string experiment = tmp_.file("experiment.yaml");
  std::ofstream(experiment) << "data: {path: " << data("breast_cancer.csv") << ", target: diagnosis}\n"
                            << "validation: {cv: 3}\nout: " << tmp_.file("exp") << "\n"
                            << "estimators:\n  - {name: gaussian_nb, calibrate: sigmoid, threshold: 0.4}\n";
  const auto run = run_cli("run " + experiment + " -q");
  ASSERT_EQ(run.exit_code, 0) << run.err;
  const auto best = nlohmann::json::parse(run_cli("inspect --json " + tmp_.file("exp/best.shipml")).out);
  EXPECT_EQ(best["calibration"]["method"], "sigmoid");
  EXPECT_EQ(best["threshold"]["value"], 0.4);

  std::ofstream(spec) << "estimator: logistic\ncalibration_cv: 3\n";
  const auto lonely = run_cli("train --data " + data("breast_cancer.csv") + " --target diagnosis --pipeline " + spec +
                              " -q --out " + model);
  EXPECT_EQ(lonely.exit_code, 2);
  EXPECT_NE(lonely.err.find("line 2, column 17: calibration_cv needs calibrate"), std::string::npos) << lonely.err;
}

TEST_F(CalibrationCli, WhatCannotBeIsAOneLineUsageError) {
  const std::string base =
      "train --data " + data("iris.csv") + " --target species -e logistic -q --out " + tmp_.file("x.shipml");
  const auto multiclass = run_cli(base + " --threshold 0.3");
  EXPECT_EQ(multiclass.exit_code, 2);
  EXPECT_NE(multiclass.err.find("a decision threshold is for two classes; target 'species' has 3"), std::string::npos)
      << multiclass.err;
  const auto auc = run_cli(base + " --threshold tune:roc_auc");
  EXPECT_EQ(auc.exit_code, 2);
  EXPECT_NE(auc.err.find("roc_auc does not depend on the threshold"), std::string::npos) << auc.err;
  const auto method = run_cli(base + " --calibrate beta");
  EXPECT_EQ(method.exit_code, 2);
  EXPECT_NE(method.err.find("unknown calibration method 'beta' (methods: sigmoid, isotonic)"), std::string::npos)
      << method.err;
  const auto regression =
      run_cli("train --data " + data("diabetes.csv") +
              " --target progression -e decision_tree --calibrate sigmoid -q --out " + tmp_.file("r.shipml"));
  EXPECT_EQ(regression.exit_code, 2);
  EXPECT_NE(regression.err.find("calibration is for classifiers"), std::string::npos) << regression.err;
  EXPECT_EQ(run_cli(base + " --calibration-cv 3").exit_code, 2);  // folds of what?
}

}  // namespace
}  // namespace shipml
