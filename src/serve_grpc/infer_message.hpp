#pragma once
// A gRPC ModelInferRequest in, a ModelInferResponse out, through the same
// tensor layout, checks and output bytes as the REST side (serve/oip_tensors):
// typed contents (fp64_contents, bytes_contents, ...) or raw_input_contents
// become the model's table; predictions go out as raw_output_contents, as
// Triton answers, so numbers cross the wire bit for bit.
#include <grpc_predict_v2.pb.h>

#include "shipml/model/model.hpp"
#include "shipml/serve/model_repository.hpp"
#include "shipml/serve/open_inference.hpp"

namespace shipml::serve::grpc_oip {

/// Decodes the rows and the outputs asked for; a RequestError (400) names
/// what was wrong, in the words the REST side uses.
oip::InferRequest decode_infer(const Model& model, const inference::ModelInferRequest& message);

/// Fills in the response: model, id, and each output with its bytes.
void encode_infer(const ServedModel& served, const oip::InferRequest& request, const Predictions& p,
                  inference::ModelInferResponse& response);

}  // namespace shipml::serve::grpc_oip
