// The command line as a user meets it: the real binary, real files, exit codes
// (0 ok, 1 data/model error, 2 usage error) and one-line errors on stderr.
#include <gtest/gtest.h>

#include <fstream>
#include <set>

#include "support.hpp"

namespace shipml {
namespace {

using test::run_cli;

std::string data(const std::string& f) { return test::data_path(f); }

int lines(const std::string& s) { return static_cast<int>(std::count(s.begin(), s.end(), '\n')); }

TEST(Cli, HelpOnEveryCommand) {
  EXPECT_EQ(run_cli("--help").exit_code, 0);
  for (const char* cmd : {"estimators", "metrics", "train", "score", "predict", "inspect"}) {
    const auto r = run_cli(std::string(cmd) + " --help");
    EXPECT_EQ(r.exit_code, 0) << cmd;
    EXPECT_NE(r.out.find("Usage"), std::string::npos) << cmd;
  }
}

TEST(Cli, EstimatorsListsAndDescribes) {
  const auto all = run_cli("estimators");
  EXPECT_EQ(all.exit_code, 0);
  for (const auto& e : estimators()) EXPECT_NE(all.out.find(e.name), std::string::npos);
  const auto one = run_cli("estimators logistic");
  EXPECT_NE(one.out.find("C=1"), std::string::npos);
  EXPECT_NE(one.out.find("inverse of the L2 penalty"), std::string::npos);
  // The longest name=default still has a gap before its description.
  const auto boost = run_cli("estimators hist_gbdt");
  EXPECT_NE(boost.out.find("  validation_fraction=0.1  rows held out"), std::string::npos) << boost.out;
}

TEST(Cli, ScoreLogisticOnBreastCancerIsAccurate) {
  const auto r = run_cli("score --data " + data("breast_cancer.csv") + " --target diagnosis -e logistic --json");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto j = nlohmann::json::parse(r.out);
  EXPECT_GE(j["metrics"]["accuracy"]["mean"].get<double>(), 0.95);
  EXPECT_EQ(j["validation"], "hold-out 25%, stratified");
}

TEST(Cli, ScoreDecisionTreeOnIrisIsAccurate) {
  const auto r = run_cli("score --data " + data("iris.csv") + " --target species -e decision_tree --json");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_GE(nlohmann::json::parse(r.out)["metrics"]["accuracy"]["mean"].get<double>(), 0.90);
}

TEST(Cli, ScoreCrossValidationTable) {
  const auto r =
      run_cli("score --data " + data("diabetes.csv") + " --target progression -e linear --cv 5 -m r2 -m mae");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("5-fold CV"), std::string::npos);
  EXPECT_NE(r.out.find("fold5"), std::string::npos);
  EXPECT_NE(r.out.find("std"), std::string::npos);
  EXPECT_NE(r.out.find("mae"), std::string::npos);
}

TEST(Cli, SplitsByGroupTimeOrFoldColumnReachEveryScoringCommand) {
  const std::string churn = "--data " + data("churn.csv") + " --target churn ";
  auto json = [](const test::RunResult& r) { return nlohmann::json::parse(r.out); };
  const auto grouped = run_cli("score " + churn + "-e logistic --cv 3 --group state --cv-repeats 2 --json -q");
  ASSERT_EQ(grouped.exit_code, 0) << grouped.err;
  EXPECT_EQ(json(grouped)["validation"], "3-fold CV x 2, grouped by 'state', stratified");
  EXPECT_EQ(json(grouped)["folds"].size(), 6u);
  const std::string ames = "--data " + data("ames.csv") + " --target Sale_Price ";
  const auto timed = run_cli("compare " + ames + "-e linear -e hist_gbdt --cv 4 --time Year_Sold --json -q");
  ASSERT_EQ(timed.exit_code, 0) << timed.err;
  EXPECT_EQ(json(timed)["validation"], "4-fold time-ordered CV by 'Year_Sold' (expanding window)");
  const auto searched = run_cli("search " + churn + "-e logistic --grid C=0.1,1 --cv 3 --group state --json -q --out " +
                                ::testing::TempDir() + "/search-grouped");
  ASSERT_EQ(searched.exit_code, 0) << searched.err;
  EXPECT_EQ(json(searched)["validation"], "3-fold CV, grouped by 'state', stratified");
  const auto selected = run_cli("select " + churn + "-e logistic --method rfecv --cv 3 --group state --json -q");
  ASSERT_EQ(selected.exit_code, 0) << selected.err;
  // Mistakes are named before any work.
  const auto unknown = run_cli("score " + churn + "-e logistic --group State -q");
  EXPECT_EQ(unknown.exit_code, 2);
  EXPECT_NE(unknown.err.find("--group State: no such column"), std::string::npos) << unknown.err;
  const auto gap_alone = run_cli("score " + churn + "-e logistic --gap 3 -q");
  EXPECT_EQ(gap_alone.exit_code, 2);
  EXPECT_NE(gap_alone.err.find("--gap requires --time"), std::string::npos) << gap_alone.err;
  const auto two = run_cli("score " + churn + "-e logistic --group state --time account_length -q");
  EXPECT_EQ(two.exit_code, 2);
}

TEST(Cli, CompareWithNoEstimatorScoresABaselineOfEachFamily) {
  const auto r = run_cli("compare --data " + data("iris.csv") + " --target species --cv 3 --json -q --no-track");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  std::set<std::string> names;
  const auto board = nlohmann::json::parse(r.out);
  for (const auto& e : board["entries"]) names.insert(e["estimator"]);
  EXPECT_EQ(names, (std::set<std::string>{"logistic", "random_forest", "hist_gbdt", "knn"}));
  const auto regression = run_cli("compare --data " + data("diabetes.csv") +
                                  " --target progression --cv 3 --set knn.n_neighbors=9 --json -q --no-track");
  ASSERT_EQ(regression.exit_code, 0) << regression.err;
  EXPECT_EQ(nlohmann::json::parse(regression.out)["entries"].size(), 4u);
  EXPECT_NE(regression.out.find("\"linear\""), std::string::npos);
  const auto wrong = run_cli("compare --data " + data("iris.csv") + " --target species --set xgboost.max_depth=3 -q");
  EXPECT_EQ(wrong.exit_code, 2);
  EXPECT_NE(wrong.err.find("(logistic, random_forest, hist_gbdt, knn)"), std::string::npos) << wrong.err;
}

TEST(Cli, EveryEstimatorScoresChurnAndCreditWithoutPreprocessing) {
  for (const auto& e : estimators()) {
    if (!e.supports(Task::classification)) continue;
    for (const auto& [file, target] : {std::pair{"churn.csv", "churn"}, std::pair{"credit_data.csv", "Status"}}) {
      const auto r = run_cli("score --data " + data(file) + " --target " + target + " -e " + e.name + " --cv 3 --json");
      ASSERT_EQ(r.exit_code, 0) << e.name << " " << file << ": " << r.err;
      EXPECT_GT(nlohmann::json::parse(r.out)["metrics"]["roc_auc"]["mean"].get<double>(), 0.6) << e.name << file;
    }
  }
}

TEST(Cli, TrainPredictInspectAcrossProcesses) {
  test::TempDir tmp;
  const std::string model = tmp.file("churn.shipml");
  const auto train = run_cli("train --data " + data("churn.csv") + " --target churn -e logistic --out " + model);
  ASSERT_EQ(train.exit_code, 0) << train.err;
  EXPECT_NE(train.out.find("binary classification (no, yes)"), std::string::npos);

  const auto first = run_cli("predict --model " + model + " --data " + data("churn.csv") + " --proba");
  const auto second =
      run_cli("predict --model " + model + " --data " + data("churn.csv") + " --proba --out " + tmp.file("p.csv"));
  ASSERT_EQ(first.exit_code, 0) << first.err;
  ASSERT_EQ(second.exit_code, 0) << second.err;
  EXPECT_EQ(first.out, read_file(tmp.file("p.csv")));  // same bytes from two processes
  EXPECT_EQ(first.out.substr(0, first.out.find('\n')), "prediction,proba_no,proba_yes");
  EXPECT_EQ(lines(first.out), 5001);

  const auto inspect = run_cli("inspect " + model);
  ASSERT_EQ(inspect.exit_code, 0) << inspect.err;
  EXPECT_NE(inspect.out.find("state"), std::string::npos);
  EXPECT_NE(inspect.out.find("categorical (51: AK, AL, AR, AZ, CA, ...)"), std::string::npos);
  const auto j = nlohmann::json::parse(run_cli("inspect --json " + model).out);
  EXPECT_EQ(j["schema"].size(), 19u);
  EXPECT_EQ(j["estimator"]["name"], "logistic");
}

TEST(Cli, PredictWithIdColumn) {
  test::TempDir tmp;
  const std::string model = tmp.file("iris.shipml");
  ASSERT_EQ(run_cli("train --data " + data("iris.csv") + " --target species -e decision_tree -o " + model).exit_code,
            0);
  const auto r = run_cli("predict -m " + model + " --data " + data("iris.csv") + " --id species");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out.substr(0, r.out.find('\n')), "species,prediction");
}

