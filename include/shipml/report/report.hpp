#pragma once
/// \file
/// Reports: one self-contained HTML page per recorded run. It shows the metrics,
/// every chart that applies (inline SVG), the parameters, the input schema, a
/// data summary and, for comparisons and searches, the leaderboard. The page
/// opens from disk with no server, no network and no script.
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "shipml/core/export.hpp"
#include "shipml/model/model.hpp"
#include "shipml/model/scoring.hpp"
#include "shipml/plot/chart.hpp"
#include "shipml/track/run_store.hpp"

namespace shipml {

/// The held-out predictions a run recorded (score, compare); a UsageError
/// saying which commands record them otherwise.
SHIPML_API HeldOutPredictions run_predictions(const RunRecord& run);
/// The model a run saved (train, compare, search), if it saved one.
SHIPML_API std::optional<Model> run_model(const RunRecord& run);

/// Every chart that applies to the run, with its kind's name, in display order:
/// from its predictions, its model, its importance ranking and its data file
/// (when that is still where the run read it). `predictions`: the run's, when
/// the caller has already read them.
SHIPML_API std::vector<std::pair<std::string, Chart>> run_charts(const RunRecord& run,
                                                                 const HeldOutPredictions* predictions = nullptr);

/// The report page.
SHIPML_API std::string html_report(const RunRecord& run);

}  // namespace shipml
