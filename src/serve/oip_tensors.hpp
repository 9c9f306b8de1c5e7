#pragma once
// Open Inference Protocol tensors <-> a model's table, whatever carries them:
// REST (JSON, or the binary tensor data extension) and gRPC (typed contents,
// or raw_input_contents) check the same datatypes and shapes, lay tensors out
// as columns the same way, and answer the same outputs with the same bytes,
// so the two protocols cannot disagree on a request or a number.
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "request_table.hpp"
#include "shipml/model/model.hpp"
#include "shipml/serve/open_inference.hpp"

namespace shipml::serve::oip {

/// Bytes per element of a fixed-size datatype; 0 for BYTES; -1 when unknown.
int element_size(std::string_view datatype);

/// An input tensor's name, datatype and shape, checked as they are read.
struct TensorShape {
  std::string name, datatype;
  std::vector<std::size_t> shape;
  std::size_t count = 1;  // elements the shape holds

  /// "input 'NAME'", the start of every error about this tensor.
  std::string where() const { return "input '" + name + "'"; }
  /// A 400 unless the datatype is one the protocol defines.
  void check_datatype() const;
  /// Appends a dimension; a 400 for a negative or absurd size.
  void add_dimension(std::int64_t size);
  /// A 400 for a tensor with no dimensions.
  void check_has_shape() const;
};

/// The columns one input tensor's elements go to, element k to column k % size().
using ColumnTargets = std::span<ColumnBuilder* const>;

/// Where each input tensor's elements go: one [rows, features] tensor in
/// schema order fills every column (element k to column k % features), and
/// otherwise each tensor (shape [rows] or [rows, 1]) is one column.
class InputColumns {
 public:
  /// A 400 naming the tensor and the accepted layouts when a shape fits neither.
  InputColumns(const Model& model, const std::vector<TensorShape>& inputs);
  /// The columns input `i`'s elements go to, element k to column k % size.
  ColumnTargets targets(std::size_t i) const {
    return matrix_ ? ColumnTargets(targets_) : ColumnTargets(&targets_[i], 1);
  }
  /// The rows, as a frame for Model::predict (a 400 for unequal lengths).
  Frame build() { return make_frame(columns_); }

 private:
  bool matrix_ = false;
  std::vector<ColumnBuilder> columns_;
  std::vector<ColumnBuilder*> targets_;  // one per column: all of them for a matrix, input i's at i otherwise
};

/// Feeds a tensor's elements given as little-endian bytes (the binary tensor
/// data extension's and gRPC raw_input_contents' layout; BYTES as a 4-byte
/// length then the bytes) to `columns`; NaN is a missing value. A 400 when the
/// byte count does not match the shape.
void decode_raw(const TensorShape& t, std::string_view bytes, ColumnTargets columns);

/// A 400 when `k` elements were given for a tensor whose shape holds another number.
void check_element_count(const TensorShape& t, std::size_t k);

/// The outputs to answer: those asked for, or by default `predict` and, for a
/// classifier, `predict_proba`.
std::vector<RequestedOutput> outputs_to_answer(const InferRequest& request, const Predictions& p);

/// An output tensor's datatype and shape.
struct OutputTensor {
  const char* datatype;
  std::vector<std::int64_t> shape;
};

/// `predict` (BYTES labels for a classifier, FP64 values otherwise) or
/// `predict_proba` (FP64, [rows, classes]); a 400 naming what this model gives
/// for any other name.
OutputTensor describe_output(const std::string& name, const Predictions& p);

/// Appends output `name`'s elements as raw little-endian bytes (BYTES: a
/// 4-byte length then the label).
void append_raw_output(const std::string& name, const Predictions& p, std::string& bytes);

}  // namespace shipml::serve::oip
