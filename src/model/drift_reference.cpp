// The training side of drift: a sample of the training rows summarised per
// column as quantile bins or frequent categories, and read back from a model
// file with every count and edge checked.
#include <algorithm>
#include <cmath>
#include <map>
#include <numeric>

#include "shipml/core/error.hpp"
#include "shipml/model/drift.hpp"

namespace shipml {
namespace {

// The distinct deciles of the non-missing values: inner edges of up to
// kNumericBins bins. A column of one value has no edges (one bin).
// Each decile is selected, not sorted for: the k-th smallest value is the
// same either way, and selecting each from where the last one was found is
// linear (sorting 784 columns took a wide forest's fit 0.15 s).
std::vector<double> quantile_edges(std::vector<double> values) {
  std::vector<double> edges;
  if (values.empty()) return edges;
  const double lowest = *std::min_element(values.begin(), values.end());
  auto from = values.begin();
  for (std::size_t k = 1; k < DriftReference::kNumericBins; ++k) {
    const auto at = values.begin() + static_cast<std::ptrdiff_t>(k * values.size() / DriftReference::kNumericBins);
    std::nth_element(from, at, values.end());
    from = at;
    const double q = *at;
    // An edge at the minimum would leave its bin empty: values below it are none.
    if (q > lowest && (edges.empty() || q > edges.back())) edges.push_back(q);
  }
  return edges;
}

ColumnReference numeric_reference(const Column& column, std::span<const std::size_t> rows) {
  ColumnReference r{column.name(), ColumnType::numeric};
  std::vector<double> values;
  values.reserve(rows.size());
  const auto all = column.values();
  for (std::size_t i : rows)
    if (std::isnan(all[i])) ++r.missing;
    else values.push_back(all[i]);
  r.edges = quantile_edges(values);
  r.counts.assign(r.edges.size() + 1, 0);
  for (double v : values)
    ++r.counts[static_cast<std::size_t>(std::upper_bound(r.edges.begin(), r.edges.end(), v) - r.edges.begin())];
  return r;
}

ColumnReference categorical_reference(const Column& column, std::span<const std::size_t> rows) {
  ColumnReference r{column.name(), ColumnType::categorical};
  const auto codes = column.codes();
  std::vector<std::uint64_t> per_code(column.categories().size(), 0);
  for (std::size_t i : rows)
    if (codes[i] == kMissingCode) ++r.missing;
    else ++per_code[static_cast<std::size_t>(codes[i])];
  // The most frequent first; ties by name, so equal data gives an equal reference.
  std::vector<std::size_t> order(per_code.size());
  std::iota(order.begin(), order.end(), std::size_t{0});
  std::sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
    return per_code[a] != per_code[b] ? per_code[a] > per_code[b] : column.categories()[a] < column.categories()[b];
  });
  std::uint64_t other = 0;
  for (std::size_t k = 0; k < order.size(); ++k) {
    if (per_code[order[k]] == 0) break;
    if (k < DriftReference::kTopCategories) {
      r.categories.push_back(column.categories()[order[k]]);
      r.counts.push_back(per_code[order[k]]);
    } else {
      other += per_code[order[k]];
    }
  }
  r.counts.push_back(other);
  return r;
}

ColumnReference reference_of(const Column& column, std::span<const std::size_t> rows) {
  return column.is_numeric() ? numeric_reference(column, rows) : categorical_reference(column, rows);
}

ColumnReference column_from_json(const nlohmann::json& j) {
  ColumnReference r;
  r.name = j.at("name").get<std::string>();
  const std::string type = j.at("type").get<std::string>();
  if (type != "numeric" && type != "categorical")
    throw ModelError("the drift reference of column '" + r.name + "' has type '" + type + "'");
  r.type = type == "numeric" ? ColumnType::numeric : ColumnType::categorical;
  r.counts = j.at("counts").get<std::vector<std::uint64_t>>();
  r.missing = j.at("missing").get<std::uint64_t>();
  auto fail = [&](const std::string& why) {
    return ModelError("the drift reference of column '" + r.name + "' " + why);
  };
  if (r.type == ColumnType::numeric) {
    r.edges = j.at("edges").get<std::vector<double>>();
    for (std::size_t k = 0; k < r.edges.size(); ++k)
      if (!std::isfinite(r.edges[k]) || (k > 0 && !(r.edges[k] > r.edges[k - 1])))
        throw fail("has bin edges that are not finite and ascending");
    if (r.counts.size() != r.edges.size() + 1)
      throw fail("has " + std::to_string(r.counts.size()) + " counts for " + std::to_string(r.edges.size() + 1) +
                 " bins");
  } else {
    r.categories = j.at("categories").get<std::vector<std::string>>();
    if (r.counts.size() != r.categories.size() + 1)
      throw fail("has " + std::to_string(r.counts.size()) + " counts for " + std::to_string(r.categories.size() + 1) +
                 " bins");
  }
  // Bins are numbered in a byte, with one value kept for "missing".
  if (r.counts.size() > DriftReference::kTopCategories + 1) throw fail("has more bins than shipml makes");
  return r;
}

nlohmann::json column_to_json(const ColumnReference& r) {
  nlohmann::json j = {{"name", r.name}, {"type", std::string(to_string(r.type))}};
  if (r.type == ColumnType::numeric) j["edges"] = r.edges;
  else j["categories"] = r.categories;
  j["counts"] = r.counts;
  j["missing"] = r.missing;
  return j;
}

}  // namespace

std::uint64_t ColumnReference::rows() const { return std::accumulate(counts.begin(), counts.end(), missing); }

std::vector<std::size_t> DriftReference::sample_rows(std::size_t n) {
  const std::size_t m = std::min(n, kSampleRows);
  std::vector<std::size_t> rows(m);
  for (std::size_t k = 0; k < m; ++k) rows[k] = k * n / m;
  return rows;
}

DriftReference DriftReference::of(const Frame& features, const Column& predictions) {
  const std::vector<std::size_t> rows = sample_rows(features.rows());
  if (predictions.size() != rows.size())
    throw UsageError("a drift reference takes one prediction per sampled row (" + std::to_string(rows.size()) +
                     "), got " + std::to_string(predictions.size()));
  DriftReference ref;
  for (const Column& c : features.columns()) ref.columns.push_back(reference_of(c, rows));
  std::vector<std::size_t> all(predictions.size());
  std::iota(all.begin(), all.end(), std::size_t{0});
  ref.prediction = reference_of(predictions.renamed("prediction"), all);
  return ref;
}

nlohmann::json DriftReference::to_json() const {
  nlohmann::json cols = nlohmann::json::array();
  for (const auto& c : columns) cols.push_back(column_to_json(c));
  return {{"columns", std::move(cols)}, {"prediction", column_to_json(prediction)}};
}

DriftReference DriftReference::from_json(const nlohmann::json& j) {
  DriftReference ref;
  for (const auto& c : j.at("columns")) ref.columns.push_back(column_from_json(c));
  ref.prediction = column_from_json(j.at("prediction"));
  return ref;
}

}  // namespace shipml
