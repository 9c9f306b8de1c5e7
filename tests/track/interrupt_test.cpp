// A stop request (Ctrl-C in a front door) ends a fit between boosting rounds
// or trees: Interrupted, the model as it was before, and a run record that
// says interrupted, not failed. And runs are recorded by the track layer's
// fit_recorded and score_recorded, never by Model::fit or score() themselves.
#include <gtest/gtest.h>

#include <cstdlib>

#include "shipml/core/interrupt.hpp"
#include "shipml/track/recorded.hpp"
#include "shipml/track/run_store.hpp"
#include "support.hpp"

namespace shipml::test {
namespace {

TEST(Interrupt, AStoppedFitLeavesTheModelAsItWasAndIsRecordedAsInterrupted) {
  TempDir tmp;
  ::setenv("SHIPML_TRACKING", "on", 1);
  ::setenv("SHIPML_TRACKING_URI", tmp.file("runs").c_str(), 1);
  const Dataset d = synthetic(Task::classification);
  for (const char* estimator : {"hist_gbdt", "random_forest", "xgboost"}) {
    Model model(estimator);
    request_stop();
    EXPECT_THROW(fit_recorded(model, d), Interrupted) << estimator;
    clear_stop();
    EXPECT_FALSE(model.fitted()) << estimator;
    fit_recorded(model, d);  // the next call runs
    EXPECT_TRUE(model.fitted()) << estimator;
  }
  request_stop();
  EXPECT_THROW(score_recorded(Model("logistic"), d, {.folds = 3}), Interrupted);
  clear_stop();
  ::unsetenv("SHIPML_TRACKING_URI");
  ::setenv("SHIPML_TRACKING", "off", 1);
  std::map<std::string, int> statuses;
  for (const RunRecord& r : RunStore::open(tmp.file("runs"))->list()) ++statuses[r.kind + " " + r.status];
  EXPECT_EQ(statuses,
            (std::map<std::string, int>{{"score interrupted", 1}, {"train finished", 3}, {"train interrupted", 3}}));
}

TEST(Recorded, FitAndScoreRecordOnlyWhenAskedTo) {
  TempDir tmp;
  ::setenv("SHIPML_TRACKING", "on", 1);
  ::setenv("SHIPML_TRACKING_URI", tmp.file("runs").c_str(), 1);
  const Dataset d = synthetic(Task::classification);
  Model plain("logistic");
  plain.fit(d);                               // no side effects
  score(Model("logistic"), d, {.folds = 3});  // none either
  Model recorded("logistic");
  fit_recorded(recorded, d);
  const Result r = score_recorded(Model("logistic"), d, {.folds = 3});
  ::unsetenv("SHIPML_TRACKING_URI");
  ::setenv("SHIPML_TRACKING", "off", 1);
  const auto runs = RunStore::open(tmp.file("runs"))->list();
  ASSERT_EQ(runs.size(), 2u);
  EXPECT_EQ(runs[0].id, r.run_id);  // newest first
  EXPECT_EQ(runs[0].kind, "score");
  EXPECT_EQ(runs[1].kind, "train");
  EXPECT_EQ(runs[1].artifacts.count("model.shipml"), 1u);
  EXPECT_EQ(Model::load(runs[1].artifacts.at("model.shipml")).predict(d.features()).values,
            recorded.predict(d.features()).values);
}

}  // namespace
}  // namespace shipml::test
