#include "oip_tensors.hpp"

#include <algorithm>
#include <cmath>
#include <cstring>

#include "shipml/core/names.hpp"

namespace shipml::serve::oip {
namespace {

RequestError bad(const std::string& message) { return RequestError(400, message); }

template <class T>
T read_le(const char* p) {
  T v;
  std::memcpy(&v, p, sizeof v);  // the protocol is little-endian, as is every machine this runs on
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

}  // namespace

int element_size(std::string_view datatype) {
  if (datatype == "BYTES") return 0;
  if (datatype == "BOOL" || datatype == "UINT8" || datatype == "INT8") return 1;
  if (datatype == "UINT16" || datatype == "INT16" || datatype == "FP16") return 2;
  if (datatype == "UINT32" || datatype == "INT32" || datatype == "FP32") return 4;
  if (datatype == "UINT64" || datatype == "INT64" || datatype == "FP64") return 8;
  return -1;
}

void TensorShape::check_datatype() const {
  if (element_size(datatype) < 0)
    throw bad(where() + ": unknown datatype '" + datatype + "' (BOOL, UINT8-64, INT8-64, FP16, FP32, FP64 or BYTES)");
}

void TensorShape::add_dimension(std::int64_t size) {
  if (size < 0 || size > (std::int64_t{1} << 30))
    throw bad(where() + ": shape sizes must be whole numbers from 0 to 2^30");
  shape.push_back(static_cast<std::size_t>(size));
  count *= static_cast<std::size_t>(size);
  if (count > (std::size_t{1} << 31)) throw bad(where() + ": shape has too many elements");
}

void TensorShape::check_has_shape() const {
  if (shape.empty()) throw bad(where() + " needs a 'shape' (a list of sizes)");
}

InputColumns::InputColumns(const Model& model, const std::vector<TensorShape>& inputs) {
  const auto& fields = model.schema().fields();
  const std::size_t width = fields.size();
  auto is_field = [&](const std::string& name) {
    return std::any_of(fields.begin(), fields.end(), [&](const auto& f) { return f.name == name; });
  };
  matrix_ = inputs.size() == 1 && inputs[0].shape.size() == 2 && inputs[0].shape[1] == width &&
            !(width == 1 && is_field(inputs[0].name));
  columns_.reserve(matrix_ ? width : inputs.size());
  targets_.reserve(columns_.capacity());
  if (matrix_) {
    for (const auto& f : fields) columns_.emplace_back(f.name);
    for (auto& c : columns_) targets_.push_back(&c);
    return;
  }
  for (const auto& t : inputs) {
    if (t.shape.size() > 2 || (t.shape.size() == 2 && t.shape[1] != 1))
      throw bad(t.where() + " has shape [" + std::to_string(t.shape[0]) + ", " +
                std::to_string(t.shape.size() > 1 ? t.shape[1] : 0) + (t.shape.size() > 2 ? ", ...]" : "]") +
                ": give one tensor per feature with shape [rows] or [rows, 1], or one [rows, " + std::to_string(width) +
                "] tensor with every feature in this order: " + listed(model.schema().names(), 50));
    columns_.emplace_back(t.name);
  }
  for (auto& c : columns_) targets_.push_back(&c);
}

void check_element_count(const TensorShape& t, std::size_t k) {
  if (k != t.count)
    throw bad(t.where() + " has " + std::to_string(k) + " elements but its shape holds " + std::to_string(t.count));
}

void decode_raw(const TensorShape& t, std::string_view bytes, ColumnTargets columns) {
  const int size = element_size(t.datatype);
  if (size > 0) {
    if (bytes.size() != t.count * static_cast<std::size_t>(size))
      throw bad(t.where() + ": its data is " + std::to_string(bytes.size()) + " bytes but " + std::to_string(t.count) +
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
    if (bytes.size() - pos < 4) throw bad(t.where() + ": BYTES element " + std::to_string(k) + " is cut short");
    const std::uint32_t n = read_le<std::uint32_t>(bytes.data() + pos);
    pos += 4;
    if (bytes.size() - pos < n) throw bad(t.where() + ": BYTES element " + std::to_string(k) + " is cut short");
    if (k >= t.count) throw bad(t.where() + " has more data than its shape holds");
    columns[k % columns.size()]->text(bytes.substr(pos, n));
    pos += n;
  }
  check_element_count(t, k);
}

std::vector<RequestedOutput> outputs_to_answer(const InferRequest& request, const Predictions& p) {
  if (!request.outputs.empty()) return request.outputs;
  std::vector<RequestedOutput> outputs{{"predict", request.binary_outputs}};
  if (p.task == Task::classification) outputs.push_back({"predict_proba", request.binary_outputs});
  return outputs;
}

OutputTensor describe_output(const std::string& name, const Predictions& p) {
  const bool classifier = p.task == Task::classification;
  const auto rows = static_cast<std::int64_t>(p.values.size());
  if (name == "predict") return {classifier ? "BYTES" : "FP64", {rows}};
  if (name == "predict_proba" && classifier) return {"FP64", {rows, static_cast<std::int64_t>(p.classes.size())}};
  throw bad("unknown output '" + name + "' (this model gives: predict" +
            (classifier ? std::string(", predict_proba") : std::string()) + ", contributions)");
}

void append_raw_output(const std::string& name, const Predictions& p, std::string& bytes) {
  const bool proba = name == "predict_proba";
  const bool text = p.task == Task::classification && !proba;
  const std::size_t n = p.values.size();
  if (text) {
    for (std::size_t i = 0; i < n; ++i) {
      const std::string& label = p.classes[static_cast<std::size_t>(p.values[i])];
      const auto len = static_cast<std::uint32_t>(label.size());
      bytes.append(reinterpret_cast<const char*>(&len), 4);
      bytes += label;
    }
    return;
  }
  const std::size_t width = proba ? p.classes.size() : 1;
  const std::size_t start = bytes.size();
  bytes.resize(start + n * width * sizeof(double));
  char* out = bytes.data() + start;
  for (std::size_t i = 0; i < n; ++i)
    for (std::size_t c = 0; c < width; ++c, out += sizeof(double)) {
      const double v = proba ? p.proba(static_cast<Eigen::Index>(i), static_cast<Eigen::Index>(c)) : p.values[i];
      std::memcpy(out, &v, sizeof v);
    }
}

}  // namespace shipml::serve::oip
