#pragma once
/// \file
/// A curve of cross-validated scores: a learning curve (against training rows)
/// or a validation curve (against one parameter's values). Made by
/// shipml/experiment/curves.hpp, drawn by the plot layer.
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "shipml/core/export.hpp"

namespace shipml {

/// One point of a curve: the metric over folds at one x.
struct SHIPML_API CurvePoint {
  std::string x;               ///< the parameter value, or the training rows
  std::size_t train_rows = 0;  ///< per fold
  /// Mean of the metric on the held-out rows, over folds.
  double mean = 0, stddev = 0;  ///< its standard deviation over folds
  std::vector<double> folds;    ///< the metric on each fold's held-out rows
};

/// A learning or validation curve: the metric at each x.
struct SHIPML_API Curve {
  std::string metric;              ///< the metric scored
  std::string x_label;             ///< "training rows" or the parameter's name
  std::vector<CurvePoint> points;  ///< in order of x

  /// The curve as JSON.
  nlohmann::json to_json() const;
};

}  // namespace shipml
