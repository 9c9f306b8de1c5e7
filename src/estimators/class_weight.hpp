#pragma once
// The class_weight parameter shared by classifiers that weigh rows.
#include <span>
#include <string>
#include <vector>

#include "shipml/core/params.hpp"

namespace shipml::builtin {

inline ParamSpec class_weight_param() {
  return choice_param("class_weight", "none", {"none", "balanced"},
                      "balanced weighs each class by rows / (classes x rows of the class), as scikit-learn");
}

/// Rows of each class among `y`.
inline std::vector<double> class_counts(std::span<const double> y, int n_classes) {
  std::vector<double> count(static_cast<std::size_t>(n_classes), 0.0);
  for (double c : y) count[static_cast<std::size_t>(c)] += 1;
  return count;
}

/// A weight per row of `y`: 1, or (balanced, classification) rows / (k * rows
/// of the row's class), where `rows` and `count` (class_counts) may be totals
/// over more rows than y's: a data-parallel job weighs by every rank's rows.
inline std::vector<double> row_weights(std::span<const double> y, int n_classes, const std::string& class_weight,
                                       std::span<const double> count, double rows) {
  std::vector<double> weight(y.size(), 1.0);
  if (n_classes == 0 || class_weight != "balanced") return weight;
  for (std::size_t i = 0; i < y.size(); ++i) weight[i] = rows / (n_classes * count[static_cast<std::size_t>(y[i])]);
  return weight;
}

/// A weight per row: 1, or (balanced, classification) n / (k * rows of the row's class).
inline std::vector<double> row_weights(std::span<const double> y, int n_classes, const std::string& class_weight) {
  if (n_classes == 0 || class_weight != "balanced") return std::vector<double>(y.size(), 1.0);
  return row_weights(y, n_classes, class_weight, class_counts(y, n_classes), static_cast<double>(y.size()));
}

}  // namespace shipml::builtin
