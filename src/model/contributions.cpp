// Model::raw_output and Model::contributions: the learner's explanation of its
// raw output on the encoded features, summed into the input columns they come
// from (one-hot columns, missing indicators, a pipeline's columns).
#include "shipml/core/error.hpp"
#include "shipml/model/model.hpp"

namespace shipml {

Matrix Model::raw_output(const Frame& features) const {
  require_fitted("give its raw output");
  return learner_->raw_output(encode(features));
}

Contributions Model::contributions(const Frame& features, const ExplainOptions& options) const {
  require_fitted("explain its predictions");
  const FeatureMatrix X = encode(features);
  ContributionRequest request;
  request.group_of = encoded_sources();
  request.groups = schema_.fields().size();
  request.feature_means = encoded_means_;
  request.samples = options.samples;
  request.seed = options.seed;
  std::optional<FeatureContributions> found = learner_->contributions(X, request);
  if (!found) throw UsageError(info_->name + " does not explain its predictions");
  Contributions c;
  c.columns = schema_.names();
  if (task_ == Task::classification && classes_.size() > 2) c.outputs = classes_;
  else if (task_ == Task::classification) c.outputs = {classes_.back()};  // the second class: its raw output
  else c.outputs = {""};
  if (found->values.size() != c.outputs.size() || found->expected.size() != c.outputs.size())
    throw ModelError(info_->name + " explained " + std::to_string(found->values.size()) + " outputs, not " +
                     std::to_string(c.outputs.size()));
  c.values = std::move(found->values);
  c.expected = std::move(found->expected);
  c.method = std::move(found->method);
  c.exact = found->exact;
  c.error_bound = found->error_bound;
  c.before_calibration = calibrator_.has_value();
  return c;
}

namespace {

std::vector<double> column_of(const Matrix& m, Eigen::Index j) {
  const auto c = m.col(j);
  return {c.data(), c.data() + c.size()};
}

}  // namespace

Frame contributions_table(const Contributions& c, const Matrix& raw) {
  for (const auto& name : c.columns)
    if (name == "row" || name == "output" || name == "expected_value" || name == "raw_output")
      throw DataError("input column '" + name +
                      "' has the name of a column of the contributions table (row, output, expected_value, "
                      "raw_output); rename it to explain this model's predictions in a table");
  const std::size_t outputs = c.values.size();
  const std::size_t rows = outputs ? static_cast<std::size_t>(c.values[0].rows()) : 0;
  std::vector<double> row, expected, raw_out;
  std::vector<std::string> output;
  std::vector<std::vector<double>> columns(c.columns.size());
  for (std::size_t i = 0; i < rows; ++i)
    for (std::size_t o = 0; o < outputs; ++o) {
      const auto r = static_cast<Eigen::Index>(i);
      row.push_back(static_cast<double>(i + 1));
      output.push_back(c.outputs[o]);
      for (std::size_t j = 0; j < columns.size(); ++j)
        columns[j].push_back(c.values[o](r, static_cast<Eigen::Index>(j)));
      expected.push_back(c.expected[o]);
      raw_out.push_back(raw(r, static_cast<Eigen::Index>(o)));
    }
  Frame out;
  out.add(Column::numeric("row", row));
  out.add(Column::from_strings("output", output));
  for (std::size_t j = 0; j < columns.size(); ++j) out.add(Column::numeric(c.columns[j], std::move(columns[j])));
  out.add(Column::numeric("expected_value", std::move(expected)));
  out.add(Column::numeric("raw_output", std::move(raw_out)));
  return out;
}

Frame contribution_columns(const Contributions& c, const Matrix& raw) {
  Frame out;
  const bool several = c.values.size() > 1;
  for (std::size_t o = 0; o < c.values.size(); ++o) {
    const std::string tag = several ? ":" + c.outputs[o] : "";
    for (std::size_t j = 0; j < c.columns.size(); ++j)
      out.add(Column::numeric("contribution" + tag + ":" + c.columns[j],
                              column_of(c.values[o], static_cast<Eigen::Index>(j))));
    out.add(Column::numeric("expected_value" + tag,
                            std::vector<double>(static_cast<std::size_t>(raw.rows()), c.expected[o])));
    out.add(Column::numeric("raw_output" + tag, column_of(raw, static_cast<Eigen::Index>(o))));
  }
  return out;
}

nlohmann::json contributions_json(const Contributions& c, const Matrix& raw) {
  nlohmann::json rows = nlohmann::json::array();
  const std::size_t n = c.values.empty() ? 0 : static_cast<std::size_t>(c.values[0].rows());
  for (std::size_t i = 0; i < n; ++i)
    for (std::size_t o = 0; o < c.values.size(); ++o) {
      nlohmann::json by_column = nlohmann::json::object();
      for (std::size_t j = 0; j < c.columns.size(); ++j)
        by_column[c.columns[j]] = c.values[o](static_cast<Eigen::Index>(i), static_cast<Eigen::Index>(j));
      rows.push_back({{"row", i + 1},
                      {"output", c.outputs[o]},
                      {"contributions", by_column},
                      {"raw_output", raw(static_cast<Eigen::Index>(i), static_cast<Eigen::Index>(o))}});
    }
  return {{"method", c.method},           {"exact", c.exact},
          {"error_bound", c.error_bound}, {"before_calibration", c.before_calibration},
          {"columns", c.columns},         {"outputs", c.outputs},
          {"expected_value", c.expected}, {"rows", rows}};
}

}  // namespace shipml
