#pragma once
// Request bodies as clients build them from a frame's rows: MLflow records and
// Open Inference Protocol tensors, with numbers as JSON numbers (the shortest
// text that reads back exactly), so a server's answer can be compared bit for
// bit with the library's on the same rows.
#include <nlohmann/json.hpp>

#include "support.hpp"

namespace shipml::test {

/// A row's cell as JSON: numbers as numbers, categories as strings, missing as null.
inline nlohmann::json cell(const Column& c, std::size_t i) {
  if (c.is_missing(i)) return nullptr;
  return c.is_numeric() ? nlohmann::json(c.values()[i]) : nlohmann::json(c.text(i));
}

/// MLflow's dataframe_records: one object per row.
inline nlohmann::json records(const Frame& rows) {
  nlohmann::json out = nlohmann::json::array();
  for (std::size_t i = 0; i < rows.rows(); ++i) {
    nlohmann::json r = nlohmann::json::object();
    for (const auto& c : rows.columns()) r[c.name()] = cell(c, i);
    out.push_back(r);
  }
  return out;
}

/// OIP inputs, one tensor per column, flat: FP64 for numbers, BYTES for text.
inline nlohmann::json tensor_per_column(const Frame& rows) {
  nlohmann::json inputs = nlohmann::json::array();
  for (const auto& c : rows.columns()) {
    nlohmann::json data = nlohmann::json::array();
    for (std::size_t i = 0; i < rows.rows(); ++i) data.push_back(cell(c, i));
    inputs.push_back({{"name", c.name()},
                      {"shape", {rows.rows()}},
                      {"datatype", c.is_numeric() ? "FP64" : "BYTES"},
                      {"data", data}});
  }
  return inputs;
}

/// OIP inputs as one [rows, columns] BYTES tensor, every cell as text, nested by row.
inline nlohmann::json bytes_matrix(const Frame& rows) {
  nlohmann::json data = nlohmann::json::array();
  for (std::size_t i = 0; i < rows.rows(); ++i) {
    nlohmann::json row = nlohmann::json::array();
    for (const auto& c : rows.columns()) row.push_back(c.text(i));
    data.push_back(row);
  }
  return {{{"name", "rows"}, {"shape", {rows.rows(), rows.cols()}}, {"datatype", "BYTES"}, {"data", data}}};
}

}  // namespace shipml::test
