#pragma once
/// \file
/// Reports: one self-contained HTML page per recorded run. It shows the metrics,
/// every chart that applies (inline SVG), the parameters, the input schema, a
/// data summary and, for comparisons and searches, the leaderboard. The page
/// opens from disk with no server, no network and no script.
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "shipml/core/export.hpp"
#include "shipml/core/frame.hpp"
#include "shipml/model/contributions.hpp"
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

/// What a report's "Explanations" section is drawn from: the explanation
/// engine's contributions for some rows of the run's data, those rows, and the
/// model (the section is left out of a report given none).
struct SHIPML_API ReportExplanations {
  Contributions contributions;         ///< each input column's contribution to each row's prediction
  Frame data;                          ///< the rows explained, in order: their values colour the summary
  std::shared_ptr<const Model> model;  ///< the run's model: the partial dependence of the top column (null: none)
};

/// Explanations of a run's model on up to `rows` rows of its data, evenly
/// spread over the file (sampled contributions with `samples` orders per row:
/// an overview, quicker than the default), when the run saved a model and its
/// data file is still as the run read it; nothing otherwise, or when rows is 0.
SHIPML_API std::optional<ReportExplanations> run_explanations(const RunRecord& run, std::size_t rows = 200,
                                                              std::size_t samples = 64);

/// The report page; with `explanations`, a section of them too: the
/// contributions' summary and the partial dependence of the column with the
/// largest mean |contribution|.
SHIPML_API std::string html_report(const RunRecord& run, const ReportExplanations* explanations = nullptr);

}  // namespace shipml
