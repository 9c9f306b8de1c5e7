// Scoring keeps its held-out predictions: every row once under cross-validation,
// the fold metrics recomputable from them, and a CSV form that reads back the same.
#include <gtest/gtest.h>

#include <algorithm>

#include "shipml/model/scoring.hpp"
#include "support.hpp"

namespace shipml::test {
namespace {

TEST(Scoring, KeepsEveryHeldOutPredictionOnceAndTheyGiveTheFoldMetrics) {
  const Dataset d = read_dataset(data_path("iris.csv"), "species");
  const Result r = score(Model("logistic"), d, {.folds = 4, .seed = 3}, {"accuracy", "log_loss"});
  const HeldOutPredictions h = r.held_out();
  ASSERT_EQ(h.size(), d.rows());
  std::vector<std::size_t> rows = h.rows;
  std::sort(rows.begin(), rows.end());
  for (std::size_t i = 0; i < rows.size(); ++i) ASSERT_EQ(rows[i], i);  // each row predicted exactly once
  EXPECT_EQ(h.classes, r.classes);
  ASSERT_EQ(h.evaluation.proba.rows(), static_cast<Eigen::Index>(d.rows()));
  ASSERT_EQ(h.evaluation.proba.cols(), 3);
  const auto truth = class_indices(d.labels(), r.classes);
  for (std::size_t i = 0; i < h.size(); ++i) EXPECT_EQ(h.evaluation.truth[i], truth[h.rows[i]]);
  for (std::size_t f = 0; f < r.folds.size(); ++f) {
    const Evaluation& e = r.folds[f].held_out;
    EXPECT_EQ(find_metric("accuracy").compute(e), r.folds[f].metrics.at("accuracy"));
    EXPECT_EQ(find_metric("log_loss").compute(e), r.folds[f].metrics.at("log_loss"));
  }
}

TEST(Scoring, HeldOutPredictionsRoundTripThroughCsv) {
  const Dataset d = read_dataset(data_path("breast_cancer.csv"), "diagnosis");
  const HeldOutPredictions h = score(Model("logistic"), d, {.folds = 3}).held_out();
  const HeldOutPredictions back = HeldOutPredictions::from_csv(h.to_csv(), "predictions.csv");
  EXPECT_EQ(back.rows, h.rows);
  EXPECT_EQ(back.fold, h.fold);
  EXPECT_EQ(back.classes, h.classes);
  EXPECT_EQ(back.evaluation.truth, h.evaluation.truth);
  EXPECT_EQ(back.evaluation.predicted, h.evaluation.predicted);
  EXPECT_TRUE(back.evaluation.proba.isApprox(h.evaluation.proba, 1e-15));

  const Dataset ames = read_dataset(data_path("ames.csv"), "Sale_Price");
  const Result holdout = score(Model("linear"), ames);
  const HeldOutPredictions reg = holdout.held_out();
  EXPECT_EQ(reg.size(), holdout.folds.front().test_rows);
  const HeldOutPredictions reg_back = HeldOutPredictions::from_csv(reg.to_csv(), "p.csv");
  EXPECT_EQ(reg_back.evaluation.task, Task::regression);
  EXPECT_EQ(reg_back.evaluation.predicted, reg.evaluation.predicted);
}

TEST(Scoring, HeldOutCsvErrorsNameTheLineAndColumn) {
  const std::string bad = "row,fold,truth,predicted,proba:a,proba:b\n0,0,a,a,0.9,0.1\n1,0,c,a,0.5,0.5\n";
  try {
    HeldOutPredictions::from_csv(bad, "p.csv");
    FAIL() << "an unknown class was accepted";
  } catch (const DataError& e) {
    EXPECT_NE(std::string(e.what()).find("p.csv: line 3, column truth: 'c'"), std::string::npos) << e.what();
  }
  EXPECT_THROW(HeldOutPredictions::from_csv("row,fold,truth\n0,0,1\n", "p.csv"), Error);
}

}  // namespace
}  // namespace shipml::test
