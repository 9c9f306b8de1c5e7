// The estimator contract, checked against every registered estimator and every
// task it supports: registering an estimator adds it here with no test code.
#include <gtest/gtest.h>

#include <cmath>
#include <optional>
#include <thread>

#include "estimator_cases.hpp"
#include "support.hpp"

namespace shipml {
namespace {

using Case = test::EstimatorCase;

class Contract : public testing::TestWithParam<Case> {
 protected:
  Dataset data = test::synthetic(GetParam().task);
  Model fitted() const {
    Model m(GetParam().estimator);
    m.fit(data);
    return m;
  }
  static void expect_identical(const Predictions& a, const Predictions& b) {
    ASSERT_EQ(a.values.size(), b.values.size());
    for (std::size_t i = 0; i < a.values.size(); ++i)
      ASSERT_EQ(std::memcmp(&a.values[i], &b.values[i], sizeof(double)), 0) << "row " << i;
    EXPECT_TRUE(test::same_bits(a.proba, b.proba));
  }
};

TEST_P(Contract, FitPredictShapes) {
  const Model m = fitted();
  const Predictions p = m.predict(data.features());
  ASSERT_EQ(p.values.size(), data.rows());
  EXPECT_EQ(m.task(), GetParam().task);
  if (GetParam().task == Task::classification) {
    EXPECT_EQ(m.classes(), (std::vector<std::string>{"high", "low", "mid"}));
    ASSERT_EQ(p.proba.rows(), static_cast<Eigen::Index>(data.rows()));
    ASSERT_EQ(p.proba.cols(), 3);
    for (Eigen::Index i = 0; i < p.proba.rows(); ++i) {
      EXPECT_NEAR(p.proba.row(i).sum(), 1.0, 1e-9);
      EXPECT_GE(p.proba.row(i).minCoeff(), 0.0);
    }
  } else {
    for (double v : p.values) EXPECT_TRUE(std::isfinite(v));
  }
}

TEST_P(Contract, LearnsSomething) {
  const Predictions p = fitted().predict(data.features());
  if (GetParam().task == Task::classification) {
    const auto truth = class_indices(data.labels(), p.classes);
    std::vector<int> pred(p.values.begin(), p.values.end());
    EXPECT_GT(accuracy_score(truth, pred), 0.6);
  } else {
    EXPECT_GT(r2_score(target_values(data.labels()), p.values), 0.5);
  }
}

TEST_P(Contract, DeterministicForFixedParams) {
  expect_identical(fitted().predict(data.features()), fitted().predict(data.features()));
}

TEST_P(Contract, SaveLoadGivesBitIdenticalPredictions) {
  const Model m = fitted();
  test::TempDir tmp;
  m.save(tmp.file("m.shipml"));
  const Model loaded = Model::load(tmp.file("m.shipml"));
  expect_identical(m.predict(data.features()), loaded.predict(data.features()));
  EXPECT_EQ(loaded.params().values(), m.params().values());
  EXPECT_EQ(loaded.schema().names(), m.schema().names());
  EXPECT_EQ(loaded.classes(), m.classes());
}

TEST_P(Contract, PredictBeforeFitIsAClearError) {
  const Model m(GetParam().estimator);
  try {
    m.predict(data.features());
    FAIL() << "expected an error";
  } catch (const ModelError& e) {
    EXPECT_EQ(std::string(e.what()), GetParam().estimator + ": cannot predict before the model is fitted");
  }
}

TEST_P(Contract, MissingColumnIsNamed) {
  try {
    fitted().predict(data.features().without("x2"));
    FAIL() << "expected an error";
  } catch (const DataError& e) {
    EXPECT_NE(std::string(e.what()).find("missing column 'x2'"), std::string::npos) << e.what();
  }
}

TEST_P(Contract, WrongColumnTypeNamesColumnAndRow) {
  Frame bad;
  const Frame features = data.features();
  for (const auto& c : features.columns()) {
    if (c.name() != "x1") {
      bad.add(c);
      continue;
    }
    std::vector<std::string> text;
    for (std::size_t i = 0; i < c.size(); ++i) text.push_back(i == 4 ? "abc" : c.text(i));
    bad.add(Column::from_strings("x1", text));
  }
  try {
    fitted().predict(bad);
    FAIL() << "expected an error";
  } catch (const DataError& e) {
    EXPECT_STREQ(e.what(), "column 'x1' must be numeric, but row 5 has 'abc'");
  }
}

TEST_P(Contract, ExtraAndReorderedColumnsWork) {
  const Frame f = data.features();
  Frame shuffled;
  shuffled.add(Column::numeric("unused", std::vector<double>(f.rows(), 1.0)));
  for (std::size_t j = f.cols(); j-- > 0;) shuffled.add(f[j]);
  expect_identical(fitted().predict(f), fitted().predict(shuffled));
}

TEST_P(Contract, ParamsRoundTrip) {
  const Model m(GetParam().estimator);
  const Model again(GetParam().estimator, m.params().values());
  EXPECT_EQ(again.params().values(), m.params().values());
}

TEST_P(Contract, EveryDeclaredParameterIsValidatedWithItsName) {
  for (const auto& spec : find_estimator(GetParam().estimator).params) {
    EXPECT_TRUE(spec.check(spec.default_value).empty()) << spec.name << " default is invalid";
    try {
      Model(GetParam().estimator, {{spec.name, "not-a-value"}});
      if (spec.type != shipml::ParamType::text) ADD_FAILURE() << spec.name << " accepted 'not-a-value'";
    } catch (const UsageError& e) {
      EXPECT_NE(std::string(e.what()).find(GetParam().estimator + ": parameter " + spec.name), std::string::npos);
    }
  }
  EXPECT_THROW(Model(GetParam().estimator, {{"no_such_parameter", "1"}}), UsageError);
}

TEST_P(Contract, CloneIsUnfittedWithTheSameParams) {
  const Model m = fitted();
  const Model c = m.clone();
  EXPECT_FALSE(c.fitted());
  EXPECT_EQ(c.params().values(), m.params().values());
}

TEST_P(Contract, ConcurrentPredictionsEqualSingleThreaded) {
  const Model m = fitted();
  const Frame f = data.features();
  const Predictions expected = m.predict(f);
  std::vector<Predictions> got(4);
  std::vector<std::thread> threads;
  for (auto& g : got) threads.emplace_back([&] { g = m.predict(f); });
  for (auto& t : threads) t.join();
  for (const auto& g : got) expect_identical(expected, g);
}

TEST_P(Contract, TrainsOnRealDataWithCategoriesAndMissingValues) {
  const bool clf = GetParam().task == Task::classification;
  const Dataset d = clf ? read_dataset(test::data_path("credit_data.csv"), "Status")
                        : read_dataset(test::data_path("ames.csv"), "Sale_Price");
  const Result r = score(Model(GetParam().estimator), d, {.folds = 0});
  EXPECT_GT(r.mean(clf ? "roc_auc" : "r2"), clf ? 0.6 : 0.5);
}

class ClassifierContract : public Contract {};

TEST_P(ClassifierContract, SingleClassTrainingIsAClearError) {
  Frame f;
  f.add(Column::numeric("x", {1, 2, 3}));
  try {
    Model(GetParam().estimator).fit(f, Column::from_strings("y", {"a", "a", "a"}));
    FAIL();
  } catch (const DataError& e) {
    EXPECT_STREQ(e.what(), "target 'y' has one class in the training rows ('a'); a classifier needs at least two");
  }
}

INSTANTIATE_TEST_SUITE_P(Registered, Contract, testing::ValuesIn(test::estimator_cases()), test::estimator_case_name);
INSTANTIATE_TEST_SUITE_P(Registered, ClassifierContract, testing::ValuesIn(test::estimator_cases(Task::classification)),
                         test::estimator_case_name);

}  // namespace
}  // namespace shipml
