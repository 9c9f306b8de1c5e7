#pragma once
/// \file
/// A model written down: a spec file (YAML, or JSON) with the pipeline's steps
/// and the estimator, for `--pipeline FILE` and C++. The format:
///
/// ```{.unparsed}
/// steps:
///   - imputer: {strategy: median, add_indicator: true}
///   - one_hot: {columns: [Home, Marital], unseen: error}
///   - {name: scale, transformer: standard_scaler}
/// estimator: logistic          # or {logistic: {C: 0.5}}
/// params: {C: 0.5}             # the estimator's, and "step.param" overrides
/// calibrate: isotonic          # or sigmoid; calibration_cv: 5 (docs/calibration.md)
/// threshold: tune:f1           # or a probability such as 0.3; threshold_cv: 5
/// ```
///
/// Mistakes are UsageErrors naming the file, line and column.
#include <string>

#include "shipml/core/export.hpp"
#include "shipml/model/model.hpp"

namespace shipml {

/// The unfitted model the file describes; `changes` ("param" or "step.param")
/// override what the file says, as --set does on the command line.
SHIPML_API Model read_model_spec(const std::string& path, const std::map<std::string, std::string>& changes = {});

}  // namespace shipml
