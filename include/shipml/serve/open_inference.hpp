#pragma once
/// \file
/// The Open Inference Protocol v2 (KServe, Triton, MLServer): infer requests in
/// and out, including the binary tensor data extension that tritonclient uses,
/// model metadata built from the model's schema, and per-prediction
/// contributions (an output named `contributions`) for clients that ask.
#include <string>
#include <string_view>
#include <vector>

#include "shipml/core/export.hpp"
#include "shipml/model/model.hpp"
#include "shipml/serve/http.hpp"
#include "shipml/serve/model_repository.hpp"

/// The Open Inference Protocol v2 (KServe, Triton, MLServer).
namespace shipml::serve::oip {

/// An output a request asks for.
struct SHIPML_API RequestedOutput {
  std::string name;     ///< "predict", "predict_proba" or "contributions"
  bool binary = false;  ///< as binary tensor data
};

/// A decoded infer request.
struct SHIPML_API InferRequest {
  Frame input;                           ///< the rows, one column per feature
  std::string id;                        ///< the request's id, returned in the response
  std::vector<RequestedOutput> outputs;  ///< empty: every output, as JSON
  bool binary_outputs = false;           ///< request-level binary_data_output
  /// How to sample contributions (request parameters explain_samples, explain_seed).
  ExplainOptions explain;
  /// Whether `outputs` names `name`.
  bool asks_for(std::string_view name) const;
};

/// Decodes an infer request for `model`. Inputs are either one tensor per
/// feature (shape [n] or [n, 1]; BYTES for text) or one [n, features] tensor in
/// schema order; data nested or flat. `json_length` is the value of the
/// Inference-Header-Content-Length header ("" when the body is all JSON).
/// A RequestError (400) names what was wrong, including an explain_samples
/// outside 2..10,000 or an explain_seed that is not a whole number.
SHIPML_API InferRequest decode_infer(const Model& model, std::string_view body, std::string_view json_length);

/// Writes the infer response: `predict` (class labels as BYTES, or values as
/// FP64), for classifiers `predict_proba` (FP64, [n, classes]), and when asked
/// for, `contributions` (FP64, [n, columns + 1], or [n, classes, columns + 1]
/// with three or more classes: docs/serving.md). `contributions` must be given
/// when the request asks for them, and may be null otherwise.
SHIPML_API void encode_infer(const ServedModel& served, const InferRequest& request, const Predictions& predictions,
                             const Contributions* contributions, HttpResponse& response);

/// GET /v2/models/{name}: inputs from the schema, outputs, and what the model is.
SHIPML_API std::string model_metadata(const ServedModel& served, const std::vector<std::string>& versions);

}  // namespace shipml::serve::oip
