#pragma once
// Data for learning curves (score against training-set size) and validation
// curves (score against one parameter's values), cross-validated on one plan's
// folds, for plots to draw.
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "shipml/model/scoring.hpp"

namespace shipml {

struct CurvePoint {
  std::string x;                // the parameter value, or the training rows
  std::size_t train_rows = 0;   // per fold
  double mean = 0, stddev = 0;  // of the metric on the held-out rows, over folds
  std::vector<double> folds;
};

struct Curve {
  std::string metric;
  std::string x_label;  // "training rows" or the parameter's name
  std::vector<CurvePoint> points;

  nlohmann::json to_json() const;
};

/// The metric on held-out rows when training on each fraction of every fold's
/// training rows (drawn with the validation's seed); in parallel over sizes x folds.
Curve learning_curve(const Model& prototype, const Dataset& data, const std::vector<double>& fractions = {0.1, 0.325, 0.55, 0.775, 1.0},
                     const Validation& validation = {.folds = 5}, std::string metric = "");

/// The metric for each value of one parameter, on the same folds.
Curve validation_curve(const Model& prototype, const Dataset& data, const std::string& parameter,
                       const std::vector<std::string>& values, const Validation& validation = {.folds = 5},
                       std::string metric = "");

}  // namespace shipml
