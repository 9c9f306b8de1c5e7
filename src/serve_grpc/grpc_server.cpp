#include "shipml/serve_grpc/grpc_server.hpp"

#include <grpc_predict_v2.grpc.pb.h>
#include <grpcpp/grpcpp.h>
#include <grpcpp/resource_quota.h>

#include <atomic>
#include <chrono>
#include <nlohmann/json.hpp>

#include "infer_message.hpp"
#include "serve/request_id.hpp"
#include "serve/request_table.hpp"
#include "shipml/core/clock.hpp"
#include "shipml/core/names.hpp"

namespace shipml::serve {
namespace {

using inference::GRPCInferenceService;

// The gRPC status for what REST would answer with `http_status`.
grpc::StatusCode code_of(int http_status) {
  switch (http_status) {
    case 400: return grpc::StatusCode::INVALID_ARGUMENT;
    case 401: return grpc::StatusCode::UNAUTHENTICATED;
    case 404: return grpc::StatusCode::NOT_FOUND;
    case 413: return grpc::StatusCode::RESOURCE_EXHAUSTED;
    case 503: return grpc::StatusCode::UNAVAILABLE;
    default: return grpc::StatusCode::INTERNAL;
  }
}

// Which metrics shard this gRPC thread counts in (each thread keeps one, so
// that threads rarely share a shard's lock).
int metrics_shard() {
  static std::atomic<int> next{0};
  thread_local const int shard = next.fetch_add(1, std::memory_order_relaxed);
  return shard;
}

// The six RPCs. Each runs on the gRPC thread that read it, answers at once
// (predicting a few rows takes microseconds), and is counted like a REST request.
class Service final : public GRPCInferenceService::CallbackService {
 public:
  explicit Service(InferenceService& service) : service_(service), models_(service.models()) {}

  grpc::ServerUnaryReactor* ServerLive(grpc::CallbackServerContext* context, const inference::ServerLiveRequest*,
                                       inference::ServerLiveResponse* response) override {
    return answer(context, "grpc_server_live", false, [&](Call&) { response->set_live(true); });
  }
  grpc::ServerUnaryReactor* ServerReady(grpc::CallbackServerContext* context, const inference::ServerReadyRequest*,
                                        inference::ServerReadyResponse* response) override {
    return answer(context, "grpc_server_ready", false, [&](Call&) { response->set_ready(true); });
  }
  grpc::ServerUnaryReactor* ServerMetadata(grpc::CallbackServerContext* context,
                                           const inference::ServerMetadataRequest*,
                                           inference::ServerMetadataResponse* response) override {
    return answer(context, "grpc_server_metadata", true, [&](Call&) {
      response->set_name("shipml");
      response->set_version(SHIPML_VERSION);
    });
  }
  grpc::ServerUnaryReactor* ModelReady(grpc::CallbackServerContext* context,
                                       const inference::ModelReadyRequest* request,
                                       inference::ModelReadyResponse* response) override {
    return answer(context, "grpc_model_ready", true, [&](Call& call) {
      const auto served = find(request->name(), request->version());
      call.model = served->name;
      call.variant = to_string(served->variant);
      response->set_ready(true);
    });
  }
  grpc::ServerUnaryReactor* ModelMetadata(grpc::CallbackServerContext* context,
                                          const inference::ModelMetadataRequest* request,
                                          inference::ModelMetadataResponse* response) override {
    return answer(context, "grpc_model_metadata", true, [&](Call& call) {
      const auto served = find(request->name(), request->version());
      call.model = served->name;
      call.variant = to_string(served->variant);
      // The REST document, so that both protocols describe a model the same way.
      const auto doc = nlohmann::json::parse(oip::model_metadata(*served, models_.versions(served->name)));
      response->set_name(served->name);
      for (const auto& v : doc["versions"]) response->add_versions(v.get<std::string>());
      response->set_platform(doc["platform"].get<std::string>());
      auto add = [](const nlohmann::json& tensor, auto* out) {
        out->set_name(tensor["name"].get<std::string>());
        out->set_datatype(tensor["datatype"].get<std::string>());
        for (const auto& d : tensor["shape"]) out->add_shape(d.get<std::int64_t>());
      };
      for (const auto& t : doc["inputs"]) add(t, response->add_inputs());
      for (const auto& t : doc["outputs"])
        if (t["name"] != "contributions") add(t, response->add_outputs());  // REST only
    });
  }
  grpc::ServerUnaryReactor* ModelInfer(grpc::CallbackServerContext* context,
                                       const inference::ModelInferRequest* request,
                                       inference::ModelInferResponse* response) override {
    return answer(context, "grpc_model_infer", true, [&](Call& call) {
      const auto start = std::chrono::steady_clock::now();
      // The client's x-request-id, or a new one, returned as REST returns X-Request-Id.
      std::string id = request_id_from(metadata(*context, "x-request-id"));
      context->AddInitialMetadata("x-request-id", id);
      // Routed as REST routes: the same canary share, sticky by the same key.
      const Route route =
          models_.route(request->model_name(), request->model_version(), metadata(*context, service_.canary_header()));
      if (!route.answer) find(request->model_name(), request->model_version());  // throws the 404
      const ServedModel& served = *route.answer;
      call.model = served.name;
      call.variant = to_string(served.variant);
      const oip::InferRequest decoded = grpc_oip::decode_infer(*served.model, *request);
      call.rows = decoded.input.rows();
      Predictions p = served.model->predict(decoded.input);
      grpc_oip::encode_infer(served, decoded, p, *response);
      // One drift window, one shadow and one prediction log for both protocols.
      const bool logged = service_.logs(id);
      service_.answered(route, decoded.input, p, logged ? id : std::string_view());
      if (logged)
        service_.log({utc_timestamp(3), std::move(id), "grpc_model_infer", route.answer, decoded.input, std::move(p),
                      seconds_since(start)});
    });
  }

