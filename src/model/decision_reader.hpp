#pragma once
// The calibration and threshold of a model written down: the keys a model
// spec and an experiment file's estimator share.
#include <string>
#include <vector>

#include "io/yaml_reader.hpp"
#include "shipml/model/model.hpp"

namespace shipml {

// calibrate: sigmoid|isotonic, calibration_cv: K, threshold: 0.3|tune:METRIC, threshold_cv: K.
inline const std::vector<std::string> kDecisionKeys = {"calibrate", "calibration_cv", "threshold", "threshold_cv"};

// `model`, calibrated and thresholded as the mapping `map` says (unchanged
// without those keys); mistakes name the key's line.
Model read_decision(const Reader& r, const YAML::Node& map, Model model);

}  // namespace shipml
