#pragma once
#include <string>
#include <vector>
#include "shipml/core/matrix.hpp"
namespace shipml {
/// Per-prediction contributions of each input column (see docs/explain.md).
struct Contributions {
  std::vector<std::string> columns;  ///< the model's input columns, in schema order
  std::vector<std::string> outputs;  ///< {""} for regression and binary; class names for multiclass
  std::vector<Matrix> values;        ///< one rows x columns matrix per output
  std::vector<double> expected;      ///< the expected (base) value per output
  std::string method;                ///< "tree_shap", "linear", "xgboost", "sampling"
  bool exact = true;                 ///< false for sampling methods
  double error_bound = 0;            ///< sampling: bound on |row sum - (raw - expected)|
};
}  // namespace shipml
