#include "shipml/core/params.hpp"

#include <gtest/gtest.h>

#include "shipml/core/error.hpp"
#include "shipml/model/model.hpp"

namespace shipml {
namespace {

std::string error_of(const std::string& estimator, const std::map<std::string, std::string>& p) {
  try {
    Model m(estimator, p);
  } catch (const UsageError& e) {
    return e.what();
  }
  return "no error";
}

TEST(Params, DefaultsAreFilledIn) {
  const Model m("decision_tree");
  EXPECT_EQ(m.params().text("max_depth"), "0");
  EXPECT_EQ(m.params().text("criterion"), "auto");
}

TEST(Params, ValuesAreCanonicalised) {
  const Model m("logistic", {{"C", "1e1"}, {"fit_intercept", "yes"}});
  EXPECT_EQ(m.params().text("C"), "10");
  EXPECT_EQ(m.params().text("fit_intercept"), "true");
  EXPECT_DOUBLE_EQ(m.params().real("C"), 10.0);
}

TEST(Params, UnknownParameterNamesEstimatorAndKnownOnes) {
  EXPECT_EQ(error_of("logistic", {{"Cc", "1"}}),
            "logistic: unknown parameter 'Cc' (parameters: C, max_iter, tol, fit_intercept)");
}

TEST(Params, WrongTypeAndRangeSayWhatIsAllowed) {
  EXPECT_EQ(error_of("decision_tree", {{"max_depth", "deep"}}),
            "decision_tree: parameter max_depth='deep' is not an integer (allowed: an integer >= 0)");
  EXPECT_EQ(error_of("decision_tree", {{"min_samples_leaf", "0"}}),
            "decision_tree: parameter min_samples_leaf='0' is out of range (allowed: an integer >= 1)");
  EXPECT_EQ(error_of("logistic", {{"C", "0"}}), "logistic: parameter C='0' is out of range (allowed: a number > 0)");
  EXPECT_EQ(error_of("decision_tree", {{"criterion", "best"}}),
            "decision_tree: parameter criterion='best' is not a known choice (allowed: one of auto, gini, entropy, "
            "squared_error)");
  EXPECT_EQ(error_of("decision_tree", {{"max_features", "1.5"}}).substr(0, 58),
            "decision_tree: parameter max_features='1.5' is not accepte");
}

TEST(Params, UnknownEstimatorListsKnownOnes) {
  EXPECT_EQ(
      error_of("xgb", {}),
      "unknown estimator 'xgb' (estimators: linear, logistic, decision_tree, random_forest, extra_trees, hist_gbdt, "
      "elastic_net, lasso, knn, gaussian_nb, xgboost)");
}

TEST(Params, AssignmentParsing) {
  EXPECT_EQ(parse_assignment("a=b=c"), (std::pair<std::string, std::string>{"a", "b=c"}));
  EXPECT_THROW(parse_assignment("novalue"), UsageError);
}

}  // namespace
}  // namespace shipml
