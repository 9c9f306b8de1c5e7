// A stop request (Ctrl-C in a front door) ends a fit between boosting rounds
// or trees: Interrupted, the model as it was before, and a run record that
// says interrupted, not failed.
#include <gtest/gtest.h>

#include <cstdlib>

#include "shipml/core/interrupt.hpp"
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
    EXPECT_THROW(model.fit(d), Interrupted) << estimator;
    clear_stop();
    EXPECT_FALSE(model.fitted()) << estimator;
    model.fit(d);  // the next call runs
    EXPECT_TRUE(model.fitted()) << estimator;
  }
  request_stop();
  EXPECT_THROW(score(Model("logistic"), d, {.folds = 3}), Interrupted);
  clear_stop();
  ::unsetenv("SHIPML_TRACKING_URI");
  ::setenv("SHIPML_TRACKING", "off", 1);
  std::map<std::string, int> statuses;
  for (const RunRecord& r : RunStore::open(tmp.file("runs"))->list()) ++statuses[r.kind + " " + r.status];
  EXPECT_EQ(statuses, (std::map<std::string, int>{{"score interrupted", 1}, {"train finished", 3}, {"train interrupted", 3}}));
}

}  // namespace
}  // namespace shipml::test
