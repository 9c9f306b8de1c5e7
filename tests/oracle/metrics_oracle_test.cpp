// Every metric against scikit-learn's value on the same inputs: random cases,
// ties, imbalance, single-class truth, classes absent from a fold.
#include <gtest/gtest.h>

#include <set>

#include <cmath>

#include "oracle_support.hpp"
#include "shipml/metrics/curves.hpp"
#include "shipml/metrics/metrics.hpp"

namespace shipml {
namespace {

Evaluation classification_case(const nlohmann::json& c) {
  Evaluation e;
  e.task = Task::classification;
  e.n_classes = c["n_classes"];
  e.truth = c["y_true"].get<std::vector<double>>();
  e.predicted = c["y_pred"].get<std::vector<double>>();
  const auto rows = c["proba"].get<std::vector<std::vector<double>>>();
  e.proba.resize(static_cast<Eigen::Index>(rows.size()), e.n_classes);
  for (std::size_t i = 0; i < rows.size(); ++i)
    for (int k = 0; k < e.n_classes; ++k)
      e.proba(static_cast<Eigen::Index>(i), k) = rows[i][static_cast<std::size_t>(k)];
  return e;
}

void expect_matches(const Evaluation& e, const nlohmann::json& c) {
  std::size_t compared = 0;
  for (const auto& [name, expected] : c["expected"].items()) {
    const double got = find_metric(name).compute(e);
    if (expected.is_null()) {
      EXPECT_TRUE(std::isnan(got)) << c["name"] << " " << name << ": scikit-learn refuses, shipml gave " << got;
    } else {
      EXPECT_NEAR(got, expected.get<double>(), 1e-10 * std::max(1.0, std::abs(expected.get<double>())))
          << c["name"] << " " << name;
    }
    ++compared;
  }
  EXPECT_GE(compared, 5u);
}

TEST(MetricsOracle, ClassificationMatchesScikitLearn) {
  const auto cases = test::oracle("metrics.json")["classification"];
  ASSERT_GE(cases.size(), 10u);
  for (const auto& c : cases) expect_matches(classification_case(c), c);
}

TEST(MetricsOracle, RocAndPrecisionRecallCurvesMatchScikitLearn) {
  std::size_t compared = 0;
  const auto cases = test::oracle("metrics.json")["classification"];
  for (const auto& c : cases) {
    if (!c.contains("curves")) continue;
    const Evaluation e = classification_case(c);
    std::vector<int> positive(e.truth.begin(), e.truth.end());
    const auto col = e.proba.col(1);
    const std::vector<double> score(col.begin(), col.end());
    const auto& ref = c["curves"];
    const ThresholdCurve roc = roc_curve(positive, score);
    const ThresholdCurve pr = precision_recall_curve(positive, score);
    auto same = [&](const std::vector<double>& ours, const nlohmann::json& theirs, const char* what) {
      const auto t = theirs.get<std::vector<double>>();
      ASSERT_EQ(ours.size(), t.size()) << c["name"] << " " << what;
      for (std::size_t i = 0; i < t.size(); ++i)
        EXPECT_NEAR(ours[i], t[i], 1e-12) << c["name"] << " " << what << " " << i;
    };
    same(roc.x, ref["fpr"], "fpr");
    same(roc.y, ref["tpr"], "tpr");
    same(roc.thresholds, ref["roc_thresholds"], "roc thresholds");
    same(pr.x, ref["recall"], "recall");
    same(pr.y, ref["precision"], "precision");
    std::vector<double> thresholds = pr.thresholds;  // scikit-learn lists thresholds for all but the end point
    same(thresholds, ref["pr_thresholds"], "pr thresholds");
    ++compared;
  }
  EXPECT_GE(compared, 4u);
}

TEST(MetricsOracle, RegressionMatchesScikitLearn) {
  const auto cases = test::oracle("metrics.json")["regression"];
  ASSERT_GE(cases.size(), 5u);
  for (const auto& c : cases) {
    Evaluation e;
    e.truth = c["y_true"].get<std::vector<double>>();
    e.predicted = c["y_pred"].get<std::vector<double>>();
    expect_matches(e, c);
  }
}

TEST(MetricsOracle, EveryRegisteredMetricIsCovered) {
  const auto m = test::oracle("metrics.json");
  std::set<std::string> covered;
  for (const auto& group : {m["classification"], m["regression"]})
    for (const auto& c : group)
      for (const auto& [name, v] : c["expected"].items()) covered.insert(name);
  for (const auto& metric : metrics()) EXPECT_TRUE(covered.count(metric.name)) << metric.name;
}

}  // namespace
}  // namespace shipml
