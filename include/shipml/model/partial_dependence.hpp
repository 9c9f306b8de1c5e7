#pragma once
/// \file
/// Partial dependence and ICE curves, for any fitted model: how its
/// predictions follow one input column when that column alone is set to each
/// value of a grid in every row (Friedman 2001; Goldstein et al. 2015). The
/// model is only asked to predict, so trees, linear models, pipelines and
/// calibrated classifiers are all treated alike.
#include <cstdint>
#include <string>
#include <vector>

#include "shipml/core/export.hpp"
#include "shipml/core/frame.hpp"
#include "shipml/model/model.hpp"

namespace shipml {

/// What partial_dependence() computes; nothing here is required.
struct SHIPML_API PartialDependenceOptions {
  /// A numeric column's grid: this many quantiles, from the 5th to the 95th
  /// percentile (scikit-learn's default range), or every distinct value when
  /// there are no more than that. A categorical column takes every level.
  std::size_t grid = 20;
  std::size_t ice_rows = 50;  ///< rows whose own curves (ICE) are kept, sampled with `seed`
  std::uint64_t seed = 42;    ///< seeds the sample of ICE rows
  /// Classification: the class whose probability is shown ("" = the positive
  /// class, the second, for binary; the first for multiclass).
  std::string output;
};

/// A model's partial dependence on one column, with ICE curves of some rows.
struct SHIPML_API PartialDependence {
  std::string feature;                ///< the column varied
  bool categorical = false;           ///< whether the grid is the column's levels
  std::vector<double> grid;           ///< numeric: the values the column is set to, ascending
  std::vector<std::string> levels;    ///< categorical: the levels it is set to, in the model's order
  std::string output;                 ///< classification: the class whose probability is shown; "" for regression
  std::string prediction;             ///< what is predicted: "predicted value" or "probability of CLASS"
  std::size_t rows = 0;               ///< rows averaged
  std::vector<double> average;        ///< the partial dependence: the mean prediction at each grid point
  std::vector<std::size_t> ice_rows;  ///< the rows whose curves are kept, ascending (indices into the data)
  /// ICE curves: `ice[k][g]` is the prediction for row `ice_rows[k]` with the
  /// column set to grid point g.
  std::vector<std::vector<double>> ice;

  /// Number of grid points.
  std::size_t size() const { return average.size(); }
};

/// The partial dependence of `model`'s predictions on `feature` over the rows
/// of `data` (which needs the model's input columns; others are ignored). A
/// UsageError when the model has no such input or `options.output` no such
/// class, a DataError when the column has no value to build a grid from.
SHIPML_API PartialDependence partial_dependence(const Model& model, const Frame& data, const std::string& feature,
                                                const PartialDependenceOptions& options = {});

}  // namespace shipml
