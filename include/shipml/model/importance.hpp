#pragma once
/// \file
/// What a fitted model says about its features, read from what it learned: the
/// coefficients of a linear model (on standardised inputs, so comparable) or the
/// gain importances of trees. The basis of recursive feature elimination and of
/// the importance chart; models with neither (permutation importance works for
/// every model) give an empty kind.
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "shipml/core/export.hpp"
#include "shipml/model/model.hpp"

namespace shipml {

/// What a fitted model's learned values say about its features, per encoded feature and per input column.
struct SHIPML_API LearnedImportance {
  /// "coefficient" (signed for one weight vector; the L2 norm over classes for
  /// multiclass), "gain" (share of the total split gain), or "" when the
  /// estimator learns neither.
  std::string kind;
  std::vector<std::string> encoded;    ///< the encoded features the learner saw
  std::vector<double> encoded_values;  ///< their coefficient or gain share
  std::vector<std::string> columns;    ///< the input columns, in schema order
  std::vector<double> column_values;   ///< sum of |value| over each column's encoded features

  /// Whether the estimator learns neither coefficients nor gains.
  bool empty() const { return kind.empty(); }
  bool is_signed() const;  ///< whether the values carry a sign (coefficients of one weight vector)
};

/// A UsageError when `model` is not fitted.
SHIPML_API LearnedImportance learned_importance(const Model& model);

/// Permutation importance: how much a fitted model's held-out score drops when
/// one input column is shuffled (computed by shipml/experiment/permutation.hpp).
struct SHIPML_API FeatureImportance {
  std::string feature;  ///< the input column
  /// Mean score drop over the repeats (positive: the model relies on it).
  double mean = 0, stddev = 0;  ///< standard deviation of the drop over the repeats
  std::vector<double> drops;    ///< one per repeat
};

/// Permutation importance of every input column of a model.
struct SHIPML_API PermutationImportance {
  std::string metric;                       ///< the metric the drops are measured in
  bool greater_is_better = true;            ///< whether a larger metric is better
  double baseline = 0;                      ///< the score with nothing shuffled
  std::vector<FeatureImportance> features;  ///< largest drop first
  std::size_t measured_rows = 0;            ///< the held-out rows shuffled
  std::size_t fit_rows = 0;                 ///< the rows the model was fit on (0: fit by the caller)

  /// A text table: one row per column, largest drop first.
  std::string table() const;
  /// The same rows as CSV.
  std::string to_csv() const;
  /// The importances as JSON.
  nlohmann::json to_json() const;
};

}  // namespace shipml