// Each bad input: the exit code and the exact one line a user sees.
TEST(Cli, MissingTargetColumn) {
  const auto r = run_cli("score --data " + data("iris.csv") + " --target nope -e logistic");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.err.rfind("shipml: error: " + data("iris.csv") + ": no column named 'nope' (columns: ", 0), 0u) << r.err;
  EXPECT_EQ(lines(r.err), 1);
}

TEST(Cli, RaggedRow) {
  test::TempDir tmp;
  std::ofstream(tmp.file("bad.csv")) << "a,b,y\n1,2,x\n3,4\n5,6,y\n";
  const auto r = run_cli("score --data " + tmp.file("bad.csv") + " --target y -e logistic");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.err, "shipml: error: " + tmp.file("bad.csv") + ":3: expected 3 fields (as in the header), found 2\n");
}

TEST(Cli, UnknownEstimatorParameter) {
  const auto r = run_cli("score --data " + data("iris.csv") + " --target species -e logistic --set Cee=2");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.err, "shipml: error: logistic: unknown parameter 'Cee' (parameters: C, max_iter, tol, fit_intercept)\n");
}

TEST(Cli, UnknownEstimator) {
  const auto r = run_cli("train --data " + data("iris.csv") + " --target species -e forest -o /tmp/x.shipml");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(lines(r.err), 1);
  EXPECT_NE(r.err.find("unknown estimator 'forest'"), std::string::npos);
}

