// The shadow scorer on its own: a regression shadow's agreement and absolute
// difference equal what the two models say of the same rows, and a queue that
// is full drops and counts requests instead of holding up the one submitting.
#include <gtest/gtest.h>

#include <cmath>

#include "shipml/serve/shadow_scorer.hpp"
#include "support.hpp"

namespace shipml::test {
namespace {

std::shared_ptr<const serve::ServedModel> served(Model model, const std::string& version) {
  auto s = std::make_shared<serve::ServedModel>();
  s->name = "concrete";
  s->version = version;
  s->variant = serve::Variant::shadow;
  s->model = std::make_shared<const Model>(std::move(model));
  return s;
}

struct Concrete {
  Dataset data = read_dataset(data_path("concrete.csv"), "compressive_strength");
  Model answering{"linear"}, shadowing{"hist_gbdt", {{"n_estimators", "30"}}};
  Concrete() {
    answering.fit(data);
    shadowing.fit(data);
  }
};

TEST(ShadowScorer, RegressionAgreementAndDifferenceEqualTheModelsOwn) {
  Concrete c;
  const Frame rows = c.data.features();
  const Predictions answered = c.answering.predict(rows), shadow = c.shadowing.predict(rows);
  serve::ShadowScorer scorer(serve::ShadowOptions{.tolerance = 0.05}, nullptr);
  const auto model = served(std::move(c.shadowing), "2");
  scorer.submit({model, rows, answered});
  scorer.submit({model, rows, answered});
  scorer.close();

  double difference = 0;
  std::uint64_t agreeing = 0;
  for (std::size_t i = 0; i < rows.rows(); ++i) {
    const double d = std::abs(shadow.values[i] - answered.values[i]);
    difference += d;
    agreeing += d <= 0.05 * std::max(std::abs(shadow.values[i]), std::abs(answered.values[i]));
  }
  ASSERT_GT(agreeing, 0u);
  ASSERT_LT(agreeing, rows.rows());
  const auto a = scorer.agreement("concrete", "2");
  EXPECT_EQ(a.rows, 2 * rows.rows());
  EXPECT_EQ(a.agreeing, 2 * agreeing);
  EXPECT_NEAR(a.abs_difference, 2 * difference, 1e-9 * difference);
  EXPECT_EQ(a.failed, 0u);
  EXPECT_NE(
      scorer.render_metrics().find("shipml_shadow_rows_total{model=\"concrete\",version=\"2\",against=\"primary\"} " +
                                   std::to_string(2 * rows.rows()) + "\n"),
      std::string::npos);
}

TEST(ShadowScorer, AFullQueueDropsAndCountsWithoutWaiting) {
  Concrete c;
  const Frame rows = c.data.features();
  const Predictions answered = c.answering.predict(rows);
  serve::ShadowScorer scorer(serve::ShadowOptions{.queue = 1}, nullptr);
  const auto model = served(std::move(c.shadowing), "2");
  constexpr std::uint64_t kJobs = 200;
  for (std::uint64_t i = 0; i < kJobs; ++i) scorer.submit({model, rows, answered});
  scorer.close();
  const auto a = scorer.agreement("concrete", "2");
  EXPECT_GT(scorer.dropped(), 0u);  // scoring 1030 rows takes far longer than a push
  EXPECT_EQ(a.rows, (kJobs - scorer.dropped()) * rows.rows());
  EXPECT_NE(scorer.render_metrics().find("shipml_shadow_dropped_total " + std::to_string(scorer.dropped()) + "\n"),
            std::string::npos);
}

}  // namespace
}  // namespace shipml::test
