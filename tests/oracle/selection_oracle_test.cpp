// Feature selection against scikit-learn on the same data and folds: the same
// univariate statistics and p-values, mutual information within the estimator's
// noise, and RFE, RFECV and sequential selection choosing the same columns.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>

#include "oracle_support.hpp"
#include "shipml/experiment/selection.hpp"
#include "shipml/shipml.hpp"

namespace shipml {
namespace {

Dataset load(const nlohmann::json& c) {
  return read_dataset(std::string(SHIPML_SOURCE_DIR) + "/data/" + c["dataset"].get<std::string>(),
                      c["target"].get<std::string>());
}

const RankedFeature& find(const FeatureSelection& s, const std::string& name) {
  for (const auto& f : s.features)
    if (f.feature == name) return f;
  throw std::runtime_error("no feature " + name);
}

// Close in relative terms, or both below what a double can tell from zero here.
void expect_close(double ours, double theirs, double rel, const std::string& what) {
  if (std::abs(theirs) < 1e-250) EXPECT_LT(std::abs(ours), 1e-240) << what;
  else EXPECT_NEAR(ours / theirs, 1.0, rel) << what << ": ours " << ours << ", scikit-learn " << theirs;
}

std::vector<std::string> top(const std::vector<std::string>& names, const std::vector<double>& values, std::size_t k) {
  std::vector<std::size_t> order(names.size());
  for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return values[a] > values[b]; });
  std::vector<std::string> out;
  for (std::size_t i = 0; i < k; ++i) out.push_back(names[order[i]]);
  std::sort(out.begin(), out.end());
  return out;
}

TEST(SelectionOracle, UnivariateStatisticsAndPValuesMatchScikitLearn) {
  const auto ref = test::oracle("selection.json");
  for (const char* task : {"classification", "regression"}) {
    const auto& c = ref[task];
    const Dataset d = load(c);
    const auto names = c["features"].get<std::vector<std::string>>();
    const FeatureSelection f = select_k_best(d, {.test = UnivariateTest::f_test, .k = 5});
    for (std::size_t j = 0; j < names.size(); ++j) {
      expect_close(find(f, names[j]).score, c["f"][j], 1e-9, std::string(task) + " F of " + names[j]);
      expect_close(find(f, names[j]).p_value, c["f_p"][j], 1e-6, std::string(task) + " F p-value of " + names[j]);
    }
    // The five kept are scikit-learn's five largest F.
    auto kept = f.selected();
    std::sort(kept.begin(), kept.end());
    EXPECT_EQ(kept, top(names, c["f"].get<std::vector<double>>(), 5)) << task;

    // Mutual information: the same estimator, whose value depends on the noise
    // that breaks ties; ours must fall within scikit-learn's own spread over
    // five seeds (plus 0.01).
    const FeatureSelection mi = select_k_best(d, {.test = UnivariateTest::mutual_info, .k = 5});
    std::vector<double> mean(names.size(), 0.0);
    for (std::size_t j = 0; j < names.size(); ++j) {
      double lo = INFINITY, hi = -INFINITY;
      for (const auto& seed : c["mutual_info"]) {
        lo = std::min(lo, seed[j].get<double>());
        hi = std::max(hi, seed[j].get<double>());
        mean[j] += seed[j].get<double>() / static_cast<double>(c["mutual_info"].size());
      }
      EXPECT_GE(find(mi, names[j]).score, lo - 0.01) << task << " MI of " << names[j];
      EXPECT_LE(find(mi, names[j]).score, hi + 0.01) << task << " MI of " << names[j];
    }
    kept = mi.selected();
    std::sort(kept.begin(), kept.end());
    const auto theirs = top(names, mean, 5);
    std::size_t shared = 0;
    for (const auto& k : kept) shared += std::count(theirs.begin(), theirs.end(), k);
    EXPECT_GE(shared, 4u) << task << ": the top five by mutual information mostly agree";
  }
  const auto& c = ref["classification"];
  const FeatureSelection chi = select_k_best(load(c), {.test = UnivariateTest::chi2});
  const auto names = c["features"].get<std::vector<std::string>>();
  for (std::size_t j = 0; j < names.size(); ++j) {
    expect_close(find(chi, names[j]).score, c["chi2"][j], 1e-9, "chi2 of " + names[j]);
    expect_close(find(chi, names[j]).p_value, c["chi2_p"][j], 1e-6, "chi2 p-value of " + names[j]);
  }
}

Model exact_logistic() { return Model("logistic", {{"tol", "1e-10"}, {"max_iter", "10000"}}); }

TEST(SelectionOracle, RfeRanksLikeScikitLearn) {
  const auto ref = test::oracle("selection.json");
  const Dataset d = load(ref["classification"]);
  const auto names = ref["classification"]["features"].get<std::vector<std::string>>();
  const FeatureSelection r = recursive_elimination(exact_logistic(), d, {.n_features = 10, .step = 2});
  for (std::size_t j = 0; j < names.size(); ++j)
    EXPECT_EQ(find(r, names[j]).rank, ref["rfe_ranking"][j].get<std::size_t>()) << names[j];
  EXPECT_EQ(r.selected().size(), 10u);
}

TEST(SelectionOracle, RfecvScoresEverySizeAndChoosesTheSameNumberOfFeatures) {
  const auto ref = test::oracle("selection.json");
  const Dataset d = load(ref["classification"]);
  EliminationOptions o{.step = 3, .cross_validate = true, .metric = "log_loss"};
  o.validation.given_folds = test::given_folds(ref["test_folds"], d.rows());
  const FeatureSelection r = recursive_elimination(exact_logistic(), d, o);
  const auto theirs = ref["rfecv_mean_log_loss"].get<std::vector<double>>();
  ASSERT_EQ(r.curve.size(), theirs.size());
  for (std::size_t i = 0; i < theirs.size(); ++i)
    EXPECT_NEAR(r.curve[i].mean, theirs[i], 2e-3) << r.curve[i].features << " features";
  EXPECT_EQ(r.selected().size(), ref["rfecv_n_features"].get<std::size_t>());
}

TEST(SelectionOracle, ForwardSelectionAddsTheSameColumns) {
  const auto ref = test::oracle("selection.json");
  const Dataset d = load(ref["classification"]);
  SequentialOptions o{.forward = true, .n_features = 3, .metric = "log_loss"};
  o.validation.given_folds = test::given_folds(ref["test_folds"], d.rows());
  const FeatureSelection r = sequential_selection(exact_logistic(), d, o);
  auto ours = r.selected(), theirs = ref["sequential_selected"].get<std::vector<std::string>>();
  std::sort(ours.begin(), ours.end());
  std::sort(theirs.begin(), theirs.end());
  EXPECT_EQ(ours, theirs);
  ASSERT_EQ(r.curve.size(), 3u);
  EXPECT_GT(r.curve[0].mean, r.curve[2].mean);  // log loss falls as columns are added
}

}  // namespace
}  // namespace shipml
