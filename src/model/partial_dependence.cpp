// Partial dependence by brute force: the data copied once per grid point with
// the one column set to that point, and predicted. Every other column keeps
// each row's own value, so the average is over the data's joint distribution
// of the rest, as Friedman defines it.
#include "shipml/model/partial_dependence.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <span>

#include "shipml/core/error.hpp"
#include "shipml/core/names.hpp"
#include "shipml/core/random.hpp"

namespace shipml {
namespace {

// Linear interpolation between the closest ranks (numpy's default quantile).
double quantile(const std::vector<double>& sorted, double q) {
  const double at = q * static_cast<double>(sorted.size() - 1);
  const auto below = static_cast<std::size_t>(std::floor(at));
  const std::size_t above = std::min(below + 1, sorted.size() - 1);
  return sorted[below] + (sorted[above] - sorted[below]) * (at - static_cast<double>(below));
}

// The values a numeric column is set to: its distinct values when they are
// few, else quantiles from the 5th to the 95th percentile (the extremes are a
// few rows, where a model has seen little).
std::vector<double> numeric_grid(const Column& column, std::size_t points) {
  std::vector<double> values;
  for (double v : column.values())
    if (!std::isnan(v)) values.push_back(v);
  if (values.empty())
    throw DataError("partial dependence on '" + column.name() + "': every value of the column is missing");
  std::sort(values.begin(), values.end());
  std::vector<double> distinct = values;
  distinct.erase(std::unique(distinct.begin(), distinct.end()), distinct.end());
  if (distinct.size() <= points) return distinct;
  std::vector<double> grid;
  for (std::size_t g = 0; g < points; ++g)
    grid.push_back(quantile(values, 0.05 + 0.9 * static_cast<double>(g) / static_cast<double>(points - 1)));
  grid.erase(std::unique(grid.begin(), grid.end()), grid.end());
  return grid;
}

// Which probability column is shown, and its name.
std::size_t class_shown(const Model& model, const std::string& output) {
  const auto& classes = model.classes();
  if (output.empty()) return classes.size() == 2 ? 1 : 0;
  const auto it = std::find(classes.begin(), classes.end(), output);
  if (it == classes.end())
    throw UsageError("partial dependence: the model has no class '" + echoed(output) +
                     "' (classes: " + listed(classes) + ")");
  return static_cast<std::size_t>(it - classes.begin());
}

}  // namespace

PartialDependence partial_dependence(const Model& model, const Frame& data, const std::string& feature,
                                     const PartialDependenceOptions& options) {
  const auto& fields = model.schema().fields();
  const auto field = std::find_if(fields.begin(), fields.end(), [&](const Field& f) { return f.name == feature; });
  if (field == fields.end())
    throw UsageError("partial dependence: the model has no input column '" + echoed(feature) +
                     "' (columns: " + listed(model.schema().names()) + ")");
  if (data.rows() == 0) throw UsageError("partial dependence on '" + feature + "': the data has no rows");
  if (options.grid < 2) throw UsageError("partial dependence: the grid needs at least 2 points");
  const bool classification = model.task() == Task::classification;
  if (!classification && !options.output.empty())
    throw UsageError("partial dependence: '" + echoed(options.output) +
                     "' names a class, but the model is a regression (it has one output)");

  PartialDependence pd;
  pd.feature = feature;
  pd.rows = data.rows();
  const std::size_t shown = classification ? class_shown(model, options.output) : 0;
  if (classification) pd.output = model.classes()[shown];
  pd.prediction = classification ? "probability of " + pd.output : "predicted value";

  // The model's own view of the data: its columns, types and dictionaries.
  const Frame conformed = model.schema().conform(data);
  const auto at = static_cast<std::size_t>(field - fields.begin());
  pd.categorical = field->type == ColumnType::categorical;
  std::vector<Column> grid_columns;
  const std::size_t n = data.rows();
  if (pd.categorical) {
    if (!field->categories || field->categories->empty())
      throw DataError("partial dependence on '" + feature + "': the model learned no levels of the column");
    pd.levels = *field->categories;
    for (std::size_t k = 0; k < pd.levels.size(); ++k)
      grid_columns.push_back(
          Column::categorical(feature, std::vector<std::int32_t>(n, static_cast<std::int32_t>(k)), field->categories));
  } else {
    pd.grid = numeric_grid(conformed[at], options.grid);
    for (double v : pd.grid) grid_columns.push_back(Column::numeric(feature, std::vector<double>(n, v)));
  }

  // The ICE rows: a seeded sample, in the data's order.
  std::vector<std::size_t> order(n);
  std::iota(order.begin(), order.end(), std::size_t{0});
  Random(options.seed).shuffle(std::span<std::size_t>(order));
  pd.ice_rows.assign(order.begin(), order.begin() + static_cast<std::ptrdiff_t>(std::min(options.ice_rows, n)));
  std::sort(pd.ice_rows.begin(), pd.ice_rows.end());
  pd.ice.assign(pd.ice_rows.size(), std::vector<double>(grid_columns.size()));

  std::vector<Column> columns = conformed.columns();
  for (std::size_t g = 0; g < grid_columns.size(); ++g) {
    columns[at] = grid_columns[g];
    const Frame varied(columns, Frame::Trusted{});
    std::vector<double> predicted;
    if (classification) {
      const Matrix proba = model.predict_proba(varied);
      const auto col = proba.col(static_cast<Eigen::Index>(shown));
      predicted.assign(col.begin(), col.end());
    } else {
      predicted = model.predict(varied).values;
    }
    pd.average.push_back(std::accumulate(predicted.begin(), predicted.end(), 0.0) / static_cast<double>(n));
    for (std::size_t k = 0; k < pd.ice_rows.size(); ++k) pd.ice[k][g] = predicted[pd.ice_rows[k]];
  }
  return pd;
}

}  // namespace shipml
