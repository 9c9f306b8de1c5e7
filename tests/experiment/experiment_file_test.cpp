// Experiment files: what they run and write, that a rerun gives the same
// numbers, JSON as well as YAML, and errors that point at the line.
#include <gtest/gtest.h>

#include <filesystem>

#include <nlohmann/json.hpp>

#include "shipml/experiment/experiment_file.hpp"
#include "support.hpp"

namespace shipml::test {
namespace {

std::string write(const TempDir& tmp, const std::string& name, const std::string& text) {
  write_file_atomic(tmp.file(name), text);
  return tmp.file(name);
}

TEST(ExperimentFile, SelectsComparesSearchesAndSavesTheBest) {
  TempDir tmp;
  const std::string file = write(tmp, "iris.yaml", R"(name: iris-check
seed: 3
data: {path: )" + data_path("iris.csv") + R"(, target: species}
validation: {cv: 3}
metrics: [accuracy, log_loss]
sort: log_loss
select: {method: kbest, test: f_test, k: 3, apply: true}
estimators:
  - logistic
  - decision_tree: {max_depth: 3}
search:
  estimator: decision_tree
  grid: {max_depth: [2, 4], min_samples_leaf: [1, 10]}
out: )" + tmp.file("results") + "\n");
  const ExperimentSpec spec = ExperimentSpec::read(file);
  EXPECT_EQ(spec.name, "iris-check");
  EXPECT_EQ(spec.validation.folds, 3);
  EXPECT_EQ(spec.validation.seed, 3u);
  ASSERT_EQ(spec.estimators.size(), 2u);
  EXPECT_EQ(spec.estimators[1].params.at("max_depth"), "3");
  const ExperimentOutcome first = run_experiment(spec);
  for (const char* f :
       {"experiment.yaml", "selection.csv", "leaderboard.json", "search.csv", "search.json", "best.shipml"})
    EXPECT_TRUE(std::filesystem::exists(tmp.file("results/") + f)) << f;
  // Selection was applied: the comparison and the best model see three columns.
  const Model best = Model::load(tmp.file("results/best.shipml"));
  EXPECT_EQ(best.estimator(), "decision_tree");
  EXPECT_EQ(best.schema().fields().size(), 3u);
  EXPECT_NE(first.report.find("search over decision_tree"), std::string::npos) << first.report;
  const auto board = nlohmann::json::parse(read_file(tmp.file("results/leaderboard.json")));
  const auto searched = nlohmann::json::parse(read_file(tmp.file("results/search.json")));
  EXPECT_EQ(searched["candidates"].size(), 4u);
  // Run again: the same numbers.
  run_experiment(spec);
  const auto again = nlohmann::json::parse(read_file(tmp.file("results/search.json")));
  for (std::size_t i = 0; i < 4; ++i)
    EXPECT_EQ(again["candidates"][i]["metrics"], searched["candidates"][i]["metrics"]) << i;
  const auto board_again = nlohmann::json::parse(read_file(tmp.file("results/leaderboard.json")));
  for (std::size_t i = 0; i < 2; ++i)
    EXPECT_EQ(board_again["entries"][i]["metrics"], board["entries"][i]["metrics"]) << i;
}

TEST(ExperimentFile, JsonWorksAndOneEstimatorIsScored) {
  TempDir tmp;
  const std::string file = write(tmp, "e.json",
                                 R"({"data": {"path": ")" + data_path("diabetes.csv") +
                                     R"(", "target": "progression"}, "validation": {"test_size": 0.3},
                                        "estimators": ["linear"], "out": ")" +
                                     tmp.file("out") + R"("})");
  const ExperimentSpec spec = ExperimentSpec::read(file);
  EXPECT_EQ(spec.name, "e");  // the file's name by default
  EXPECT_EQ(spec.validation.folds, 0);
  const ExperimentOutcome o = run_experiment(spec);
  EXPECT_TRUE(std::filesystem::exists(tmp.file("out/result.json")));
  EXPECT_TRUE(std::filesystem::exists(tmp.file("out/best.shipml")));
  EXPECT_NE(o.report.find("r2"), std::string::npos) << o.report;
}

