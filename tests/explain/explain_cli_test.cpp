// `shipml explain` and `shipml predict --explain` as a user meets them: the
// table on bundled data adds up row by row, multiclass models get a row per
// class, and bad input is one clear error with no file written.
#include <gtest/gtest.h>

#include <filesystem>

#include "explain_support.hpp"

namespace shipml {
namespace {

using test::run_cli;

std::string data(const std::string& f) { return test::data_path(f); }

// `shipml train` on a bundled file, not recorded, saving `model`; the result of the run.
test::RunResult train(const std::string& file, const std::string& target, const std::string& how,
                      const std::string& model) {
  return run_cli("train --data " + data(file) + " --target " + target + " " + how + " -o " + model + " --no-track -q");
}

// Each row's contributions (every column but the named ones) plus its expected value, minus its raw output.
double largest_row_error(const Frame& table) {
  double worst = 0;
  for (std::size_t i = 0; i < table.rows(); ++i) {
    double sum = 0;
    for (const auto& c : table.columns())
      if (c.name() != "row" && c.name() != "output" && c.name() != "raw_output") sum += c.values()[i];
    worst = std::max(worst, std::abs(sum - table.column("raw_output").values()[i]));
  }
  return worst;
}

TEST(ExplainCli, WritesOneRowPerDataRowThatAddsUpToTheRawOutput) {
  test::TempDir tmp;
  const std::string model = tmp.file("churn.shipml"), out = tmp.file("explained.csv");
  ASSERT_EQ(train("churn.csv", "churn", "-e hist_gbdt --set n_estimators=30", model).exit_code, 0);
  const auto r = run_cli("explain --model " + model + " --data " + data("churn.csv") + " --rows 25 --out " + out);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const Frame table = read_csv(out, {.categorical = {"output"}});
  const Model m = Model::load(model);
  std::vector<std::string> expected{"row", "output"};
  for (const auto& name : m.schema().names()) expected.push_back(name);
  expected.push_back("expected_value");
  expected.push_back("raw_output");
  EXPECT_EQ(table.names(), expected);
  ASSERT_EQ(table.rows(), 25u);
  EXPECT_LE(largest_row_error(table), 1e-9);
  // The raw output is the model's log-odds of its second class.
  const Frame rows = test::first_rows(read_csv(data("churn.csv")), 25);
  const Matrix proba = m.predict_proba(rows);
  for (std::size_t i = 0; i < 25; ++i)
    EXPECT_NEAR(table.column("raw_output").values()[i],
                std::log(proba(static_cast<Eigen::Index>(i), 1) / proba(static_cast<Eigen::Index>(i), 0)), 1e-9);
}

TEST(ExplainCli, AMulticlassModelGetsOneRowPerDataRowAndClass) {
  test::TempDir tmp;
  const std::string model = tmp.file("iris.shipml");
  ASSERT_EQ(train("iris.csv", "species", "-e logistic", model).exit_code, 0);
  const auto r = run_cli("explain --model " + model + " --data " + data("iris.csv") + " --rows 4");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  test::TempDir csv;
  write_file_atomic(csv.file("t.csv"), r.out);
  const Frame table = read_csv(csv.file("t.csv"));
  ASSERT_EQ(table.rows(), 12u);  // 4 rows x 3 classes
  const Model m = Model::load(model);
  for (std::size_t i = 0; i < 12; ++i) {
    EXPECT_EQ(table.column("row").values()[i], static_cast<double>(i / 3 + 1));
    EXPECT_EQ(table.column("output").text(i), m.classes()[i % 3]);
  }
  EXPECT_LE(largest_row_error(table), 1e-9);
}

TEST(ExplainCli, JsonSaysHowTheValuesWereComputed) {
  test::TempDir tmp;
  const std::string model = tmp.file("credit.shipml");
  ASSERT_EQ(train("credit_data.csv", "Status", "-e knn", model).exit_code, 0);
  const auto r =
      run_cli("explain --model " + model + " --data " + data("credit_data.csv") + " --rows 3 --samples 64 --json");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["method"], "sampling");
  EXPECT_EQ(j["exact"], false);
  EXPECT_GT(j["error_bound"].get<double>(), 0);
  ASSERT_EQ(j["rows"].size(), 3u);
  double sum = j["expected_value"][0].get<double>();
  for (const auto& [column, value] : j["rows"][0]["contributions"].items()) sum += value.get<double>();
  EXPECT_NEAR(sum, j["rows"][0]["raw_output"].get<double>(), 1e-9);
}

TEST(ExplainCli, PredictExplainAddsTheContributionsBesideThePredictions) {
  test::TempDir tmp;
  const std::string model = tmp.file("credit.shipml");
  ASSERT_EQ(
      train("credit_data.csv", "Status", "-e random_forest --set n_estimators=10 --set max_depth=6", model).exit_code,
      0);
  const auto r = run_cli("predict --model " + model + " --data " + data("credit_data.csv") + " --explain");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  write_file_atomic(tmp.file("p.csv"), r.out);
  const Frame table = read_csv(tmp.file("p.csv"));
  const Model m = Model::load(model);
  EXPECT_EQ(table.names().front(), "prediction");
  double worst = 0;
  for (std::size_t i = 0; i < table.rows(); ++i) {
    double sum = table.column("expected_value").values()[i];
    for (const auto& name : m.schema().names()) sum += table.column("contribution:" + name).values()[i];
    worst = std::max(worst, std::abs(sum - table.column("raw_output").values()[i]));
  }
  EXPECT_LE(worst, 1e-9);
}

TEST(ExplainCli, AnUnknownModelIsAClearErrorAndWritesNothing) {
  test::TempDir tmp;
  const std::string out = tmp.file("out.csv");
  const auto r =
      run_cli("explain --model " + tmp.file("nowhere.shipml") + " --data " + data("churn.csv") + " --out " + out);
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("nowhere.shipml"), std::string::npos) << r.err;
  EXPECT_FALSE(std::filesystem::exists(out));
}

TEST(ExplainCli, DataMissingAColumnIsAClearErrorAndWritesNothing) {
  test::TempDir tmp;
  const std::string model = tmp.file("churn.shipml"), out = tmp.file("out.csv");
  ASSERT_EQ(train("churn.csv", "churn", "-e decision_tree --set max_depth=4", model).exit_code, 0);
  Frame partial = read_csv(data("churn.csv")).without("total_day_minutes");
  write_csv(tmp.file("partial.csv"), partial);
  const auto r = run_cli("explain --model " + model + " --data " + tmp.file("partial.csv") + " --out " + out);
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("total_day_minutes"), std::string::npos) << r.err;
  EXPECT_FALSE(std::filesystem::exists(out));
}

}  // namespace
}  // namespace shipml
