#include "contributions_tensor.hpp"

#include "request_table.hpp"

namespace shipml::serve::oip {
namespace {

// The last axis's name for the expected value, after the input columns.
constexpr const char* kExpectedValue = "expected_value";

void append_strings(std::string& out, const std::vector<std::string>& items, const char* last = nullptr) {
  out += '[';
  for (std::size_t k = 0; k < items.size(); ++k) {
    if (k) out += ',';
    append_json_string(out, items[k]);
  }
  if (last) {
    if (!items.empty()) out += ',';
    append_json_string(out, last);
  }
  out += ']';
}

}  // namespace

void append_contributions_tensor(const Contributions& c, bool as_binary, std::string& out, std::string& binary) {
  const std::size_t outputs = c.values.size();
  const std::size_t rows = outputs ? static_cast<std::size_t>(c.values[0].rows()) : 0;
  const std::size_t width = c.columns.size() + 1;
  out += "{\"name\":\"contributions\",\"datatype\":\"FP64\",\"shape\":[" + std::to_string(rows) +
         (outputs > 1 ? "," + std::to_string(outputs) : "") + "," + std::to_string(width) + "]";
  out += ",\"parameters\":{\"columns\":";
  append_strings(out, c.columns, kExpectedValue);
  out += ",\"outputs\":";
  append_strings(out, c.outputs);
  out += ",\"method\":";
  append_json_string(out, c.method);
  out += c.exact ? ",\"exact\":true" : ",\"exact\":false";
  out += ",\"error_bound\":";
  append_json_number(out, c.error_bound);
  out += c.before_calibration ? ",\"before_calibration\":true" : ",\"before_calibration\":false";
  // Row-major, as the protocol flattens tensors: row, then output, then column.
  auto each_value = [&](auto&& emit) {
    for (std::size_t i = 0; i < rows; ++i)
      for (std::size_t o = 0; o < outputs; ++o) {
        const auto r = static_cast<Eigen::Index>(i);
        for (Eigen::Index j = 0; j < c.values[o].cols(); ++j) emit(c.values[o](r, j));
        emit(c.expected[o]);
      }
  };
  if (as_binary) {
    const std::size_t start = binary.size();
    each_value([&](double v) { binary.append(reinterpret_cast<const char*>(&v), sizeof v); });
    out += ",\"binary_data_size\":" + std::to_string(binary.size() - start) + "}}";
    return;
  }
  out += "},\"data\":[";
  bool first = true;
  each_value([&](double v) {
    if (!first) out += ',';
    first = false;
    append_json_number(out, v);
  });
  out += "]}";
}

nlohmann::json contributions_metadata(const Model& model) {
  std::vector<std::string> columns = model.schema().names();
  columns.push_back(kExpectedValue);
  // The same rule as Model::contributions: one output per class from three classes on.
  const bool per_class = model.task() == Task::classification && model.classes().size() > 2;
  nlohmann::json shape = nlohmann::json::array({-1});
  if (per_class) shape.push_back(model.classes().size());
  shape.push_back(columns.size());
  nlohmann::json parameters = {{"columns", columns}};
  if (per_class) parameters["outputs"] = model.classes();
  return {{"name", "contributions"}, {"datatype", "FP64"}, {"shape", shape}, {"parameters", parameters}};
}

}  // namespace shipml::serve::oip
