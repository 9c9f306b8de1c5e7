#include "shipml/serve/mlflow_scoring.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>

#include "shipml/io/csv.hpp"
#include "shipml/serve/request_table.hpp"

namespace shipml::serve::mlflow {
namespace {

using nlohmann::json;

RequestError bad(const std::string& message) { return RequestError(400, message); }

std::string lowercase_trimmed(std::string_view s) {
  while (!s.empty() && s.front() == ' ') s.remove_prefix(1);
  while (!s.empty() && s.back() == ' ') s.remove_suffix(1);
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// Rows given as lists, columns named by `names`.
Frame from_rows(const json& rows, const std::vector<std::string>& names, const std::string& where) {
  if (!rows.is_array()) throw bad(where + " must be a list of rows");
  std::vector<ColumnBuilder> columns;
  for (const auto& n : names) columns.emplace_back(n);
  for (std::size_t i = 0; i < rows.size(); ++i) {
    const json& row = rows[i];
    const std::string at = where + " row " + std::to_string(i + 1);
    if (!row.is_array()) throw bad(at + " must be a list of values");
    if (row.size() != names.size())
      throw bad(at + " has " + std::to_string(row.size()) + " values for " + std::to_string(names.size()) + " columns");
    for (std::size_t j = 0; j < names.size(); ++j) columns[j].json(row[j], at + " column '" + names[j] + "'");
  }
  return make_frame(columns);
}

Frame from_split(const json& split, const Model& model, const std::string& where) {
  if (!split.is_object()) throw bad(where + " must be an object with 'columns' and 'data'");
  std::vector<std::string> names = model.schema().names();
  if (const auto columns = split.find("columns"); columns != split.end()) {
    if (!columns->is_array()) throw bad(where + ".columns must be a list of names");
    names.clear();
    for (const auto& c : *columns) {
      if (!c.is_string()) throw bad(where + ".columns must be a list of names");
      names.push_back(c.get<std::string>());
    }
  }
  const auto data = split.find("data");
  if (data == split.end()) throw bad(where + " has no 'data'");
  return from_rows(*data, names, where + ".data");
}

// Records: one object per row; a key a record lacks is a missing value there.
Frame from_records(const json& records, const std::string& where) {
  if (!records.is_array()) throw bad(where + " must be a list of records");
  std::vector<ColumnBuilder> columns;
  for (std::size_t i = 0; i < records.size(); ++i) {
    const json& r = records[i];
    const std::string at = where + " record " + std::to_string(i + 1);
    if (!r.is_object()) throw bad(at + " must be an object of column: value");
    for (const auto& [key, value] : r.items()) {
      auto it = std::find_if(columns.begin(), columns.end(), [&](const ColumnBuilder& c) { return c.name() == key; });
      if (it == columns.end()) {
        columns.emplace_back(key);
        for (std::size_t k = 0; k < i; ++k) columns.back().missing();
        it = columns.end() - 1;
      }
      it->json(value, at + " column '" + key + "'");
    }
    for (auto& c : columns)
      if (c.size() == i) c.missing();
  }
  return make_frame(columns);
}

// Columns: an object of column: list of values.
Frame from_columns(const json& object, const std::string& where) {
  std::vector<ColumnBuilder> columns;
  for (const auto& [key, values] : object.items()) {
    columns.emplace_back(key);
    const json list = values.is_array() ? values : json::array({values});
    for (std::size_t i = 0; i < list.size(); ++i)
      columns.back().json(list[i], where + " column '" + key + "' row " + std::to_string(i + 1));
  }
  return make_frame(columns);
}

// TensorFlow-serving style lists: records, rows in schema order, or scalars of a one-feature model.
Frame from_instances(const json& list, const Model& model, const std::string& where) {
  if (list.is_object()) return from_columns(list, where);
  if (!list.is_array()) throw bad(where + " must be a list");
  if (!list.empty() && list.front().is_object()) return from_records(list, where);
  if (!list.empty() && list.front().is_array()) return from_rows(list, model.schema().names(), where);
  if (model.schema().fields().size() != 1)
    throw bad(where + " must hold records (objects) or rows (lists of " +
              std::to_string(model.schema().fields().size()) + " values)");
  std::vector<ColumnBuilder> columns{ColumnBuilder(model.schema().fields()[0].name)};
  for (std::size_t i = 0; i < list.size(); ++i) columns[0].json(list[i], where + " row " + std::to_string(i + 1));
  return make_frame(columns);
}

}  // namespace

Frame decode(const Model& model, std::string_view content_type, std::string_view body) {
  const auto semicolon = content_type.find(';');
  const std::string media = lowercase_trimmed(content_type.substr(0, semicolon));
  const std::string parameters =
      semicolon == std::string_view::npos ? "" : lowercase_trimmed(content_type.substr(semicolon + 1));
  if (media == "text/csv" || media == "application/csv") {
    if (body.empty()) throw bad("the CSV body is empty (it needs a header row)");
    return parse_csv(body, CsvOptions{}, "request body");
  }
  if (media != "application/json")
    throw RequestError(415, "content type '" + std::string(content_type) +
                                "' is not supported: send application/json or text/csv");
  const json root = parse_json_body(body);
  if (parameters.find("format=pandas-split") != std::string::npos) return from_split(root, model, "body");
  if (parameters.find("format=pandas-records") != std::string::npos) return from_records(root, "body");
  if (!root.is_object())
    throw bad("the body must be a JSON object with one of dataframe_split, dataframe_records, instances, inputs");
  static const char* const keys[] = {"dataframe_split", "dataframe_records", "instances", "inputs"};
  const char* found = nullptr;
  for (const char* k : keys)
    if (root.contains(k)) {
      if (found) throw bad(std::string("the body has both '") + found + "' and '" + k + "'; give exactly one");
      found = k;
    }
  if (!found) {
    // pandas' to_json(orient="split") as it is, the way MLflow 1 clients send it.
    if (root.contains("columns") && root.contains("data")) return from_split(root, model, "body");
    throw bad("the body must be a JSON object with one of dataframe_split, dataframe_records, instances, inputs");
  }
  const json& value = root[found];
  const std::string key = found;
  if (key == "dataframe_split") return from_split(value, model, key);
  if (key == "dataframe_records") return from_records(value, key);
  if (key == "inputs" && value.is_object()) return from_columns(value, key);
  return from_instances(value, model, key);
}

std::string encode(const Predictions& p) {
  std::string out = "{\"predictions\":[";
  for (std::size_t i = 0; i < p.values.size(); ++i) {
    if (i) out += ',';
    if (p.task != Task::classification) {
      append_json_number(out, p.values[i]);
      continue;
    }
    const std::string& label = p.classes[static_cast<std::size_t>(p.values[i])];
    double number = 0;
    const auto [end, ec] = std::from_chars(label.data(), label.data() + label.size(), number);
    // "1" -> 1, as scikit-learn's predict gives for numeric classes; "01" stays text.
    if (ec == std::errc() && end == label.data() + label.size() && std::isfinite(number) && format_number(number) == label)
      out += label;
    else
      append_json_string(out, label);
  }
  out += "]}";
  return out;
}

std::string error_body(int status, const std::string& message) {
  std::string out = "{\"error_code\":";
  append_json_string(out, status == 400 && message.starts_with("malformed JSON") ? "MALFORMED_REQUEST"
                          : status < 500                                          ? "BAD_REQUEST"
                                                                                  : "INTERNAL_ERROR");
  out += ",\"message\":";
  append_json_string(out, message);
  out += '}';
  return out;
}

}  // namespace shipml::serve::mlflow
