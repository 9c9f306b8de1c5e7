// Progress a front door observes (the Python package draws it), and the stop
// request long work honours.
#include "shipml/core/progress.hpp"

#include <gtest/gtest.h>

#include "shipml/core/interrupt.hpp"

namespace shipml {
namespace {

struct ObservedProgress : ::testing::Test {
  void SetUp() override { set_progress_display(ProgressDisplay::observed); }
  void TearDown() override { set_progress_display(ProgressDisplay::off); }
};

TEST_F(ObservedProgress, TheOutermostWorkIsReadAndNothingIsDrawn) {
  EXPECT_FALSE(current_progress());
  {
    Progress outer("search hist_gbdt", 10);
    outer.tick(3);
    outer.note("best roc_auc 0.93");
    {
      Progress inner("hist_gbdt", 100);  // a fit inside the search: the search is what shows
      inner.tick(50);
      const auto state = current_progress();
      ASSERT_TRUE(state);
      EXPECT_EQ(state->label, "search hist_gbdt");
      EXPECT_EQ(state->done, 3u);
      EXPECT_EQ(state->total, 10u);
      EXPECT_EQ(state->note, "best roc_auc 0.93");
      EXPECT_GE(state->elapsed_seconds, 0.0);
    }
    outer.tick(100);  // never past the total
    EXPECT_EQ(current_progress()->done, 10u);
  }
  EXPECT_FALSE(current_progress());
}

TEST_F(ObservedProgress, OneUnitOfWorkIsNotShown) {
  Progress single("fit", 1);
  EXPECT_FALSE(current_progress());
}

TEST(Interrupt, AStopRequestIsThrownUntilWithdrawn) {
  EXPECT_NO_THROW(throw_if_stopped("fitting"));
  request_stop();
  try {
    throw_if_stopped("fitting");
    FAIL() << "no Interrupted";
  } catch (const Interrupted& e) {
    EXPECT_STREQ(e.what(), "fitting stopped by Ctrl-C");
  }
  clear_stop();
  EXPECT_FALSE(stop_requested());
  EXPECT_NO_THROW(throw_if_stopped("fitting"));
}

}  // namespace
}  // namespace shipml