TEST(Cli, CorruptedModelFile) {
  test::TempDir tmp;
  const std::string model = tmp.file("m.shipml");
  ASSERT_EQ(run_cli("train --data " + data("iris.csv") + " --target species -e logistic -o " + model).exit_code, 0);
  std::string bytes = read_file(model);
  bytes[bytes.size() / 2] ^= 0x20;
  std::ofstream(model, std::ios::binary) << bytes;
  const auto r = run_cli("predict --model " + model + " --data " + data("iris.csv"));
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.err, "shipml: error: " + model + ": corrupted model file (checksum mismatch)\n");
}

TEST(Cli, NotAModelFile) {
  const auto r = run_cli("inspect " + data("iris.csv"));
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.err,
            "shipml: error: " + data("iris.csv") + ": not a shipml model file (no shipml magic bytes at the start)\n");
}

TEST(Cli, UsageErrorsExitTwo) {
  EXPECT_EQ(run_cli("").exit_code, 2);
  EXPECT_EQ(run_cli("frobnicate").exit_code, 2);
  EXPECT_EQ(run_cli("score --data " + data("iris.csv") + " -e logistic").exit_code, 2);  // no --target
  EXPECT_EQ(run_cli("score --data " + data("iris.csv") + " --target species -e logistic --cv 1").exit_code, 2);
  const auto metric = run_cli("score --data " + data("iris.csv") + " --target species -e logistic -m f1");
  EXPECT_EQ(metric.exit_code, 2);
  EXPECT_EQ(metric.err,
            "shipml: error: metric 'f1' needs two classes, this target has 3 (try f1_macro or f1_weighted)\n");
  const auto task = run_cli("score --data " + data("diabetes.csv") + " --target progression -e logistic");
  EXPECT_EQ(task.exit_code, 2);
  EXPECT_EQ(lines(task.err), 1);
}

TEST(Cli, PredictWithMissingColumn) {
  test::TempDir tmp;
  const std::string model = tmp.file("m.shipml");
  ASSERT_EQ(run_cli("train --data " + data("iris.csv") + " --target species -e logistic -o " + model).exit_code, 0);
  std::ofstream(tmp.file("few.csv")) << "sepal_length_cm,sepal_width_cm\n5.1,3.5\n";
  const auto r = run_cli("predict --model " + model + " --data " + tmp.file("few.csv"));
  EXPECT_EQ(r.exit_code, 1);
  // The file is named, with the columns it has.
  EXPECT_EQ(r.err.rfind("shipml: error: " + tmp.file("few.csv") +
                            ": no column named 'petal_length_cm' (columns: sepal_length_cm, sepal_width_cm)",
                        0),
            0u)
      << r.err;
}

}  // namespace
}  // namespace shipml

namespace shipml {
namespace {

TEST(Cli, InspectTreesPrintsEveryTreeWithCategoryNames) {
  test::TempDir tmp;
  const std::string model = tmp.file("m.shipml");
  ASSERT_EQ(test::run_cli("train --data " + test::data_path("churn.csv") +
                          " --target churn -e hist_gbdt --set n_estimators=3 -o " + model)
                .exit_code,
            0);
  const auto r = test::run_cli("inspect --trees " + model);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto trees = nlohmann::json::parse(r.out);
  EXPECT_EQ(trees.size(), 3u);
  EXPECT_NE(r.out.find("\"threshold\""), std::string::npos);
  const auto linear = tmp.file("l.shipml");
  ASSERT_EQ(
      test::run_cli("train --data " + test::data_path("diabetes.csv") + " --target progression -e linear -o " + linear)
          .exit_code,
      0);
  EXPECT_EQ(test::run_cli("inspect --trees " + linear).exit_code, 2);
}

}  // namespace
}  // namespace shipml

namespace shipml {
namespace {

TEST(Cli, NoProgressBarsInPipesAndQuietIsAcceptedAnywhere) {
  test::TempDir tmp;
  const auto piped = test::run_cli("train --data " + test::data_path("churn.csv") +
                                   " --target churn -e random_forest --set n_estimators=20 -o " + tmp.file("a.shipml"));
  ASSERT_EQ(piped.exit_code, 0) << piped.err;
  EXPECT_EQ(piped.err, "");  // stderr is not a terminal here: no bar
  for (const std::string args : {"--quiet train", "train -q"}) {
    const auto r = test::run_cli(args + " --data " + test::data_path("iris.csv") +
                                 " --target species -e hist_gbdt -o " + tmp.file("b.shipml"));
    EXPECT_EQ(r.exit_code, 0) << args << ": " << r.err;
  }
}

}  // namespace
}  // namespace shipml
