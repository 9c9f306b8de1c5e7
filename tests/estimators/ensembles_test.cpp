// Tree ensembles beyond the contract: native categories and missing values,
// hard columns, determinism across thread counts, what inspect reports.
#include <gtest/gtest.h>

#include <limits>

#include <algorithm>
#include <cmath>
#include <functional>

#include "support.hpp"

namespace shipml {
namespace {

const char* kEnsembles[] = {"random_forest", "extra_trees", "hist_gbdt"};

Predictions fit_predict(const std::string& estimator, const Dataset& train, const Frame& test,
                        std::map<std::string, std::string> params = {}) {
  Model m(estimator, params);
  m.fit(train);
  return m.predict(test);
}

void expect_same(const Predictions& a, const Predictions& b) {
  ASSERT_EQ(a.values, b.values);
  ASSERT_EQ(a.proba.size(), b.proba.size());
  for (Eigen::Index i = 0; i < a.proba.size(); ++i) ASSERT_EQ(a.proba.data()[i], b.proba.data()[i]);
}

TEST(Ensembles, SameSeedSameModelWhateverTheThreadCount) {
  // Enough rows that histogram building and partitioning run in parallel blocks.
  const Dataset d = test::synthetic(Task::classification, 150000, 3);
  const Frame f = d.features();
  for (const char* e : kEnsembles) {
    const std::map<std::string, std::string> one{{"threads", "1"}, {"n_estimators", "5"}};
    const std::map<std::string, std::string> two{{"threads", "2"}, {"n_estimators", "5"}};
    expect_same(fit_predict(e, d, f, one), fit_predict(e, d, f, two));
  }
}

TEST(Ensembles, UnseenCategoryFollowsTheMissingDirection) {
  const Dataset d = test::synthetic(Task::classification, 400);
  Frame unseen, missing;
  const Frame f = d.features();
  std::vector<std::string> violet(f.rows(), "ultraviolet");
  for (const auto& c : f.columns()) {
    if (c.name() != "color") {
      unseen.add(c);
      missing.add(c);
      continue;
    }
    unseen.add(Column::from_strings("color", violet));
    missing.add(Column::from_strings("color", violet, std::vector<bool>(f.rows(), true)));
  }
  for (const char* e : kEnsembles) expect_same(fit_predict(e, d, unseen), fit_predict(e, d, missing));
}

TEST(Ensembles, ConstantAndAllMissingColumnsAreHarmless) {
  Dataset d = test::synthetic(Task::regression, 300);
  d.frame.add(Column::numeric("constant", std::vector<double>(300, 4.0)));
  d.frame.add(Column::numeric("empty", std::vector<double>(300, NAN)));
  for (const char* e : kEnsembles) {
    Model m(e);
    m.fit(d);
    const auto gain = m.inspect().value("feature_importances_gain", nlohmann::json::object());
    EXPECT_EQ(gain.value("constant", -1.0), 0.0) << e;
    EXPECT_EQ(gain.value("empty", -1.0), 0.0) << e;
  }
}

TEST(Ensembles, MissingValuesCarrySignal) {
  // The target is decided by whether x is missing: only a learned missing direction can tell.
  const std::size_t n = 600;
  std::vector<double> x(n);
  std::vector<std::string> y(n);
  for (std::size_t i = 0; i < n; ++i) {
    const bool gap = i % 3 == 0;
    x[i] = gap ? NAN : static_cast<double>(i % 7);
    y[i] = gap ? "gap" : "value";
  }
  Frame f;
  f.add(Column::numeric("x", x));
  f.add(Column::from_strings("y", y));
  const Dataset d{f, "y", "gaps"};
  for (const char* e : kEnsembles) {
    const Predictions p = fit_predict(e, d, d.features(), {{"n_estimators", "10"}});
    const auto truth = class_indices(d.labels(), p.classes);
    EXPECT_EQ(accuracy_score(truth, std::vector<int>(p.values.begin(), p.values.end())), 1.0) << e;
  }
}

TEST(Ensembles, CategorySubsetSplitsSeparateInterleavedCategories) {
  // Classes follow categories a,c,e vs b,d,f: no threshold on sorted codes splits them, a subset does.
  const char* cats[] = {"a", "b", "c", "d", "e", "f"};
  std::vector<std::string> c, y;
  for (int i = 0; i < 1200; ++i) {
    c.push_back(cats[i % 6]);
    y.push_back(i % 2 ? "odd" : "even");
  }
  Frame f;
  f.add(Column::from_strings("c", c));
  f.add(Column::from_strings("y", y));
  const Dataset d{f, "y", "cats"};
  const Predictions p = fit_predict("hist_gbdt", d, d.features(), {{"n_estimators", "3"}, {"max_leaves", "2"}});
  const auto truth = class_indices(d.labels(), p.classes);
  EXPECT_EQ(accuracy_score(truth, std::vector<int>(p.values.begin(), p.values.end())), 1.0);
}

TEST(Ensembles, MulticlassWithARareClassDoesNotDiverge) {
  // 3 rows of a rare class among 600: log loss must stay finite and the common classes right.
  Dataset d = test::synthetic(Task::classification, 600);
  std::vector<std::string> labels;
  for (std::size_t i = 0; i < d.rows(); ++i) labels.push_back(i < 3 ? "rare" : d.labels().text(i));
  d.frame = d.frame.without("y");
  d.frame.add(Column::from_strings("y", labels));
  const Result r = score(Model("hist_gbdt"), d, {.folds = 3}, {"accuracy", "log_loss"});
  EXPECT_GT(r.mean("accuracy"), 0.8);
  EXPECT_TRUE(std::isfinite(r.mean("log_loss")));
  EXPECT_LT(r.mean("log_loss"), 1.0);
}

TEST(Ensembles, EarlyStoppingKeepsTheBestRound) {
  const Dataset d = test::synthetic(Task::regression, 2000);
  Model m("hist_gbdt", {{"early_stopping", "true"}, {"n_estimators", "500"}, {"learning_rate", "0.3"}});
  m.fit(d);
  const auto j = m.inspect();
  EXPECT_GE(j["rounds"].get<int>(), 5);  // it learned, and stopped before the budget
  EXPECT_LT(j["rounds"].get<int>(), 500);
  EXPECT_EQ(j["rounds"], j["best_round"]);
  EXPECT_EQ(j["trees"], j["rounds"]);
  // The kept round is the one with the lowest validation loss.
  const auto& curve = j["validation_loss_per_round"];
  const double lowest = std::min_element(curve.begin(), curve.end(), [](const auto& a, const auto& b) {
                          return a.template get<double>() < b.template get<double>();
                        })->get<double>();
  EXPECT_NEAR(j["validation_loss_best"].get<double>(), lowest, 1e-9 * lowest);
  EXPECT_EQ(curve[j["best_round"].get<std::size_t>() - 1].get<double>(), j["validation_loss_best"].get<double>());
  // And the model predicts far better than the mean.
  EXPECT_GT(r2_score(target_values(d.labels()), m.predict(d.features()).values), 0.8);
}

TEST(Ensembles, RegressionLossesFitTheirTarget) {
  const Dataset d = test::synthetic(Task::regression, 1500);
  for (const char* loss : {"squared_error", "absolute_error", "huber"}) {
    const Result r = score(Model("hist_gbdt", {{"loss", loss}}), d, {}, {"r2"});
    EXPECT_GT(r.mean("r2"), 0.8) << loss;
  }
  // Poisson needs counts >= 0.
  std::vector<double> counts;
  for (std::size_t i = 0; i < d.rows(); ++i) counts.push_back(std::floor(std::exp(d.labels().values()[i] / 3)));
  Dataset pd = d;
  pd.frame = d.frame.without("y");
  pd.frame.add(Column::numeric("y", counts));
  EXPECT_GT(score(Model("hist_gbdt", {{"loss", "poisson"}}), pd, {.task = Task::regression}, {"r2"}).mean("r2"), 0.5);
  EXPECT_THROW(Model("hist_gbdt", {{"loss", "poisson"}}).fit(d), DataError);  // negative targets
}

TEST(Ensembles, OutOfBagScoreIsReported) {
  const Dataset d = test::synthetic(Task::classification, 500);
  Model m("random_forest", {{"oob_score", "true"}, {"n_estimators", "30"}});
  m.fit(d);
  EXPECT_GT(m.inspect()["oob_score"].get<double>(), 0.6);
}

TEST(Ensembles, TreeDumpNamesFeaturesAndThresholds) {
  const Dataset d = test::synthetic(Task::classification, 300);
  Model m("hist_gbdt", {{"n_estimators", "2"}});
  m.fit(d);
  const nlohmann::json trees = m.dump_trees();
  ASSERT_EQ(trees.size(), 6u);  // 2 rounds x 3 classes
  const std::string text = trees.dump();
  EXPECT_NE(text.find("\"feature\":\"x1\""), std::string::npos);
  EXPECT_NE(text.find("\"threshold\""), std::string::npos);
  EXPECT_NE(text.find("\"missing_goes\""), std::string::npos);
}

// The leaf value a row of the frame reaches in a tree of `dump_trees()`: the
// dump says each split in the user's terms, so this walks the trees
// independently of the layout prediction uses.
double dumped_leaf(const nlohmann::json& node, const Frame& f, std::size_t row) {
  const nlohmann::json* at = &node;
  while (!at->contains("leaf")) {
    const double x = f.column((*at)["feature"].get<std::string>()).values()[row];
    const bool left = std::isnan(x) ? (*at)["missing_goes"] == "left" : x <= (*at)["threshold"].get<double>();
    at = &(*at)[left ? "left" : "right"];
  }
  return (*at)["leaf"].get<double>();
}

// Numeric test rows with missing values and infinities.
Frame with_extremes(const Frame& f) {
  std::vector<double> x1(f.column("x1").values().begin(), f.column("x1").values().end());
  // The largest numbers there are (infinities are refused as input): beyond every threshold.
  const double largest = std::numeric_limits<double>::max();
  for (std::size_t i = 0; i < x1.size(); i += 7) x1[i] = i % 2 ? largest : -largest;
  for (std::size_t i = 3; i < x1.size(); i += 11) x1[i] = NAN;
  Frame out;
  out.add(Column::numeric("x1", x1));
  out.add(f.column("x2"));
  return out;
}

TEST(Ensembles, PredictionReachesTheLeavesTheTreeDumpDescribes) {
  Frame train = test::synthetic(Task::regression, 600).frame;
  const Frame features = with_extremes(train);
  Frame numeric = features;
  numeric.add(train.column("y"));
  const Dataset d{numeric, "y", "numeric"};
  for (const char* e : kEnsembles) {
    SCOPED_TRACE(e);
    Model m(e, {{"n_estimators", "12"}});
    m.fit(d);
    const std::vector<double> predicted = m.predict(features).values;
    const nlohmann::json trees = m.dump_trees();
    std::vector<double> sums(features.rows(), 0.0);
    for (std::size_t i = 0; i < features.rows(); ++i)
      for (const auto& t : trees) sums[i] += dumped_leaf(t, features, i);
    for (std::size_t i = 0; i < features.rows(); ++i) {
      if (std::string(e) == "hist_gbdt")  // the baseline plus every tree's leaf
        ASSERT_NEAR(predicted[i] - sums[i], predicted[0] - sums[0], 1e-9) << "row " << i;
      else  // the mean of every tree's leaf
        ASSERT_NEAR(predicted[i], sums[i] / static_cast<double>(trees.size()), 1e-9) << "row " << i;
    }
  }
}

// predict(batch) row by row equals predict(that row alone), to the last bit,
// for batches of each size in `sizes` (rows taken across the frame).
void expect_batches_match_single_rows(const Frame& f, std::initializer_list<std::size_t> sizes,
                                      const std::function<Matrix(const Frame&)>& predict) {
  for (std::size_t n : sizes) {
    std::vector<std::size_t> rows(n);
    for (std::size_t i = 0; i < n; ++i) rows[i] = (i * 37) % f.rows();
    const Matrix batch = predict(f.take(rows));
    for (std::size_t i = 0; i < n; ++i) {
      const std::vector<std::size_t> one{rows[i]};
      const Matrix single = predict(f.take(one));
      for (Eigen::Index k = 0; k < single.cols(); ++k)
        ASSERT_EQ(batch(static_cast<Eigen::Index>(i), k), single(0, k)) << n << " rows, row " << i;
    }
  }
}

TEST(Ensembles, BatchesOfAnySizePredictWhatSingleRowsPredict) {
  // Batches walk 16 rows down a tree side by side; single rows and the rows
  // left over walk several trees at once. Both add leaves in tree order.
  const Dataset d = test::synthetic(Task::classification, 900);
  for (const char* e : kEnsembles) {
    SCOPED_TRACE(e);
    Model m(e, {{"n_estimators", "10"}});
    m.fit(d);
    expect_batches_match_single_rows(d.features(), {1, 15, 16, 17, 50, 900},
                                     [&](const Frame& rows) { return m.predict(rows).proba; });
  }
}

TEST(Ensembles, MulticlassBoostingAddsEachClassTreesToItsOwnMargin) {
  // Tree t of a round belongs to class t % 3. One pass over the rows serves
  // every class; batches, the rows left over and single rows each sum a
  // class's trees in order, from the baseline the tree dump does not show.
  const Dataset iris = read_dataset(test::data_path("iris.csv"), "species");
  const Frame f = iris.features();
  Model m("hist_gbdt", {{"n_estimators", "6"}});
  m.fit(iris);
  const nlohmann::json trees = m.dump_trees();
  ASSERT_EQ(trees.size(), 18u);
  const Matrix margin = m.raw_output(f);
  ASSERT_EQ(margin.cols(), 3);
  for (Eigen::Index k = 0; k < 3; ++k) {
    std::vector<double> baseline;
    for (std::size_t i = 0; i < f.rows(); ++i) {
      double sum = 0;
      for (std::size_t t = static_cast<std::size_t>(k); t < trees.size(); t += 3) sum += dumped_leaf(trees[t], f, i);
      baseline.push_back(margin(static_cast<Eigen::Index>(i), k) - sum);
    }
    for (std::size_t i = 0; i < f.rows(); ++i)
      ASSERT_NEAR(baseline[i], baseline[0], 1e-9) << "class " << k << ", row " << i;
  }
  expect_batches_match_single_rows(f, {1, 17, 150}, [&](const Frame& rows) { return m.raw_output(rows); });
}

}  // namespace
}  // namespace shipml

