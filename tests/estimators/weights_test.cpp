// Sample weights through the estimator contract, for every registered learner
// and task: whole-number weights are row duplication (0: the row left out)
// wherever scikit-learn's semantics make it so, unit weights are no weights,
// and no learner ignores them. Learners see the encoded matrix directly, so
// the model's (unweighted) standardisation takes no part.
#include <gtest/gtest.h>

#include <cmath>

#include "estimator_cases.hpp"
#include "shipml/core/random.hpp"
#include "shipml/shipml.hpp"

namespace shipml {
namespace {

using Case = test::EstimatorCase;

// What makes duplication exact for a learner, beside its defaults, and how
// close the two fits come (iterative solvers stop near, not at, the optimum).
struct Duplication {
  std::map<std::string, std::string> params;
  double tolerance = 1e-9;
  bool zero_is_absent = true;  // a row of weight 0 fits as if it were not there
};

Duplication duplication(const std::string& estimator) {
  if (estimator == "logistic") return {{{"tol", "1e-10"}}, 1e-6};
  if (estimator == "elastic_net" || estimator == "lasso") return {{{"tol", "1e-12"}, {"max_iter", "100000"}}, 1e-7};
  // Bootstrap draws are of rows, not weight: without them a tree sees each row's
  // weight. Every feature at every node: the random feature draws happen at each
  // node big enough to try (counted in rows), so a node of three duplicates
  // draws where the one row of weight 3 does not, and the draws drift apart.
  if (estimator == "random_forest" || estimator == "extra_trees")
    return {{{"bootstrap", "false"}, {"max_features", "all"}}, 1e-9};
  // min_samples_leaf counts rows (as scikit-learn's), so a duplicate would count
  // twice where a weight counts once; rows of weight 0 still count. Gradients
  // and hessians are summed in float32: 3·g rounds unlike g + g + g.
  if (estimator == "hist_gbdt") return {{{"min_samples_leaf", "1"}}, 1e-6, false};
  // var_smoothing is a share of the largest unweighted variance, as scikit-learn's,
  // which duplicates change: at the default 0.1 it moves probabilities by 1e-3.
  if (estimator == "gaussian_nb") return {{{"var_smoothing", "1e-9"}}, 1e-6, false};
  // float32, and weights enter libxgboost's quantile sketch.
  if (estimator == "xgboost") return {{}, 1e-5, false};
  return {};
}

// Features of a few distinct values each (so binned learners bin a duplicated
// set exactly as the original), and a target that depends on them. Regression
// targets are multiples of 1/8, so that sums of them are exact in float32 and
// float64 alike: 3·y is then y + y + y, and a tie between two splits is a tie
// for the weighted rows and their duplicates alike (with rounding, a tree
// breaks it one way for one and the other way for the other).
struct Data {
  Matrix X;
  std::vector<double> y;
  int classes = 0;
};

Data make_data(Task task, std::size_t n, std::uint64_t seed) {
  Random rng(seed);
  Data d;
  d.X.resize(static_cast<Eigen::Index>(n), 3);
  d.classes = task == Task::classification ? 3 : 0;
  for (std::size_t i = 0; i < n; ++i) {
    const auto r = static_cast<Eigen::Index>(i);
    for (int j = 0; j < 3; ++j) d.X(r, j) = std::round((rng.uniform() - 0.5) * 12) / 2;  // -3, -2.5, ..., 3
    const double signal = d.X(r, 0) - 0.7 * d.X(r, 1) + 0.3 * d.X(r, 2) + 2 * (rng.uniform() - 0.5);
    d.y.push_back(task == Task::regression ? std::round(signal * 8) / 8 : signal < -1 ? 0 : signal < 1 ? 1 : 2);
  }
  return d;
}

// The rows of `d`, row i repeated counts[i] times.
Data repeated(const Data& d, const std::vector<double>& counts) {
  Data out;
  out.classes = d.classes;
  std::vector<Eigen::Index> rows;
  for (std::size_t i = 0; i < counts.size(); ++i)
    for (int c = 0; c < static_cast<int>(counts[i]); ++c) rows.push_back(static_cast<Eigen::Index>(i));
  out.X.resize(static_cast<Eigen::Index>(rows.size()), d.X.cols());
  for (std::size_t r = 0; r < rows.size(); ++r) {
    out.X.row(static_cast<Eigen::Index>(r)) = d.X.row(rows[r]);
    out.y.push_back(d.y[static_cast<std::size_t>(rows[r])]);
  }
  return out;
}

class Weights : public testing::TestWithParam<Case> {
 protected:
  Data data = make_data(GetParam().task, 90, 11);
  Data probe = make_data(GetParam().task, 40, 12);

