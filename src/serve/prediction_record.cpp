// A prediction record as JSON: the one shape every sink stores (a file's
// line; the inputs and outputs columns of a table).
#include <cmath>

#include "request_table.hpp"
#include "shipml/serve/mlflow_scoring.hpp"
#include "shipml/serve/prediction_log.hpp"

namespace shipml::serve {

std::string inputs_json(const Frame& rows) {
  std::string out = "[";
  for (std::size_t r = 0; r < rows.rows(); ++r) {
    out += r ? ",{" : "{";
    for (std::size_t c = 0; c < rows.cols(); ++c) {
      const Column& column = rows[c];
      if (c) out += ',';
      append_json_string(out, column.name());
      out += ':';
      if (column.is_missing(r)) out += "null";
      else if (column.is_numeric()) append_json_number(out, column.values()[r]);
      else append_json_string(out, column.text(r));
    }
    out += '}';
  }
  return out + "]";
}

std::string outputs_json(const Predictions& p) {
  // The predictions exactly as /invocations answers them; the probabilities beside.
  std::string out = mlflow::encode(p);
  out.pop_back();  // the closing brace
  if (p.task == Task::classification) {
    out += ",\"probabilities\":[";
    for (Eigen::Index i = 0; i < p.proba.rows(); ++i) {
      out += i ? ",[" : "[";
      for (Eigen::Index c = 0; c < p.proba.cols(); ++c) {
        if (c) out += ',';
        append_json_number(out, p.proba(i, c));
      }
      out += ']';
    }
    out += ']';
  }
  return out + "}";
}

std::string record_json(const PredictionRecord& r) {
  std::string out = "{\"time\":\"" + r.time + "\",\"request_id\":";
  append_json_string(out, r.request_id);
  out += ",\"model\":";
  append_json_string(out, r.model->name);
  out += ",\"model_version\":";
  append_json_string(out, r.model->version);
  out += ",\"model_loaded_at\":\"" + r.model->loaded_at + "\",\"endpoint\":\"" + r.endpoint + "\",\"latency_ms\":";
  append_json_number(out, std::round(r.latency_seconds * 1e6) / 1e3);  // to the microsecond
  out += ",\"inputs\":" + inputs_json(r.inputs) + ",\"outputs\":" + outputs_json(r.outputs) + "}";
  return out;
}

}  // namespace shipml::serve