namespace shipml {
namespace {

TEST(Ensembles, BalancedClassWeightRaisesMinorityRecallOfBoosting) {
  const Dataset churn = read_dataset(test::data_path("churn.csv"), "churn");  // 14% yes
  const double plain = score(Model("hist_gbdt", {{"n_estimators", "30"}}), churn, {}, {"recall"}).mean("recall");
  const double balanced =
      score(Model("hist_gbdt", {{"n_estimators", "30"}, {"class_weight", "balanced"}}), churn, {}, {"recall"})
          .mean("recall");
  EXPECT_GT(balanced, plain);
}

// Fully grown forests have pure leaves, where weights change little (scikit-learn's
// balanced forest even loses recall on churn); shallow trees show the weighting.
TEST(Ensembles, BalancedClassWeightRaisesMinorityShareInForestLeaves) {
  const Dataset churn = read_dataset(test::data_path("churn.csv"), "churn");
  auto mean_yes = [&](const std::string& weight) {
    Model m("random_forest", {{"n_estimators", "30"}, {"max_depth", "3"}, {"class_weight", weight}});
    m.fit(churn);
    return m.predict_proba(churn.features()).col(1).mean();
  };
  EXPECT_GT(mean_yes("balanced"), mean_yes("none") + 0.1);
}

}  // namespace
}  // namespace shipml
