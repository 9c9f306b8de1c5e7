#pragma once
/// \file
/// Training and scoring recorded as runs, as the command line records them:
/// what a program calls when its work should leave a record (the Python
/// package does for every fit and score). Model::fit and score() themselves
/// record nothing.
#include <string>
#include <vector>

#include "shipml/core/export.hpp"
#include "shipml/model/scoring.hpp"

namespace shipml {

/// Model::fit, recorded as a "train" run: the data (source, fingerprint,
/// schema), every parameter, the fit time and the learner's per-round series,
/// and the fitted model file as an artifact, as `shipml train` records one.
/// Nothing is recorded when tracking is off or this is part of another run.
SHIPML_API void fit_recorded(Model& model, const Dataset& data, const FitOptions& options = {});

/// score(), recorded as a "score" run with its metrics, per-fold values and
/// held-out predictions, as `shipml score` records one; the Result carries its run id.
SHIPML_API Result score_recorded(const Model& prototype, const Dataset& data, const Validation& validation = {},
                                 std::vector<std::string> metric_names = {});

}  // namespace shipml
