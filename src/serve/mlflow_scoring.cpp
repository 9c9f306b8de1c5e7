#include "shipml/serve/mlflow_scoring.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>

#include "explain_request.hpp"
#include "request_table.hpp"
#include "shipml/io/csv.hpp"

namespace shipml::serve::mlflow {
namespace {

using simdjson::dom::array;
using simdjson::dom::object;

RequestError bad(const std::string& message) { return RequestError(400, message); }

std::string lowercase_trimmed(std::string_view s) {
  while (!s.empty() && s.front() == ' ') s.remove_prefix(1);
  while (!s.empty() && s.back() == ' ') s.remove_suffix(1);
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

array as_array(const JsonValue& v, const std::string& what) {
  array a;
  if (v.get_array().get(a) != simdjson::SUCCESS) throw bad(what);
  return a;
}

// The schema's column names, in order (views of the model's own strings).
std::vector<std::string_view> schema_names(const Model& model) {
  std::vector<std::string_view> names;
  names.reserve(model.schema().fields().size());
  for (const auto& f : model.schema().fields()) names.emplace_back(f.name);
  return names;
}

// Rows given as lists, columns named by `names`.
Frame from_rows(const JsonValue& rows, const std::vector<std::string_view>& names, const std::string& where) {
  const array list = as_array(rows, where + " must be a list of rows");
  std::vector<ColumnBuilder> columns(names.begin(), names.end());
  std::size_t i = 0;
  for (const JsonValue row : list) {
    ++i;
    array values;
    if (row.get_array().get(values) != simdjson::SUCCESS)
      throw bad(where + " row " + std::to_string(i) + " must be a list of values");
    if (values.size() != names.size())
      throw bad(where + " row " + std::to_string(i) + " has " + std::to_string(values.size()) + " values for " +
                std::to_string(names.size()) + " columns");
    std::size_t j = 0;
    for (const JsonValue v : values) {
      columns[j].json(v,
                      [&] { return where + " row " + std::to_string(i) + " column '" + std::string(names[j]) + "'"; });
      ++j;
    }
  }
  return make_frame(columns);
}

Frame from_split(const JsonValue& split, const Model& model, const std::string& where) {
  object fields;
  if (split.get_object().get(fields) != simdjson::SUCCESS)
    throw bad(where + " must be an object with 'columns' and 'data'");
  std::vector<std::string_view> names;  // views of the body's text, or of the schema's
  JsonValue columns;
  if (fields.at_key("columns").get(columns) == simdjson::SUCCESS) {
    for (const JsonValue c : as_array(columns, where + ".columns must be a list of names")) {
      std::string_view name;
      if (c.get_string().get(name) != simdjson::SUCCESS) throw bad(where + ".columns must be a list of names");
      names.emplace_back(name);
    }
  } else {
    names = schema_names(model);
  }
  JsonValue data;
  if (fields.at_key("data").get(data) != simdjson::SUCCESS) throw bad(where + " has no 'data'");
  return from_rows(data, names, where + ".data");
}

// Records: one object per row; a key a record lacks is a missing value there.
Frame from_records(const JsonValue& records, const std::string& where) {
  const array list = as_array(records, where + " must be a list of records");
  std::vector<ColumnBuilder> columns;
  std::size_t i = 0;
  for (const JsonValue r : list) {
    object record;
    if (r.get_object().get(record) != simdjson::SUCCESS)
      throw bad(where + " record " + std::to_string(i + 1) + " must be an object of column: value");
    for (const auto field : record) {
      auto it =
          std::find_if(columns.begin(), columns.end(), [&](const ColumnBuilder& c) { return c.name() == field.key; });
      if (it == columns.end()) {
        columns.emplace_back(field.key);
        for (std::size_t k = 0; k < i; ++k) columns.back().missing();
        it = columns.end() - 1;
      }
      if (it->size() > i) throw bad(where + " record " + std::to_string(i + 1) + " has '" + it->name() + "' twice");
      it->json(field.value,
               [&] { return where + " record " + std::to_string(i + 1) + " column '" + it->name() + "'"; });
    }
    for (auto& c : columns)
      if (c.size() == i) c.missing();
    ++i;
  }
  return make_frame(columns);
}

// Columns: an object of column: list of values (or one value).
Frame from_columns(const object& fields, const std::string& where) {
  std::vector<ColumnBuilder> columns;
  for (const auto field : fields) {
    ColumnBuilder& c = columns.emplace_back(field.key);
    auto cell = [&](std::size_t i) {
      return [&, i] { return where + " column '" + c.name() + "' row " + std::to_string(i); };
    };
    array values;
    if (field.value.get_array().get(values) != simdjson::SUCCESS) {
      c.json(field.value, cell(1));
      continue;
    }
    std::size_t i = 0;
    for (const JsonValue v : values) c.json(v, cell(++i));
  }
  return make_frame(columns);
}

// TensorFlow-serving style lists: records, rows in schema order, or scalars of a one-feature model.
Frame from_instances(const JsonValue& value, const Model& model, const std::string& where) {
  object fields;
  if (value.get_object().get(fields) == simdjson::SUCCESS) return from_columns(fields, where);
  const array list = as_array(value, where + " must be a list");
  for (const JsonValue first : list) {  // the first element says which shape the list has
    if (first.is_object()) return from_records(value, where);
    if (first.is_array()) return from_rows(value, schema_names(model), where);
    break;
  }
  if (model.schema().fields().size() != 1)
    throw bad(where + " must hold records (objects) or rows (lists of " +
              std::to_string(model.schema().fields().size()) + " values)");
  std::vector<ColumnBuilder> columns{ColumnBuilder(model.schema().fields()[0].name)};
  std::size_t i = 0;
  for (const JsonValue v : list) {
    ++i;
    columns[0].json(v, [&] { return where + " row " + std::to_string(i); });
  }
  return make_frame(columns);
}

// MLflow 2's `params`: explain (true or false) and how to sample; other params are
// another model's business, ignored as MLflow ignores params a model does not declare.
void read_params(const object& fields, ScoringRequest& request) {
  JsonValue value;
  if (fields.at_key("params").get(value) != simdjson::SUCCESS) return;
  object params;
  if (value.get_object().get(params) != simdjson::SUCCESS) throw bad("'params' must be an object of name: value");
  JsonValue explain;
  if (params.at_key("explain").get(explain) == simdjson::SUCCESS &&
      explain.get_bool().get(request.explain) != simdjson::SUCCESS)
    throw bad("params.explain must be true or false (JSON booleans), not " + simdjson::minify(explain).substr(0, 40));
  request.explain_options = explain_options(params, "params");
}

// The rows; `request` takes the params.
Frame decode_frame(const Model& model, std::string_view content_type, std::string_view body, ScoringRequest& request) {
  const auto semicolon = content_type.find(';');
  const std::string media = lowercase_trimmed(content_type.substr(0, semicolon));
  const std::string parameters =
      semicolon == std::string_view::npos ? "" : lowercase_trimmed(content_type.substr(semicolon + 1));
  if (media == "text/csv" || media == "application/csv") {
    if (body.empty()) throw bad("the CSV body is empty (it needs a header row)");
    return parse_csv(body, CsvOptions{}, "request body");
  }
  if (media != "application/json")
    throw RequestError(
        415, "content type '" + std::string(content_type) + "' is not supported: send application/json or text/csv");
  const JsonValue root = parse_json_body(body);
  if (parameters.find("format=pandas-split") != std::string::npos) return from_split(root, model, "body");
  if (parameters.find("format=pandas-records") != std::string::npos) return from_records(root, "body");
  object fields;
  if (root.get_object().get(fields) != simdjson::SUCCESS)
    throw bad("the body must be a JSON object with one of dataframe_split, dataframe_records, instances, inputs");
  static const char* const keys[] = {"dataframe_split", "dataframe_records", "instances", "inputs"};
  const char* found = nullptr;
  JsonValue value;
  for (const char* k : keys) {
    JsonValue v;
    if (fields.at_key(k).get(v) != simdjson::SUCCESS) continue;
    if (found) throw bad(std::string("the body has both '") + found + "' and '" + k + "'; give exactly one");
    found = k;
    value = v;
  }
  if (!found) {
    // pandas' to_json(orient="split") as it is, the way MLflow 1 clients send it.
    JsonValue ignored;
    if (fields.at_key("columns").get(ignored) == simdjson::SUCCESS &&
        fields.at_key("data").get(ignored) == simdjson::SUCCESS)
      return from_split(root, model, "body");
    throw bad("the body must be a JSON object with one of dataframe_split, dataframe_records, instances, inputs");
  }
  read_params(fields, request);
  const std::string key = found;
  if (key == "dataframe_split") return from_split(value, model, key);
  if (key == "dataframe_records") return from_records(value, key);
  return from_instances(value, model, key);  // `inputs` as an object of columns is handled there too
}

}  // namespace

ScoringRequest decode(const Model& model, std::string_view content_type, std::string_view body) {
  ScoringRequest request;
  request.input = decode_frame(model, content_type, body, request);
  return request;
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
    if (ec == std::errc() && end == label.data() + label.size() && std::isfinite(number) &&
        format_number(number) == label)
      out += label;
    else append_json_string(out, label);
  }
  out += "]}";
  return out;
}

std::string encode(const Predictions& predictions, const Contributions& c, const Matrix& raw) {
  std::string out = encode(predictions);
  out.pop_back();  // the closing brace: the contributions go beside the predictions
  out += ",\"contributions\":" + contributions_json(c, raw).dump() + "}";
  return out;
}

std::string error_body(int status, const std::string& message) {
  std::string out = "{\"error_code\":";
  append_json_string(out, status == 400 && message.starts_with("malformed JSON") ? "MALFORMED_REQUEST"
                          : status < 500                                         ? "BAD_REQUEST"
                                                                                 : "INTERNAL_ERROR");
  out += ",\"message\":";
  append_json_string(out, message);
  out += '}';
  return out;
}

}  // namespace shipml::serve::mlflow
