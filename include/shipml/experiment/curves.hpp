#pragma once
/// \file
/// Learning curves (score against training-set size) and validation curves
/// (score against one parameter's values), cross-validated on one plan's folds,
/// for plots to draw (the Curve type is in shipml/model/curve.hpp).
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "shipml/core/export.hpp"
#include "shipml/model/curve.hpp"
#include "shipml/model/scoring.hpp"

namespace shipml {

/// The metric on held-out rows when training on each fraction of every fold's
/// training rows (drawn with the validation's seed); in parallel over sizes x folds.
SHIPML_API Curve learning_curve(const Model& prototype, const Dataset& data,
                                const std::vector<double>& fractions = {0.1, 0.325, 0.55, 0.775, 1.0},
                                const Validation& validation = {.folds = 5}, std::string metric = "");

/// The metric for each value of one parameter, on the same folds.
SHIPML_API Curve validation_curve(const Model& prototype, const Dataset& data, const std::string& parameter,
                                  const std::vector<std::string>& values, const Validation& validation = {.folds = 5},
                                  std::string metric = "");

}  // namespace shipml
