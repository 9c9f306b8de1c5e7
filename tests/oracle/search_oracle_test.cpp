// Search against scikit-learn's GridSearchCV on the same folds: the same grid of
// logistic-regression C values gives the same cross-validated log loss per
// candidate, and so picks the same best C.
#include <gtest/gtest.h>

#include "oracle_support.hpp"
#include "shipml/experiment/search.hpp"
#include "shipml/shipml.hpp"

namespace shipml {
namespace {

TEST(SearchOracle, SameGridPicksTheSameBestLogisticCAsGridSearchCV) {
  const auto c = test::oracle("search.json");
  const Dataset data = read_dataset(std::string(SHIPML_SOURCE_DIR) + "/data/" + c["dataset"].get<std::string>(),
                                    c["target"].get<std::string>());
  Validation v;
  v.given_folds = test::given_folds(c["test_folds"], data.rows());
  SearchSpace space;
  std::vector<std::string> values;
  for (double C : c["C"]) values.push_back(format_number(C));
  space.grid = {{"C", values}};
  SearchOptions o;
  o.validation = v;
  o.metrics = {"log_loss"};
  o.refit = false;
  const SearchResult r = search(Model("logistic", {{"tol", "1e-10"}, {"max_iter", "10000"}}), data, space, o);
  ASSERT_EQ(r.candidates.size(), values.size());
  for (std::size_t i = 0; i < values.size(); ++i)
    EXPECT_NEAR(r.candidates[i].result.mean("log_loss"), c["mean_log_loss"][i].get<double>(), 2e-3)
        << "C=" << values[i];
  ASSERT_TRUE(r.best.has_value());
  EXPECT_EQ(r.candidates[*r.best].params.at("C"), format_number(c["best_C"].get<double>()));
}

}  // namespace
}  // namespace shipml
