#include "shipml/serve/open_inference.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstring>
#include <nlohmann/json.hpp>

#include "contributions_tensor.hpp"
#include "explain_request.hpp"
#include "oip_tensors.hpp"
#include "request_table.hpp"
#include "shipml/core/names.hpp"

namespace shipml::serve::oip {
namespace {

using nlohmann::json;  // for the metadata document only; requests are read with simdjson

RequestError bad(const std::string& message) { return RequestError(400, message); }

// Where an input tensor's elements are: in the JSON, or in the binary part of the body.
struct TensorData {
  std::size_t binary_size = 0;
  bool binary = false;
  JsonValue data;
};

// Reads input `index`'s header fields into `t`, checked. The fields are found
// in one pass over the object (the first of a repeated key, as at_key would),
// then checked in a fixed order, so the first error is the same whatever the
// order of the keys.
TensorData read_header(const JsonValue& input, std::size_t index, TensorShape& t) {
  simdjson::dom::object fields;
  if (input.get_object().get(fields) != simdjson::SUCCESS)
    throw bad("inputs[" + std::to_string(index) + "] must be an object");
  JsonValue name, datatype, shape, parameters, data;
  bool has_name = false, has_datatype = false, has_shape = false, has_parameters = false, has_data = false;
  for (const auto field : fields) {
    auto take = [&](std::string_view key, JsonValue& value, bool& has) {
      if (has || field.key != key) return false;
      value = field.value;
      return has = true;
    };
    take("name", name, has_name) || take("datatype", datatype, has_datatype) || take("shape", shape, has_shape) ||
        take("parameters", parameters, has_parameters) || take("data", data, has_data);
  }
  std::string_view text;
  if (!has_name || name.get_string().get(text) != simdjson::SUCCESS)
    throw bad("inputs[" + std::to_string(index) + "] needs a string 'name'");
  t.name = text;
  if (!has_datatype || datatype.get_string().get(text) != simdjson::SUCCESS)
    throw bad(t.where() + " needs a string 'datatype'");
  t.datatype = text;
  t.check_datatype();
  simdjson::dom::array sizes;
  if (!has_shape || shape.get_array().get(sizes) != simdjson::SUCCESS || sizes.size() == 0)
    throw bad(t.where() + " needs a 'shape' (a list of sizes)");
  for (const JsonValue d : sizes) {
    std::int64_t size = 0;
    if (d.get_int64().get(size) != simdjson::SUCCESS) size = -1;
    t.add_dimension(size);
  }
  TensorData out;
  if (has_parameters) {
    if (const auto size = parameters.at_key("binary_data_size"); size.error() == simdjson::SUCCESS) {
      std::uint64_t binary_size = 0;
      if (size.get_uint64().get(binary_size) != simdjson::SUCCESS)
        throw bad(t.where() + ": binary_data_size must be a whole number");
      out.binary = true;
      out.binary_size = binary_size;
    }
  }
  if (!out.binary) {
    if (!has_data) throw bad(t.where() + " has no 'data' (and no binary_data_size)");
    out.data = data;
  }
  return out;
}

// Feeds every element of a JSON data array (nested or flat) to `columns`,
// element k to column k % columns.size().
void decode_json_data(const TensorShape& t, const JsonValue& data, ColumnTargets columns) {
  const bool text = t.datatype == "BYTES";
  std::size_t k = 0;
  auto emit = [&](const JsonValue& v, auto& self) -> void {
    simdjson::dom::array items;
    if (v.get_array().get(items) == simdjson::SUCCESS) {
      for (const JsonValue e : items) self(e, self);
      return;
    }
    if (k >= t.count) throw bad("input '" + t.name + "' has more data than its shape holds");
    ColumnBuilder& column = *columns[k % columns.size()];
    auto where = [&] { return "input '" + t.name + "' element " + std::to_string(k); };
    if (v.is_null()) column.missing();
    else if (text && !v.is_string()) throw bad(where() + ": BYTES data must be strings");
    else if (!text && v.is_string()) throw bad(where() + ": " + t.datatype + " data must be numbers, not text");
    else column.json(v, where);
    ++k;
  };
  emit(data, emit);
  check_element_count(t, k);
}

// Output `name`'s elements as a JSON "data" list.
void append_json_output(const std::string& name, const Predictions& p, std::string& out) {
  const bool proba = name == "predict_proba";
  const bool text = p.task == Task::classification && !proba;
  const std::size_t width = proba ? p.classes.size() : 1;
  out += ",\"data\":[";
  for (std::size_t i = 0; i < p.values.size(); ++i)
    for (std::size_t c = 0; c < width; ++c) {
      if (i + c) out += ',';
      if (text) append_json_string(out, p.classes[static_cast<std::size_t>(p.values[i])]);
      else
        append_json_number(out,
                           proba ? p.proba(static_cast<Eigen::Index>(i), static_cast<Eigen::Index>(c)) : p.values[i]);
    }
  out += ']';
}

// An output's own "binary_data" overrides the request's "binary_data_output".
bool wants_binary(const JsonValue& output, bool request_default) {
  bool binary = false;
  return output.at_key("parameters").at_key("binary_data").get_bool().get(binary) == simdjson::SUCCESS
             ? binary
             : request_default;
}

}  // namespace

InferRequest decode_infer(const Model& model, std::string_view body, std::string_view json_length) {
  std::string_view json_part = body, binary_part;
  if (!json_length.empty()) {
    std::size_t n = 0;
    const auto [end, ec] = std::from_chars(json_length.data(), json_length.data() + json_length.size(), n);
    if (ec != std::errc() || end != json_length.data() + json_length.size() || n > body.size())
      throw bad("Inference-Header-Content-Length must be a number of bytes within the body");
    json_part = body.substr(0, n);
    binary_part = body.substr(n);
  }
  const JsonValue root = parse_json_body(json_part);
  simdjson::dom::object fields;
  if (root.get_object().get(fields) != simdjson::SUCCESS) throw bad("the request must be a JSON object with 'inputs'");
  InferRequest request;
  std::string_view id;
  if (fields.at_key("id").get_string().get(id) == simdjson::SUCCESS) request.id = id;
  simdjson::dom::object parameters;
  if (fields.at_key("parameters").get_object().get(parameters) == simdjson::SUCCESS) {
    bool binary_outputs = false;
    if (parameters.at_key("binary_data_output").get_bool().get(binary_outputs) == simdjson::SUCCESS)
      request.binary_outputs = binary_outputs;
    request.explain = explain_options(parameters, "parameters");
  }
  JsonValue outputs;
  if (fields.at_key("outputs").get(outputs) == simdjson::SUCCESS) {
    simdjson::dom::array list;
    if (outputs.get_array().get(list) != simdjson::SUCCESS) throw bad("'outputs' must be a list");
    for (const JsonValue o : list) {
      std::string_view name;
      if (o.at_key("name").get_string().get(name) != simdjson::SUCCESS)
        throw bad("each of 'outputs' needs a string 'name'");
      request.outputs.push_back({std::string(name), wants_binary(o, request.binary_outputs)});
    }
  }
  simdjson::dom::array inputs;
  if (fields.at_key("inputs").get_array().get(inputs) != simdjson::SUCCESS || inputs.size() == 0)
    throw bad("the request needs 'inputs': a list of tensors");

  const std::size_t count = inputs.size();
  std::vector<TensorShape> shapes(count);
  std::vector<TensorData> data;
  data.reserve(count);
  for (const JsonValue input : inputs) {
    const std::size_t i = data.size();
    data.push_back(read_header(input, i, shapes[i]));
  }
  InputColumns columns(model, shapes);
  std::size_t offset = 0;
  for (std::size_t i = 0; i < count; ++i) {
    const TensorShape& t = shapes[i];
    if (data[i].binary) {
      if (binary_part.size() - offset < data[i].binary_size)
        throw bad("input '" + t.name + "': binary_data_size runs past the end of the body");
      decode_raw(t, binary_part.substr(offset, data[i].binary_size), columns.targets(i));
      offset += data[i].binary_size;
    } else {
      decode_json_data(t, data[i].data, columns.targets(i));
    }
  }
  if (offset != binary_part.size())
    throw bad("the body has " + std::to_string(binary_part.size() - offset) + " bytes of binary data no input claims");
  request.input = columns.build();
  return request;
}

bool InferRequest::asks_for(std::string_view name) const {
  return std::any_of(outputs.begin(), outputs.end(), [&](const RequestedOutput& o) { return o.name == name; });
}

void encode_infer(const ServedModel& served, const InferRequest& request, const Predictions& p,
                  const Contributions* contributions, HttpResponse& response) {
  const std::vector<RequestedOutput> outputs = outputs_to_answer(request, p);
  std::string& out = response.body;
  std::string binary;
  out += "{\"model_name\":";
  append_json_string(out, served.name);
  out += ",\"model_version\":";
  append_json_string(out, served.version);
  if (!request.id.empty()) {
    out += ",\"id\":";
    append_json_string(out, request.id);
  }
  out += ",\"outputs\":[";
  for (std::size_t o = 0; o < outputs.size(); ++o) {
    const auto& want = outputs[o];
    if (o) out += ',';
    if (want.name == "contributions") {
      if (!contributions) throw std::logic_error("contributions were asked for but not computed");
      append_contributions_tensor(*contributions, want.binary, out, binary);
      continue;
    }
    const OutputTensor tensor = describe_output(want.name, p);
    out += "{\"name\":\"" + want.name + "\",\"datatype\":\"" + tensor.datatype + "\",\"shape\":[";
    for (std::size_t d = 0; d < tensor.shape.size(); ++d) out += (d ? "," : "") + std::to_string(tensor.shape[d]);
    out += ']';
    const std::size_t binary_start = binary.size();
    if (want.binary) append_raw_output(want.name, p, binary);
    else append_json_output(want.name, p, out);
    if (want.binary)
      out += ",\"parameters\":{\"binary_data_size\":" + std::to_string(binary.size() - binary_start) + "}";
    out += '}';
  }
  out += "]}";
  if (!binary.empty() || std::any_of(outputs.begin(), outputs.end(), [](const auto& o) { return o.binary; })) {
    response.headers.emplace_back("Inference-Header-Content-Length", std::to_string(out.size()));
    response.content_type = "application/octet-stream";
    out += binary;
  }
}

std::string model_metadata(const ServedModel& served, const std::vector<std::string>& versions) {
  const Model& m = *served.model;
  json inputs = json::array();
  for (const auto& f : m.schema().fields())
    inputs.push_back(
        {{"name", f.name}, {"datatype", f.type == ColumnType::numeric ? "FP64" : "BYTES"}, {"shape", {-1}}});
  json outputs = json::array();
  if (m.task() == Task::classification) {
    outputs.push_back({{"name", "predict"}, {"datatype", "BYTES"}, {"shape", {-1}}});
    outputs.push_back(
        {{"name", "predict_proba"}, {"datatype", "FP64"}, {"shape", {-1, static_cast<int>(m.classes().size())}}});
  } else {
    outputs.push_back({{"name", "predict"}, {"datatype", "FP64"}, {"shape", {-1}}});
  }
  outputs.push_back(contributions_metadata(m));  // only when asked for: infer's default leaves it out
  json parameters = {{"estimator", m.estimator()},
                     {"task", std::string(to_string(m.task()))},
                     {"target", m.target()},
                     {"loaded_at", served.loaded_at}};
  if (m.task() == Task::classification) parameters["classes"] = m.classes();
  return json{{"name", served.name}, {"versions", versions}, {"platform", "shipml"},
              {"inputs", inputs},    {"outputs", outputs},   {"parameters", parameters}}
      .dump();
}

}  // namespace shipml::serve::oip