// The error for `text` must name the line and column and say `what`.
void expect_error(const std::string& text, const std::string& where, const std::string& what) {
  TempDir tmp;
  const std::string file = write(tmp, "bad.yaml", text);
  try {
    ExperimentSpec::read(file);
    FAIL() << "accepted: " << text;
  } catch (const UsageError& e) {
    const std::string msg = e.what();
    EXPECT_NE(msg.find(file + ": " + where), std::string::npos) << msg;
    EXPECT_NE(msg.find(what), std::string::npos) << msg;
  }
}

TEST(ExperimentFile, ErrorsNameTheLineAndColumn) {
  const std::string data = "data: {path: x.csv, target: y}\n";
  expect_error(data + "estimators: [logistic]\nmetircs: [accuracy]\n", "line 3, column 1", "unknown key 'metircs'");
  expect_error(data + "estimators:\n  - hist_gbdt: {learning_rate: -1}\n", "line 3, column 5", "learning_rate");
  expect_error(data + "estimators:\n  - nope\n", "line 3, column 5", "unknown estimator 'nope'");
  expect_error(data + "estimators: [logistic]\nmetrics: [accuracy, auc]\n", "line 3", "unknown metric 'auc'");
  expect_error(data + "estimators: [logistic]\nvalidation: {cv: 1}\n", "line 3", "validation.cv must be at least 2");
  expect_error(data + "estimators: [decision_tree]\nsearch:\n  grid: {max_depth: [2, -1]}\n", "line 4", "max_depth");
  expect_error(data + "estimators: [logistic]\nselect: {method: lasso}\n", "line 3", "select.method must be");
  expect_error("estimators: [logistic]\n", "line 1", "needs data");
  expect_error(data + "estimators: [logistic\n", "line 3", "");  // YAML syntax
  expect_error(data + "estimators: [logistic]\nvalidation: {group: a, time: b}\n", "line 3",
               "validation takes one of group, time and fold_column");
  expect_error(data + "estimators: [logistic]\nvalidation: {gap: 7d}\n", "line 3",
               "validation.gap needs validation.time");
  expect_error(data + "estimators: [logistic]\nvalidation: {time: t, gap: 7y}\n", "line 3", "gap '7y'");
  expect_error(data + "estimators: [logistic]\nvalidation: {test_size: 0.2, repeats: 2}\n", "line 3",
               "validation.repeats");
}

TEST(ExperimentFile, AGroupedValidationKeepsGroupsWholeAndTheGroupIsNoFeature) {
  TempDir tmp;
  const std::string file = write(tmp, "grouped.yaml",
                                 "data: {path: " + data_path("churn.csv") +
                                     ", target: churn}\nvalidation: {cv: 3, group: state, repeats: 2}\n"
                                     "estimators: [logistic]\nout: " +
                                     tmp.file("out") + "\n");
  const ExperimentSpec spec = ExperimentSpec::read(file);
  EXPECT_EQ(spec.group, "state");
  EXPECT_EQ(spec.validation.repeats, 2);
  const ExperimentOutcome o = run_experiment(spec);
  EXPECT_NE(o.report.find("3-fold CV x 2, grouped by 'state', stratified"), std::string::npos) << o.report;
  const Model best = Model::load(tmp.file("out/best.shipml"));
  for (const auto& name : best.schema().names()) EXPECT_NE(name, "state");
}

TEST(ExperimentFile, RunCommandChecksAndRuns) {
  TempDir tmp;
  const std::string file = write(tmp, "wine.yaml",
                                 "data: {path: " + data_path("wine.csv") +
                                     ", target: cultivar}\nestimators: [logistic, decision_tree]\n"
                                     "validation: {cv: 3}\n");
  const auto checked = run_cli("run --check " + file);
  ASSERT_EQ(checked.exit_code, 0) << checked.err;
  EXPECT_EQ(checked.out, file + ": ok (wine)\n");
  const auto ran = run_cli("run -q " + file + " --out " + tmp.file("out"));
  ASSERT_EQ(ran.exit_code, 0) << ran.err;
  EXPECT_NE(ran.out.find("comparison, 3-fold CV"), std::string::npos) << ran.out;
  EXPECT_TRUE(std::filesystem::exists(tmp.file("out/best.shipml")));
  const auto bad = run_cli("run " + write(tmp, "bad.yaml", "data: 3\n"));
  EXPECT_EQ(bad.exit_code, 2);
  EXPECT_NE(bad.err.find("bad.yaml: line 1, column 7: data must be a mapping"), std::string::npos) << bad.err;
}

}  // namespace
}  // namespace shipml::test
