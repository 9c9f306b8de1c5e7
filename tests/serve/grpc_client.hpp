#pragma once
// A gRPC client of `shipml serve --grpc-port` (the stubs generated from
// proto/grpc_predict_v2.proto, as any KServe or Triton client has them) and the
// port the server says it listens on.
#include <grpc_predict_v2.grpc.pb.h>
#include <grpcpp/grpcpp.h>

#include <chrono>
#include <memory>
#include <string>

#include "serve/server_process.hpp"

namespace shipml::test {

/// The gRPC port `shipml serve --grpc-port 0` chose, from what it said on stderr.
inline int grpc_port(ServerProcess& server) {
  const std::string said = "gRPC listening on 127.0.0.1:";
  if (!server.wait_for_stderr(said)) throw std::runtime_error("no gRPC port in: " + server.stderr_text());
  const std::string& text = server.stderr_text();
  return std::stoi(text.substr(text.find(said) + said.size()));
}

/// A ModelInfer request for `rows`, one typed tensor per column: FP64 numbers
/// in fp64_contents (NaN: missing), BYTES text in bytes_contents.
inline inference::ModelInferRequest typed_infer_request(const Frame& rows, const std::string& model_name) {
  inference::ModelInferRequest r;
  r.set_model_name(model_name);
  for (const auto& c : rows.columns()) {
    auto* t = r.add_inputs();
    t->set_name(c.name());
    t->set_datatype(c.is_numeric() ? "FP64" : "BYTES");
    t->add_shape(static_cast<std::int64_t>(rows.rows()));
    for (std::size_t i = 0; i < rows.rows(); ++i) {
      if (c.is_numeric()) t->mutable_contents()->add_fp64_contents(c.values()[i]);
      else t->mutable_contents()->add_bytes_contents(c.text(i));
    }
  }
  return r;
}

/// A channel to 127.0.0.1:port and the service's stub, with an optional bearer token.
class GrpcClient {
 public:
  explicit GrpcClient(int port, std::string token = "")
      : token_(std::move(token)), stub_(inference::GRPCInferenceService::NewStub(grpc::CreateChannel(
                                      "127.0.0.1:" + std::to_string(port), grpc::InsecureChannelCredentials()))) {}

  /// Calls one RPC (`&Stub::ModelInfer` and the like) with a 10 s deadline,
  /// sending `metadata` (keys in lower case) beside the token.
  template <class Method, class Request, class Response>
  grpc::Status call(Method method, const Request& request, Response& response,
                    const std::vector<std::pair<std::string, std::string>>& metadata = {}) const {
    grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
    if (!token_.empty()) context.AddMetadata("authorization", "Bearer " + token_);
    for (const auto& [key, value] : metadata) context.AddMetadata(key, value);
    return (stub_.get()->*method)(&context, request, &response);
  }
  inference::GRPCInferenceService::Stub& stub() { return *stub_; }

 private:
  std::string token_;
  std::unique_ptr<inference::GRPCInferenceService::Stub> stub_;
};

}  // namespace shipml::test
