#pragma once
// The contributions as an Open Inference Protocol output tensor, laid out the
// way a tritonclient user indexes them (as_numpy("contributions")[row, class,
// column]): FP64, [rows, columns + 1] when one output is explained (a
// regressor, a binary classifier's second class), [rows, classes, columns + 1]
// with three or more classes. Along the last axis, the input columns'
// contributions in schema order, then the expected value, so that the axis sums
// to the raw output. The tensor's parameters name the axes and say how the
// values were computed; OIP has no other place for that.
#include <nlohmann/json.hpp>
#include <string>

#include "shipml/model/model.hpp"

namespace shipml::serve::oip {

/// Appends the tensor `contributions` to `out` (a JSON object, no separator
/// before it); with `as_binary`, its data goes to `binary` instead, as the
/// binary tensor data extension has it, and its size to the tensor's parameters.
void append_contributions_tensor(const Contributions& c, bool as_binary, std::string& out, std::string& binary);

/// The tensor's entry among the outputs of the model metadata: its shape and columns.
nlohmann::json contributions_metadata(const Model& model);

}  // namespace shipml::serve::oip
