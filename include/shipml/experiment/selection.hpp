#pragma once
/// \file
/// Feature selection: which input columns are worth keeping. Three families,
/// all over input columns (a categorical column is one feature, however many
/// one-hot columns it becomes), all giving one FeatureSelection:
///  - univariate ("kbest"): each column tested alone against the target (ANOVA F,
///    chi-squared, mutual information); no model, fast, blind to interactions;
///  - recursive elimination ("rfe", "rfecv"): fit, drop the columns the model
///    weighs least (coefficients or gain), repeat; RFECV scores every size on
///    cross-validation folds and keeps the best size;
///  - sequential ("sequential"): add (forward) or remove (backward) the column
///    that most improves the cross-validated score, one at a time.
///
/// Permutation importance (permutation.hpp) ranks by held-out score drop instead.
#include <limits>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "shipml/core/export.hpp"
#include "shipml/data/dataset.hpp"
#include "shipml/model/scoring.hpp"
#include "shipml/preprocess/univariate.hpp"

namespace shipml {

/// One input column's place in a feature selection.
struct SHIPML_API RankedFeature {
  std::string feature;   ///< the input column
  std::size_t rank = 0;  ///< 1 = best; every kept column of RFE and backward selection shares 1
  double score = 0;      ///< the test statistic, the importance, or the CV score after the step (see score_name)
  double p_value = std::numeric_limits<double>::quiet_NaN();  ///< univariate F and chi-squared tests
  std::string test;                                           ///< univariate: the test applied to this column
  bool selected = false;                                      ///< whether it is kept
};

/// The cross-validated score with this many features (RFECV, sequential).
struct SHIPML_API SizeScore {
  std::size_t features = 0;  ///< number of features
  /// Mean of the score over folds.
  double mean = 0, stddev = 0;  ///< standard deviation of the score over folds
};

/// A feature selection: every input column ranked, the ones kept, and the score per size.
struct SHIPML_API FeatureSelection {
  std::string method;                   ///< "kbest", "rfe", "rfecv", "sequential forward", "sequential backward"
  std::string score_name;               ///< what RankedFeature::score holds
  std::string metric;                   ///< RFECV and sequential: the metric that chose
  bool greater_is_better = true;        ///< whether a larger metric is better
  std::vector<RankedFeature> features;  ///< by rank
  std::vector<SizeScore> curve;         ///< by number of features

  /// Names of the kept columns, by rank.
  std::vector<std::string> selected() const;
  /// `data` with only the selected feature columns (and its target).
  Dataset apply(const Dataset& data) const;
  /// A text table: one row per column, by rank.
  std::string table() const;
  /// One row per column, by rank, as CSV.
  std::string to_csv() const;
  /// The selection as JSON.
  nlohmann::json to_json() const;
};

/// Univariate selection: the columns with the best test (see
/// shipml/preprocess/univariate.hpp for the tests).
struct SHIPML_API KBestOptions {
  UnivariateTest test = UnivariateTest::f_test;  ///< the test applied to every column
  std::size_t k = 10;                            ///< keep this many (all if fewer)
  double percentile = 0;                         ///< when > 0: keep this percent instead of k
  std::optional<Task> task;                      ///< inferred from the target when not given
  std::uint64_t seed = 0;                        ///< mutual information breaks ties with tiny seeded noise
};
/// Keeps the columns with the best univariate test against the target. Recorded as a "select" run.
SHIPML_API FeatureSelection select_k_best(const Dataset& data, const KBestOptions& options = {});

/// Recursive feature elimination (RFE), or RFECV with `cross_validate`.
struct SHIPML_API EliminationOptions {
  std::size_t n_features = 0;         ///< RFE: keep this many (0: half)
  std::size_t step = 1;               ///< columns dropped per round
  bool cross_validate = false;        ///< RFECV: choose n_features by CV score
  std::size_t min_features = 1;       ///< RFECV: the smallest size tried
  Validation validation{.folds = 5};  ///< the folds RFECV scores on
  std::string metric;                 ///< RFECV: default, the task's usual first
};
/// Fits `prototype`, drops the columns it weighs least, and repeats (see
/// EliminationOptions). Recorded as a "select" run. A UsageError when the
/// estimator learns no coefficients or importances.
SHIPML_API FeatureSelection recursive_elimination(const Model& prototype, const Dataset& data,
                                                  const EliminationOptions& options = {});

/// Sequential selection, one column at a time.
struct SHIPML_API SequentialOptions {
  bool forward = true;                ///< add columns (forward), or remove them (backward)
  std::size_t n_features = 0;         ///< 0: half
  Validation validation{.folds = 5};  ///< the folds every step is scored on
  std::string metric;                 ///< default: the task's usual first
};
/// Adds (forward) or removes (backward) the column that most improves the
/// cross-validated score, one at a time. Recorded as a "select" run.
SHIPML_API FeatureSelection sequential_selection(const Model& prototype, const Dataset& data,
                                                 const SequentialOptions& options = {});

}  // namespace shipml
