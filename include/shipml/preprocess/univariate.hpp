#pragma once
/// \file
/// Univariate tests: each column scored alone against the target, for feature
/// selection (`shipml select --method kbest`, and the select_k_best step).
/// - f_test: ANOVA F of a numeric column across the classes (scikit-learn's
///   f_classif), or the F of a one-variable regression (f_regression); for a
///   categorical column, the F of the target across its categories
///   (regression) or the chi-squared test of independence (classification).
/// - chi2: scikit-learn's chi2 for non-negative numeric columns; for a
///   categorical column the test of independence (the same as chi2 over its
///   one-hot columns, summed). Classification only.
/// - mutual_info: the k-nearest-neighbour estimators scikit-learn uses (k = 3),
///   exact for two categorical variables.
///
/// Rows missing a column's value are left out of its test.
#include <cstdint>
#include <limits>
#include <string>
#include <string_view>
#include <vector>

#include "shipml/core/export.hpp"
#include "shipml/core/frame.hpp"
#include "shipml/estimators/estimator.hpp"

namespace shipml {

/// A univariate test, as described at the top of this file.
enum class UnivariateTest {
  f_test,      ///< ANOVA F, or the F of a one-variable regression
  chi2,        ///< chi-squared test of independence (classification only)
  mutual_info  ///< mutual information, estimated from nearest neighbours
};
/// From "f_test" (or "f", "anova"), "chi2" or "mutual_info" (or "mi"); a UsageError otherwise.
SHIPML_API UnivariateTest parse_univariate_test(const std::string& name);
/// Its name in tables: "F", "chi2" or "mutual information".
SHIPML_API std::string_view to_string(UnivariateTest test);

/// One column's univariate test result.
struct SHIPML_API UnivariateScore {
  double score = 0;                                           ///< the test statistic, or the mutual information
  double p_value = std::numeric_limits<double>::quiet_NaN();  ///< F and chi-squared tests
  std::string test;                                           ///< the test this column got
};

/// One score per column of `features`. `seed`: the tiny noise that breaks ties
/// for mutual information. A UsageError for chi2 on a regression target or on
/// negative values (naming the column and row).
SHIPML_API std::vector<UnivariateScore> univariate_scores(const Frame& features, const Column& target, Task task,
                                                          UnivariateTest test, std::uint64_t seed = 0);

/// Column indices best first: the smallest p-value (comparable across the tests
/// a mixed table needs), then the largest score; mutual information by score.
SHIPML_API std::vector<std::size_t> univariate_ranking(const std::vector<UnivariateScore>& scores, UnivariateTest test);

/// How many of `n` columns k-best keeps: `k`, or `percentile` percent of them when > 0.
SHIPML_API std::size_t kbest_count(std::size_t n, std::size_t k, double percentile);

}  // namespace shipml