  std::unique_ptr<Estimator> fitted(const Data& d, std::span<const double> weights,
                                    const std::map<std::string, std::string>& params = {}) const {
    const EstimatorInfo& info = find_estimator(GetParam().estimator);
    auto learner = info.create(Params::validate(info.name, info.params, params), GetParam().task);
    learner->fit(FeatureMatrix(d.X), d.y, d.classes, weights);
    return learner;
  }
  // Probabilities (classification) or values on the probe rows, as one list.
  std::vector<double> outputs(const Estimator& learner) const {
    const FeatureMatrix X(probe.X);
    if (GetParam().task == Task::regression) return learner.predict(X);
    const Matrix p = learner.predict_proba(X);
    return {p.data(), p.data() + p.size()};
  }
  // Whole-number weights 0 to 3 (1 to 3 when 0 is not "absent" for this learner).
  std::vector<double> counts(bool zeros) const {
    Random rng(5);
    std::vector<double> w;
    for (std::size_t i = 0; i < data.y.size(); ++i)
      w.push_back(static_cast<double>(zeros ? rng.below(4) : 1 + rng.below(3)));
    return w;
  }
};

double largest_difference(const std::vector<double>& a, const std::vector<double>& b) {
  double worst = 0;
  for (std::size_t i = 0; i < a.size(); ++i)
    worst = std::max(worst, std::abs(a[i] - b[i]) / std::max(1.0, std::abs(b[i])));
  return worst;
}

TEST_P(Weights, WholeNumberWeightsAreRowDuplication) {
  // knn's neighbours are rows: a row of weight 2 takes one of the k places,
  // its duplicate two (docs/weights.md); its weights are checked below instead.
  if (GetParam().estimator == "knn") GTEST_SKIP() << "knn weights votes, not rows";
  const Duplication dup = duplication(GetParam().estimator);
  const std::vector<double> w = counts(dup.zero_is_absent);
  const auto weighted = outputs(*fitted(data, w, dup.params));
  const auto duplicated = outputs(*fitted(repeated(data, w), {}, dup.params));
  ASSERT_EQ(weighted.size(), duplicated.size());
  EXPECT_LT(largest_difference(weighted, duplicated), dup.tolerance);
}

TEST_P(Weights, UnitWeightsAreNoWeights) {
  const std::vector<double> ones(data.y.size(), 1.0);
  EXPECT_LT(largest_difference(outputs(*fitted(data, ones)), outputs(*fitted(data, {}))), 1e-9);
}

TEST_P(Weights, UnequalWeightsChangeTheFit) {
  std::vector<double> w(data.y.size());
  for (std::size_t i = 0; i < w.size(); ++i) w[i] = data.X(static_cast<Eigen::Index>(i), 0) > 0 ? 4.0 : 0.25;
  // knn with its default k: enough neighbours that weights decide some votes.
  EXPECT_GT(largest_difference(outputs(*fitted(data, w)), outputs(*fitted(data, {}))), 1e-3);
}

INSTANTIATE_TEST_SUITE_P(EveryEstimator, Weights, testing::ValuesIn(test::estimator_cases()),
                         test::estimator_case_name);

// knn: each neighbour's vote, or its value in the mean, is multiplied by its
// row's weight; the k neighbours are still the k nearest rows.
TEST(KnnWeights, ANeighboursVoteCountsItsWeight) {
  Matrix X(3, 1);
  X << 0.0, 1.0, 2.0;
  const std::vector<double> y{0, 1, 1};
  auto knn = find_estimator("knn").create(Params::validate("knn", find_estimator("knn").params, {{"n_neighbors", "3"}}),
                                          Task::classification);
  knn->fit(FeatureMatrix(X), y, 2, std::vector<double>{3, 1, 0.5});
  const Matrix p = knn->predict_proba(FeatureMatrix(Matrix::Zero(1, 1)));
  EXPECT_NEAR(p(0, 0), 3 / 4.5, 1e-15);
  EXPECT_NEAR(p(0, 1), 1.5 / 4.5, 1e-15);
}

TEST(KnnWeights, ARowOfWeightZeroIsNoNeighbour) {
  Matrix X(3, 1);
  X << 0.0, 0.1, 5.0;
  const std::vector<double> y{1.0, 2.0, 10.0};
  auto knn = find_estimator("knn").create(Params::validate("knn", find_estimator("knn").params, {{"n_neighbors", "2"}}),
                                          Task::regression);
  knn->fit(FeatureMatrix(X), y, 0, std::vector<double>{1, 0, 1});
  EXPECT_NEAR(knn->predict(FeatureMatrix(Matrix::Zero(1, 1)))[0], 5.5, 1e-12);  // rows 0 and 2, not 1
}

}  // namespace
}  // namespace shipml