 private:
  // What the metrics say about one call.
  struct Call {
    std::string model;
    const char* variant = nullptr;
    std::size_t rows = 0;
  };

  std::shared_ptr<const ServedModel> find(const std::string& name, const std::string& version) const {
    const auto served = models_.find(name, version);
    if (served) return served;
    std::vector<std::string> names;
    for (const auto& m : models_.all()) names.push_back(m->name + ":" + m->version);
    throw RequestError(404, "no model '" + name + "'" + (version.empty() ? "" : " version " + version) +
                                " (serving: " + listed(names) + ")");
  }

  // The value of a metadata key (lower case), empty when the client sent none.
  static std::string_view metadata(const grpc::CallbackServerContext& context, const std::string& key) {
    const auto& all = context.client_metadata();
    const auto it = all.find(key);
    return it == all.end() ? std::string_view() : std::string_view(it->second.data(), it->second.size());
  }

  bool authorized(const grpc::CallbackServerContext& context) const {
    return service_.token_accepted(metadata(context, "authorization"));
  }

  // Checks the token (when `guarded`), runs `body`, maps what it throws to a
  // gRPC status as REST maps it to an HTTP status, and counts the call.
  template <class Body>
  grpc::ServerUnaryReactor* answer(grpc::CallbackServerContext* context, const char* endpoint, bool guarded,
                                   Body&& body) {
    const auto start = std::chrono::steady_clock::now();
    ServerMetrics& metrics = service_.metrics();
    metrics.in_flight().fetch_add(1, std::memory_order_relaxed);
    Call call;
    int http_status = 200;
    grpc::Status status = grpc::Status::OK;
    try {
      if (guarded && !authorized(*context)) throw RequestError(401, "missing or wrong bearer token");
      body(call);
    } catch (const std::exception& e) {
      std::string message = e.what();
      if (const auto* r = dynamic_cast<const RequestError*>(&e)) http_status = r->status();
      else if (dynamic_cast<const DataError*>(&e) || dynamic_cast<const UsageError*>(&e)) http_status = 400;
      else http_status = 500, message = "internal error: " + message;
      status = grpc::Status(code_of(http_status), message);
    }
    metrics.in_flight().fetch_sub(1, std::memory_order_relaxed);
    metrics.record(metrics_shard(), call.model, call.variant, endpoint, http_status, seconds_since(start), call.rows);
    grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
    reactor->Finish(status);
    return reactor;
  }

  InferenceService& service_;
  ModelRepository& models_;
};

}  // namespace

struct GrpcServer::Impl {
  explicit Impl(InferenceService& s) : service(s) {}
  Service service;
  std::unique_ptr<grpc::Server> server;
  int port = 0;
  bool stopped = false;
};

GrpcServer::GrpcServer(const GrpcOptions& options, InferenceService& service) : impl_(std::make_unique<Impl>(service)) {
  grpc::ServerBuilder builder;
  const std::string address = (options.host.find(':') != std::string::npos ? "[" + options.host + "]" : options.host) +
                              ":" + std::to_string(options.port);
  builder.AddListeningPort(address, grpc::InsecureServerCredentials(), &impl_->port);
  builder.RegisterService(&impl_->service);
  builder.SetMaxReceiveMessageSize(static_cast<int>(std::min<std::size_t>(options.max_message_bytes, INT32_MAX)));
  if (options.threads > 0) {
    grpc::ResourceQuota quota("shipml_grpc");
    quota.SetMaxThreads(options.threads);
    builder.SetResourceQuota(quota);
  }
  impl_->server = builder.BuildAndStart();
  if (!impl_->server || impl_->port == 0)
    throw UsageError("cannot listen for gRPC on " + address + " (is the port in use, or the address not this host's?)");
}

GrpcServer::~GrpcServer() { stop(0); }

int GrpcServer::port() const { return impl_->port; }

void GrpcServer::stop(double drain_seconds) {
  if (impl_->stopped) return;
  impl_->stopped = true;
  impl_->server->Shutdown(std::chrono::system_clock::now() +
                          std::chrono::milliseconds(static_cast<long>(drain_seconds * 1000)));
  impl_->server->Wait();
}

}  // namespace shipml::serve
