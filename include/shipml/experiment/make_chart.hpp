#pragma once
/// \file
/// Any chart kind by name (see chart_kinds()), with the work it needs done:
/// predictions read or made, curves and permutation importances computed. The
/// one way every front door (the command line, Python) draws a chart it is
/// asked for by name.
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "shipml/core/export.hpp"
#include "shipml/data/time_split.hpp"
#include "shipml/plot/charts.hpp"

namespace shipml {

/// Where a chart's inputs come from, for make_chart. A kind asks only for what
/// it needs, so a front door fills in what it was given (a run, a model file,
/// data) and each provider says, in the front door's own words, what is
/// missing when it cannot provide.
struct SHIPML_API ChartSource {
  std::function<HeldOutPredictions()> predictions;      ///< the classification and regression charts
  std::function<std::shared_ptr<const Model>()> model;  ///< a fitted model: importance, permutation, pdp
  /// Data with its target; `model_target` is the target of the model in play
  /// ("" when none), for when the front door was not told one.
  std::function<Dataset(const std::string& model_target)> data;
  std::function<Frame()> table;     ///< data without a target: missing values, pdp, the contribution charts' rows
  std::function<Model()> unfitted;  ///< what the curves fit
  /// Per-row contributions of each input column, of the rows `table` gives:
  /// summary, dependence, waterfall. The explanation engine fills it in; left
  /// empty, those charts say they need contributions (shipml explain).
  std::function<Contributions()> contributions;
  std::string feature;              ///< dependence, pdp: the input column shown
  std::string color_by;             ///< dependence: the column whose value colours the dots ("" = none)
  std::size_t row = 0;              ///< waterfall: the row explained, counting from 0
  std::string output;               ///< the class shown ("" = the first; pdp: the positive class when binary)
  std::string param;                ///< validation_curve: the parameter
  std::vector<std::string> values;  ///< validation_curve: the parameter's values
  int folds = 5;                    ///< folds of the curves
  std::uint64_t seed = 42;          ///< seeds the curves' folds, the permutations and the pdp's ICE rows
  std::size_t top = 20;             ///< how many features the importance and data charts show
  int bins = 0;                     ///< 0: the kind's own default (pdp: points on the grid, 20)
  TimeGap gap;                      ///< the curves' folds, when the data has a time column
};
/// The chart of the named kind (see chart_kinds()); a UsageError naming the
/// kinds when there is no such kind, or saying what the kind needs.
SHIPML_API Chart make_chart(const std::string& kind, const ChartSource& source);

}  // namespace shipml
