#pragma once
// A curve of cross-validated scores: a learning curve (against training rows)
// or a validation curve (against one parameter's values). Made by
// shipml/experiment/curves.hpp, drawn by the plot layer.
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "shipml/core/export.hpp"

namespace shipml {

struct SHIPML_API CurvePoint {
  std::string x;                // the parameter value, or the training rows
  std::size_t train_rows = 0;   // per fold
  double mean = 0, stddev = 0;  // of the metric on the held-out rows, over folds
  std::vector<double> folds;
};

struct SHIPML_API Curve {
  std::string metric;
  std::string x_label;  // "training rows" or the parameter's name
  std::vector<CurvePoint> points;

  nlohmann::json to_json() const;
};

}  // namespace shipml
