#pragma once
/// \file
/// Why a model predicted what it did: each prediction's raw output split into
/// one contribution per input column (SHAP values), which sum with the expected
/// value to the raw output. Model::contributions computes them and
/// Model::raw_output gives what they explain; docs/explain.md says how each
/// estimator computes them and on which scale.
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "shipml/core/export.hpp"
#include "shipml/core/frame.hpp"
#include "shipml/core/matrix.hpp"

namespace shipml {

/// Per-prediction contributions of a model's input columns.
struct SHIPML_API Contributions {
  /// The model's input columns (its schema's fields), in schema order: the
  /// columns of each matrix in `values`. One-hot columns, missing indicators
  /// and a pipeline's columns are summed into the column they come from.
  std::vector<std::string> columns;
  /// What is explained, one entry per matrix: {""} for a regressor, the
  /// second class for a binary classifier (one output: the raw output of that
  /// class), the class names with more classes.
  std::vector<std::string> outputs;
  /// One rows x columns matrix per output.
  std::vector<Matrix> values;
  /// Per output: the value the contributions start from. Each row's
  /// contributions plus this are its raw output (Model::raw_output).
  std::vector<double> expected;
  /// How they were computed: "tree_shap", "linear", "xgboost" or "sampling".
  std::string method;
  /// Whether they are the exact Shapley values; false for "sampling".
  bool exact = true;
  /// Sampling: a 99% bound on the sampling error of any one value (the largest
  /// over the values); their sum is exact to rounding all the same. 0 otherwise.
  double error_bound = 0;
  /// A calibrated model: the learner's own raw output is explained, before
  /// calibration (a calibration map is not additive over columns).
  bool before_calibration = false;
};

/// How Model::contributions samples, for the learners it samples for (knn, gaussian_nb).
struct SHIPML_API ExplainOptions {
  /// Orders of the columns drawn per row, in all (more: a smaller error bound, longer).
  std::size_t samples = 256;
  /// The seed of the orders drawn; the same seed gives the same values.
  std::uint64_t seed = 0;
};

/// The contributions as a long table, one row per input row and output:
/// `row` (counting from 1), `output` (the entry of Contributions::outputs),
/// one column per input column, `expected_value`, and `raw_output` (`raw`:
/// Model::raw_output of the same rows). A DataError when an input column has
/// one of those four names.
SHIPML_API Frame contributions_table(const Contributions& c, const Matrix& raw);
/// The contributions as columns to put beside predictions, one row per input
/// row: `contribution:COLUMN` for each input column, then `expected_value` and
/// `raw_output`; with several outputs, one such set per output, each name
/// with `:OUTPUT` after its first word (`contribution:OUTPUT:COLUMN`,
/// `expected_value:OUTPUT`).
SHIPML_API Frame contribution_columns(const Contributions& c, const Matrix& raw);
/// The contributions as JSON: method, exact, error_bound, before_calibration,
/// columns, outputs, expected_value (one per output), and `rows`: per input
/// row and output, {row, output, contributions: {column: value}, raw_output}.
SHIPML_API nlohmann::json contributions_json(const Contributions& c, const Matrix& raw);

}  // namespace shipml
