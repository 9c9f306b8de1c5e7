#pragma once
// What a fitted model says about its features, read from what it learned: the
// coefficients of a linear model (on standardised inputs, so comparable) or the
// gain importances of trees. The basis of recursive feature elimination and of
// the importance chart; models with neither (permutation importance works for
// every model) give an empty kind.
#include <string>
#include <vector>

#include "shipml/model/model.hpp"

namespace shipml {

struct LearnedImportance {
  /// "coefficient" (signed for one weight vector; the L2 norm over classes for
  /// multiclass), "gain" (share of the total split gain), or "" when the
  /// estimator learns neither.
  std::string kind;
  std::vector<std::string> encoded;      // the encoded features the learner saw
  std::vector<double> encoded_values;    // their coefficient or gain share
  std::vector<std::string> columns;      // the input columns, in schema order
  std::vector<double> column_values;     // sum of |value| over each column's encoded features

  bool empty() const { return kind.empty(); }
  bool is_signed() const;  // coefficients of one weight vector
};

/// A UsageError when `model` is not fitted.
LearnedImportance learned_importance(const Model& model);

}  // namespace shipml
