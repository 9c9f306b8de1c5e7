// hist_gbdt against XGBoost (hist, native categories) on the same 5 folds: the
// mean ROC AUC must be at least XGBoost's minus 0.005, with no preprocessing of
// categories or missing values by the user.
#include <gtest/gtest.h>

#include <iostream>
#include <numeric>

#include "oracle_support.hpp"
#include "shipml/shipml.hpp"

namespace shipml {
namespace {

double hist_gbdt_auc(const Dataset& data, const std::vector<std::size_t>& test) {
  std::vector<bool> is_test(data.rows(), false);
  for (auto i : test) is_test[i] = true;
  std::vector<std::size_t> train;
  for (std::size_t i = 0; i < data.rows(); ++i)
    if (!is_test[i]) train.push_back(i);
  Model m("hist_gbdt");
  m.fit(data.take(train));
  const Dataset held = data.take(test);
  const Predictions p = m.predict(held.features());
  const auto truth = class_indices(held.labels(), p.classes);
  return roc_auc_score(truth, p.proba);
}

TEST(BoostingOracle, RocAucWithinHalfAPointOfXgboostOnTheSameFolds) {
  const auto cases = test::oracle("boosting.json");
  ASSERT_EQ(cases.size(), 3u);
  for (const auto& c : cases) {
    const Dataset data = read_dataset(std::string(SHIPML_SOURCE_DIR) + "/data/" + c["dataset"].get<std::string>(),
                                      c["target"].get<std::string>());
    double ours = 0, theirs = 0;
    for (std::size_t f = 0; f < c["test_folds"].size(); ++f) {
      ours += hist_gbdt_auc(data, c["test_folds"][f].get<std::vector<std::size_t>>());
      theirs += c["xgboost_auc"][f].get<double>();
    }
    ours /= c["test_folds"].size();
    theirs /= c["test_folds"].size();
    std::cout << c["dataset"].get<std::string>() << ": 5-fold ROC AUC hist_gbdt " << ours << ", XGBoost " << theirs
              << '\n';
    EXPECT_GE(ours, theirs - 0.005) << c["dataset"];
  }
}

}  // namespace
}  // namespace shipml
