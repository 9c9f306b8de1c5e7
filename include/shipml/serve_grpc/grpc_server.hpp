#pragma once
/// \file
/// The Open Inference Protocol v2 over gRPC (`inference.GRPCInferenceService`,
/// proto/grpc_predict_v2.proto), beside the REST server: it serves the same
/// models (a reload is seen by both), checks the same bearer token (metadata
/// `authorization: Bearer <token>`), decodes tensors and checks the schema with
/// the same code, and counts requests in the same metrics. gRPC's callback API
/// answers a request on the thread that read it, with no hand-off.
#include <cstddef>
#include <memory>
#include <string>

#include "shipml/core/export.hpp"
#include "shipml/serve/inference_service.hpp"

namespace shipml::serve {

/// Where and how the gRPC service listens.
struct SHIPML_API GrpcOptions {
  std::string host = "127.0.0.1";            ///< the address to listen on
  int port = 0;                              ///< 0: any free port (see GrpcServer::port)
  int threads = 0;                           ///< most threads gRPC may use; 0: gRPC's default
  std::size_t max_message_bytes = 8u << 20;  ///< larger requests get RESOURCE_EXHAUSTED
};

/// The gRPC service, listening from construction until stop() or destruction.
class SHIPML_API GrpcServer {
 public:
  /// Binds and starts serving now (a port conflict is a UsageError here);
  /// `service` (its models, token and metrics) must outlive the server.
  GrpcServer(const GrpcOptions& options, InferenceService& service);
  /// Stops, if stop() was not called.
  ~GrpcServer();
  GrpcServer(const GrpcServer&) = delete;             ///< not copyable: it owns its listener
  GrpcServer& operator=(const GrpcServer&) = delete;  ///< not copyable

  /// The port it listens on (the one chosen when GrpcOptions::port was 0).
  int port() const;
  /// Stops accepting and lets requests under way finish, for at most `drain_seconds`.
  void stop(double drain_seconds);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace shipml::serve
