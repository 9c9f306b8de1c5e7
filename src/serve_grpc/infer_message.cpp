#include "infer_message.hpp"

#include <cmath>

#include "serve/oip_tensors.hpp"

namespace shipml::serve::grpc_oip {
namespace {

using Contents = inference::InferTensorContents;

RequestError bad(const std::string& message) { return RequestError(400, message); }

// Numbers from a typed contents field; NaN is a missing value, as in raw data.
template <class Values>
std::size_t feed_numbers(const Values& values, oip::ColumnTargets columns) {
  std::size_t k = 0;
  for (const auto v : values) {
    ColumnBuilder& column = *columns[k++ % columns.size()];
    const double x = static_cast<double>(v);
    if (std::isnan(x)) column.missing();
    else column.number(x);
  }
  return k;
}

// The contents field a datatype's elements go in (the specification's table).
const char* contents_field(const std::string& datatype) {
  if (datatype == "BOOL") return "bool_contents";
  if (datatype == "INT8" || datatype == "INT16" || datatype == "INT32") return "int_contents";
  if (datatype == "INT64") return "int64_contents";
  if (datatype == "UINT8" || datatype == "UINT16" || datatype == "UINT32") return "uint_contents";
  if (datatype == "UINT64") return "uint64_contents";
  if (datatype == "FP32") return "fp32_contents";
  if (datatype == "FP64") return "fp64_contents";
  if (datatype == "BYTES") return "bytes_contents";
  return nullptr;  // FP16 has no typed field: raw_input_contents only
}

void decode_contents(const oip::TensorShape& t, const Contents& c, oip::ColumnTargets columns) {
  const std::string& type = t.datatype;
  const char* field = contents_field(type);
  if (!field) throw bad(t.where() + ": " + type + " data can only be sent in raw_input_contents");
  std::size_t k = 0;
  if (type == "BYTES") {
    for (const auto& text : c.bytes_contents()) columns[k++ % columns.size()]->text(text);
  } else if (type == "BOOL") {
    k = feed_numbers(c.bool_contents(), columns);
  } else if (field == std::string_view("int_contents")) {
    k = feed_numbers(c.int_contents(), columns);
  } else if (type == "INT64") {
    k = feed_numbers(c.int64_contents(), columns);
  } else if (field == std::string_view("uint_contents")) {
    k = feed_numbers(c.uint_contents(), columns);
  } else if (type == "UINT64") {
    k = feed_numbers(c.uint64_contents(), columns);
  } else if (type == "FP32") {
    k = feed_numbers(c.fp32_contents(), columns);
  } else {
    k = feed_numbers(c.fp64_contents(), columns);
  }
  if (k == 0 && t.count != 0 && c.ByteSizeLong() != 0)
    throw bad(t.where() + ": " + type + " data goes in contents." + field);
  oip::check_element_count(t, k);
}

}  // namespace

oip::InferRequest decode_infer(const Model& model, const inference::ModelInferRequest& message) {
  oip::InferRequest request;
  request.id = message.id();
  for (const auto& o : message.outputs()) {
    if (o.name() == "contributions")
      throw bad("output 'contributions' is offered over REST only (POST /v2/models/{name}/infer)");
    request.outputs.push_back({o.name(), true});
  }
  if (message.inputs().empty()) throw bad("the request needs 'inputs': a list of tensors");
  const bool raw = !message.raw_input_contents().empty();
  if (raw && message.raw_input_contents_size() != message.inputs_size())
    throw bad("raw_input_contents has " + std::to_string(message.raw_input_contents_size()) +
              " entries but there are " + std::to_string(message.inputs_size()) + " inputs (one each, in order)");
  std::vector<oip::TensorShape> shapes;
  shapes.reserve(static_cast<std::size_t>(message.inputs_size()));
  for (const auto& input : message.inputs()) {
    oip::TensorShape& t = shapes.emplace_back();
    t.name = input.name();
    t.datatype = input.datatype();
    t.check_datatype();
    for (const auto size : input.shape()) t.add_dimension(size);
    t.check_has_shape();
    if (raw && input.has_contents() && input.contents().ByteSizeLong() != 0)
      throw bad(t.where() + " has contents, but the request sends its data in raw_input_contents");
  }
  oip::InputColumns columns(model, shapes);
  for (std::size_t i = 0; i < shapes.size(); ++i) {
    const int index = static_cast<int>(i);
    if (raw) oip::decode_raw(shapes[i], message.raw_input_contents(index), columns.targets(i));
    else decode_contents(shapes[i], message.inputs(index).contents(), columns.targets(i));
  }
  request.input = columns.build();
  return request;
}

void encode_infer(const ServedModel& served, const oip::InferRequest& request, const Predictions& p,
                  inference::ModelInferResponse& response) {
  response.set_model_name(served.name);
  response.set_model_version(served.version);
  if (!request.id.empty()) response.set_id(request.id);
  for (const auto& want : oip::outputs_to_answer(request, p)) {
    const oip::OutputTensor tensor = oip::describe_output(want.name, p);
    auto* out = response.add_outputs();
    out->set_name(want.name);
    out->set_datatype(tensor.datatype);
    for (const auto d : tensor.shape) out->add_shape(d);
    oip::append_raw_output(want.name, p, *response.add_raw_output_contents());
  }
}

}  // namespace shipml::serve::grpc_oip
