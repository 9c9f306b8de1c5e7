#include "shipml/serve/open_inference.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstring>
#include <nlohmann/json.hpp>

#include "contributions_tensor.hpp"
#include "explain_request.hpp"
#include "request_table.hpp"
#include "shipml/core/names.hpp"

namespace shipml::serve::oip {
namespace {

using nlohmann::json;  // for the metadata document only; requests are read with simdjson

RequestError bad(const std::string& message) { return RequestError(400, message); }

// Bytes per element of a fixed-size datatype; 0 for BYTES; -1 when unknown.
int element_size(std::string_view datatype) {
  if (datatype == "BYTES") return 0;
  if (datatype == "BOOL" || datatype == "UINT8" || datatype == "INT8") return 1;
  if (datatype == "UINT16" || datatype == "INT16" || datatype == "FP16") return 2;
  if (datatype == "UINT32" || datatype == "INT32" || datatype == "FP32") return 4;
  if (datatype == "UINT64" || datatype == "INT64" || datatype == "FP64") return 8;
  return -1;
}

template <class T>
T read_le(const char* p) {
  T v;
  std::memcpy(&v, p, sizeof v);  // the extension is little-endian, as is every machine this runs on
  return v;
}

double half_to_double(std::uint16_t h) {
  const int exponent = (h >> 10) & 0x1f, mantissa = h & 0x3ff;
  const double sign = (h & 0x8000) ? -1 : 1;
  if (exponent == 0) return sign * std::ldexp(mantissa, -24);
  if (exponent == 31) return mantissa ? std::nan("") : sign * INFINITY;
  return sign * std::ldexp(mantissa + 1024, exponent - 25);
}

double fixed_element(std::string_view type, const char* p) {
  if (type == "BOOL") return *p ? 1 : 0;
  if (type == "UINT8") return read_le<std::uint8_t>(p);
  if (type == "INT8") return read_le<std::int8_t>(p);
  if (type == "UINT16") return read_le<std::uint16_t>(p);
  if (type == "INT16") return read_le<std::int16_t>(p);
  if (type == "FP16") return half_to_double(read_le<std::uint16_t>(p));
  if (type == "UINT32") return read_le<std::uint32_t>(p);
  if (type == "INT32") return read_le<std::int32_t>(p);
  if (type == "FP32") return read_le<float>(p);
  if (type == "UINT64") return static_cast<double>(read_le<std::uint64_t>(p));
  if (type == "INT64") return static_cast<double>(read_le<std::int64_t>(p));
  return read_le<double>(p);  // FP64
}

// One input tensor's header fields, checked.
struct TensorHeader {
  std::string name, datatype;
  std::vector<std::size_t> shape;
  std::size_t count = 1;
  std::size_t binary_size = 0;
  bool binary = false;
  JsonValue data;
};

TensorHeader read_header(const JsonValue& input, std::size_t index) {
  simdjson::dom::object fields;
  if (input.get_object().get(fields) != simdjson::SUCCESS)
    throw bad("inputs[" + std::to_string(index) + "] must be an object");
  TensorHeader t;
  std::string_view text;
  if (fields.at_key("name").get_string().get(text) != simdjson::SUCCESS)
    throw bad("inputs[" + std::to_string(index) + "] needs a string 'name'");
  t.name = text;
  const std::string where = "input '" + t.name + "'";
  if (fields.at_key("datatype").get_string().get(text) != simdjson::SUCCESS)
    throw bad(where + " needs a string 'datatype'");
  t.datatype = text;
  if (element_size(t.datatype) < 0)
    throw bad(where + ": unknown datatype '" + t.datatype + "' (BOOL, UINT8-64, INT8-64, FP16, FP32, FP64 or BYTES)");
  simdjson::dom::array shape;
  if (fields.at_key("shape").get_array().get(shape) != simdjson::SUCCESS || shape.size() == 0)
    throw bad(where + " needs a 'shape' (a list of sizes)");
  for (const JsonValue d : shape) {
    std::uint64_t size = 0;
    if (d.get_uint64().get(size) != simdjson::SUCCESS || size > (1u << 30))
      throw bad(where + ": shape sizes must be whole numbers from 0 to 2^30");
    t.shape.push_back(size);
    t.count *= size;
    if (t.count > (std::size_t{1} << 31)) throw bad(where + ": shape has too many elements");
  }
  std::uint64_t binary_size = 0;
  if (const auto size = fields.at_key("parameters").at_key("binary_data_size"); size.error() == simdjson::SUCCESS) {
    if (size.get_uint64().get(binary_size) != simdjson::SUCCESS)
      throw bad(where + ": binary_data_size must be a whole number");
    t.binary = true;
    t.binary_size = binary_size;
  }
  if (!t.binary && fields.at_key("data").get(t.data) != simdjson::SUCCESS)
    throw bad(where + " has no 'data' (and no binary_data_size)");
  return t;
}

// Feeds every element of a JSON data array (nested or flat) to `columns`,
// element k to column k % columns.size().
void decode_json_data(const TensorHeader& t, std::vector<ColumnBuilder*>& columns) {
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
  emit(t.data, emit);
  if (k != t.count)
    throw bad("input '" + t.name + "' has " + std::to_string(k) + " elements but its shape holds " +
              std::to_string(t.count));
}

void decode_binary_data(const TensorHeader& t, std::string_view bytes, std::vector<ColumnBuilder*>& columns) {
  const int size = element_size(t.datatype);
  const std::string where = "input '" + t.name + "'";
  if (size > 0) {
    if (bytes.size() != t.count * static_cast<std::size_t>(size))
      throw bad(where + ": binary_data_size is " + std::to_string(bytes.size()) + " but " + std::to_string(t.count) +
                " " + t.datatype + " elements take " + std::to_string(t.count * size));
    for (std::size_t k = 0; k < t.count; ++k) {
      const double v = fixed_element(t.datatype, bytes.data() + k * size);
      ColumnBuilder& column = *columns[k % columns.size()];
      if (std::isnan(v)) column.missing();
      else column.number(v);
    }
    return;
  }
  // BYTES: each element is a 4-byte little-endian length, then that many bytes.
  std::size_t pos = 0, k = 0;
  for (; pos < bytes.size(); ++k) {
    if (bytes.size() - pos < 4) throw bad(where + ": BYTES element " + std::to_string(k) + " is cut short");
    const std::uint32_t n = read_le<std::uint32_t>(bytes.data() + pos);
    pos += 4;
    if (bytes.size() - pos < n) throw bad(where + ": BYTES element " + std::to_string(k) + " is cut short");
    if (k >= t.count) throw bad(where + " has more data than its shape holds");
    columns[k % columns.size()]->text(bytes.substr(pos, n));
    pos += n;
  }
  if (k != t.count)
    throw bad(where + " has " + std::to_string(k) + " elements but its shape holds " + std::to_string(t.count));
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

  std::vector<TensorHeader> headers;
  for (const JsonValue input : inputs) headers.push_back(read_header(input, headers.size()));
  const auto& fields_of_model = model.schema().fields();
  auto is_field = [&](const std::string& name) {
    for (const auto& f : fields_of_model)
      if (f.name == name) return true;
    return false;
  };

  // One [n, features] tensor in schema order, or one tensor per feature.
  const std::size_t width = fields_of_model.size();
  const bool matrix = headers.size() == 1 && headers[0].shape.size() == 2 && headers[0].shape[1] == width &&
                      !(width == 1 && is_field(headers[0].name));
  std::vector<ColumnBuilder> columns;
  columns.reserve(matrix ? width : headers.size());
  if (matrix) {
    for (const auto& f : fields_of_model) columns.emplace_back(f.name);
  } else {
    for (const auto& t : headers) {
      if (t.shape.size() > 2 || (t.shape.size() == 2 && t.shape[1] != 1))
        throw bad("input '" + t.name + "' has shape [" + std::to_string(t.shape[0]) + ", " +
                  std::to_string(t.shape.size() > 1 ? t.shape[1] : 0) + (t.shape.size() > 2 ? ", ...]" : "]") +
                  ": give one tensor per feature with shape [rows] or [rows, 1], or one [rows, " +
                  std::to_string(width) +
                  "] tensor with every feature in this order: " + listed(model.schema().names(), 50));
      columns.emplace_back(t.name);
    }
  }
  std::size_t offset = 0;
  for (std::size_t i = 0; i < headers.size(); ++i) {
    std::vector<ColumnBuilder*> targets;
    if (matrix)
      for (auto& c : columns) targets.push_back(&c);
    else targets.push_back(&columns[i]);
    const TensorHeader& t = headers[i];
    if (t.binary) {
      if (binary_part.size() - offset < t.binary_size)
        throw bad("input '" + t.name + "': binary_data_size runs past the end of the body");
      decode_binary_data(t, binary_part.substr(offset, t.binary_size), targets);
      offset += t.binary_size;
    } else {
      decode_json_data(t, targets);
    }
  }
  if (offset != binary_part.size())
    throw bad("the body has " + std::to_string(binary_part.size() - offset) + " bytes of binary data no input claims");
  request.input = make_frame(columns);
  return request;
}

bool InferRequest::asks_for(std::string_view name) const {
  return std::any_of(outputs.begin(), outputs.end(), [&](const RequestedOutput& o) { return o.name == name; });
}

void encode_infer(const ServedModel& served, const InferRequest& request, const Predictions& p,
                  const Contributions* contributions, HttpResponse& response) {
  const bool classifier = p.task == Task::classification;
  const std::size_t n = p.values.size();
  std::vector<RequestedOutput> outputs = request.outputs;
  if (outputs.empty()) {
    outputs.push_back({"predict", request.binary_outputs});
    if (classifier) outputs.push_back({"predict_proba", request.binary_outputs});
  }
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
    const bool proba = want.name == "predict_proba";
    if (want.name != "predict" && !(proba && classifier))
      throw bad("unknown output '" + want.name + "' (this model gives: predict" +
                (classifier ? std::string(", predict_proba") : std::string()) + ", contributions)");
    const bool text = classifier && !proba;
    out += "{\"name\":\"" + want.name + "\",\"datatype\":\"" + (text ? "BYTES" : "FP64") + "\",\"shape\":[" +
           std::to_string(n) + (proba ? "," + std::to_string(p.classes.size()) : "") + "]";
    const std::size_t binary_start = binary.size();
    if (!want.binary) out += ",\"data\":[";
    const std::size_t width = proba ? p.classes.size() : 1;
    for (std::size_t i = 0; i < n; ++i)
      for (std::size_t c = 0; c < width; ++c) {
        if (want.binary) {
          if (text) {
            const std::string& label = p.classes[static_cast<std::size_t>(p.values[i])];
            const auto len = static_cast<std::uint32_t>(label.size());
            binary.append(reinterpret_cast<const char*>(&len), 4);
            binary += label;
          } else {
            const double v = proba ? p.proba(static_cast<Eigen::Index>(i), static_cast<Eigen::Index>(c)) : p.values[i];
            binary.append(reinterpret_cast<const char*>(&v), 8);
          }
          continue;
        }
        if (i + c) out += ',';
        if (text) append_json_string(out, p.classes[static_cast<std::size_t>(p.values[i])]);
        else
          append_json_number(out,
                             proba ? p.proba(static_cast<Eigen::Index>(i), static_cast<Eigen::Index>(c)) : p.values[i]);
      }
    if (want.binary)
      out += ",\"parameters\":{\"binary_data_size\":" + std::to_string(binary.size() - binary_start) + "}";
    else out += ']';
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
