#include "shipml/serve/inference_service.hpp"

#include <unistd.h>

#include <cctype>
#include <chrono>
#include <cmath>
#include <optional>

#include "request_id.hpp"
#include "request_table.hpp"
#include "shipml/core/clock.hpp"
#include "shipml/core/names.hpp"
#include "shipml/serve/mlflow_scoring.hpp"
#include "shipml/serve/open_inference.hpp"

namespace shipml::serve {

// What the metrics and the access log say about one request.
struct InferenceService::Outcome {
  const char* endpoint = "unknown";
  std::string model;
  const char* variant = nullptr;  // of the model that answered
  std::size_t rows = 0;
  bool mlflow_errors = false;  // answer errors in MLflow's shape
  std::string request_id;      // inference endpoints: sent or generated, returned in X-Request-Id
  // A request the prediction log samples: what it logs.
  std::shared_ptr<const ServedModel> served;
  std::optional<Frame> inputs;
  std::optional<Predictions> outputs;
};

namespace {

std::vector<std::string_view> segments(std::string_view path) {
  std::vector<std::string_view> out;
  while (!path.empty()) {
    path.remove_prefix(1);  // the '/'
    const auto slash = path.find('/');
    out.push_back(path.substr(0, slash));
    path = slash == std::string_view::npos ? std::string_view() : path.substr(slash);
  }
  if (!out.empty() && out.back().empty()) out.pop_back();  // a trailing slash
  return out;
}

void method_not_allowed(const HttpRequest& request, std::string_view allowed, HttpResponse& response) {
  response.headers.emplace_back("Allow", std::string(allowed));
  throw RequestError(405, "method " + std::string(request.method) + " is not allowed on " + std::string(request.path) +
                              " (allowed: " + std::string(allowed) + ")");
}

bool is_inference(std::string_view path) {
  return path == "/invocations" || (path.starts_with("/v2/models/") && path.ends_with("/infer"));
}

bool is_open(std::string_view path) {
  return path == "/v2/health/live" || path == "/v2/health/ready" || path == "/ping" || path == "/health";
}

// A model that cannot explain itself (a linear model from a file written before
// explanations) is not a server fault: a 400 with the library's reason.
Contributions explain(const Model& model, const Frame& rows, const ExplainOptions& options) {
  try {
    return model.contributions(rows, options);
  } catch (const ModelError& e) {
    throw RequestError(400, std::string("this model cannot explain its predictions: ") + e.what());
  }
}

}  // namespace

InferenceService::InferenceService(ModelRepository& models, ServiceOptions options)
    : models_(models), options_(std::move(options)), metrics_(std::max(1, options_.loops)),
      log_buffers_(static_cast<std::size_t>(std::max(1, options_.loops))) {
  // Headers are looked up, and gRPC metadata keys arrive, in lower case.
  for (char& c : options_.canary_header) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
}

bool InferenceService::authorized(const HttpRequest& request) const {
  return is_open(request.path) || token_accepted(request.header("authorization"));
}

bool InferenceService::token_accepted(std::string_view given) const {
  if (options_.token.empty()) return true;
  constexpr std::string_view scheme = "Bearer ";
  if (given.size() < scheme.size() || given.substr(0, scheme.size()) != scheme) return false;
  return constant_time_equal(given.substr(scheme.size()), options_.token);
}

void InferenceService::answered(const Route& route, const Frame& rows, const Predictions& predictions,
                                std::string_view request_id) {
  // Only answered requests count: a client retrying a refused one adds its rows once.
  if (route.answer->drift) route.answer->drift->observe(rows, predictions);
  if (route.shadow && options_.shadows)
    options_.shadows->submit(
        {route.shadow, rows, predictions, route.answer->variant, std::string(request_id), !request_id.empty()});
}

void InferenceService::infer(const HttpRequest& request, const std::string& name, const std::string& version,
                             HttpResponse& response, Outcome& outcome) {
  const Route route = models_.route(name, version, request.header(options_.canary_header));
  const auto& served = route.answer;
  if (!served) throw RequestError(404, "no model '" + name + "'" + (version.empty() ? "" : " version " + version));
  outcome.model = served->name;
  outcome.variant = to_string(served->variant);
  response.headers.emplace_back("X-Model-Version", served->version);  // which variant answered
  const oip::InferRequest decoded =
      oip::decode_infer(*served->model, request.body, request.header("inference-header-content-length"));
  outcome.rows = decoded.input.rows();
  Predictions p = served->model->predict(decoded.input);
  // Explaining costs far more than predicting: only for the requests that ask.
  std::optional<Contributions> contributions;
  if (decoded.asks_for("contributions")) contributions = explain(*served->model, decoded.input, decoded.explain);
  oip::encode_infer(*served, decoded, p, contributions ? &*contributions : nullptr, response);
  const std::string_view logged_id = logged(outcome);
  answered(route, decoded.input, p, logged_id);
  if (!logged_id.empty()) keep_for_log(served, decoded.input, std::move(p), outcome);
}

bool InferenceService::logs(std::string_view request_id) const {
  return options_.prediction_log && options_.prediction_log->sampled(request_id);
}

std::string_view InferenceService::logged(const Outcome& outcome) const {
  return logs(outcome.request_id) ? std::string_view(outcome.request_id) : std::string_view();
}

void InferenceService::keep_for_log(const std::shared_ptr<const ServedModel>& served, const Frame& input,
                                    Predictions&& predictions, Outcome& outcome) const {
  outcome.served = served;
  outcome.inputs = input;  // shares the columns' storage: no copy of the cells
  outcome.outputs = std::move(predictions);
}

void InferenceService::invocations(const HttpRequest& request, HttpResponse& response, Outcome& outcome) {
  const auto first = models_.first();
  if (!first) throw RequestError(503, "no model is being served");
  const Route route = models_.route(first->name, {}, request.header(options_.canary_header));
  const auto& served = route.answer;
  outcome.model = served->name;
  outcome.variant = to_string(served->variant);
  response.headers.emplace_back("X-Model-Version", served->version);  // which variant answered
  const mlflow::ScoringRequest scoring = mlflow::decode(*served->model, request.header("content-type"), request.body);
  const Model& model = *served->model;
  outcome.rows = scoring.input.rows();
  Predictions p = model.predict(scoring.input);
  if (!scoring.explain) response.set(200, mlflow::encode(p));
  else
    response.set(200, mlflow::encode(p, explain(model, scoring.input, scoring.explain_options),
                                     model.raw_output(scoring.input)));
  const std::string_view logged_id = logged(outcome);
  answered(route, scoring.input, p, logged_id);
  if (!logged_id.empty()) keep_for_log(served, scoring.input, std::move(p), outcome);
}

void InferenceService::route(const HttpRequest& request, HttpResponse& response, Outcome& outcome) {
  const auto parts = segments(request.path);
  const bool get = request.method == "GET" || request.method == "HEAD";
  const bool post = request.method == "POST";
  const std::string_view first = parts.empty() ? std::string_view() : parts[0];

  if (first == "invocations" && parts.size() == 1) {
    outcome.endpoint = "invocations";
    outcome.mlflow_errors = true;
    if (!post) method_not_allowed(request, "POST", response);
    return invocations(request, response, outcome);
  }
  if ((first == "ping" || first == "health" || first == "version") && parts.size() == 1) {
    outcome.endpoint = first == "version" ? "version" : "health";
    outcome.mlflow_errors = true;
    if (!get) method_not_allowed(request, "GET", response);
    return first == "version" ? response.set(200, SHIPML_VERSION "\n", "text/plain")
                              : response.set(200, "\n", "application/json");
  }
  if (first == "metrics" && parts.size() == 1) {
    outcome.endpoint = "metrics";
    if (!get) method_not_allowed(request, "GET", response);
    std::string text = metrics_.render(models_);
    if (options_.prediction_log) text += options_.prediction_log->render_metrics();
    if (options_.shadows) text += options_.shadows->render_metrics();
    return response.set(200, std::move(text), "text/plain; version=0.0.4; charset=utf-8");
  }
  if (first != "v2") throw RequestError(404, "no endpoint " + std::string(request.path));

  if (parts.size() == 1) {
    outcome.endpoint = "v2_server";
    if (!get) method_not_allowed(request, "GET", response);
    return response.set(
        200,
        nlohmann::json{{"name", "shipml"}, {"version", SHIPML_VERSION}, {"extensions", {"binary_tensor_data"}}}.dump());
  }
  if (parts.size() == 3 && parts[1] == "health" && (parts[2] == "live" || parts[2] == "ready")) {
    outcome.endpoint = "v2_health";
    if (!get) method_not_allowed(request, "GET", response);
    return response.set(200, parts[2] == "live" ? "{\"live\":true}" : "{\"ready\":true}");
  }
  // /v2/models/{name}[/versions/{v}][/ready|/infer]
  if (parts.size() < 3 || parts[1] != "models") throw RequestError(404, "no endpoint " + std::string(request.path));
  const std::string name(parts[2]);
  std::string version;
  std::size_t next = 3;
  if (parts.size() >= 5 && parts[3] == "versions") {
    version = parts[4];
    next = 5;
  }
  const std::string_view action = next < parts.size() ? parts[next] : std::string_view();
  if (next + (action.empty() ? 0 : 1) != parts.size())
    throw RequestError(404, "no endpoint " + std::string(request.path));
  // Metrics are labelled by served models only: a client cannot create series by asking for names.
  if (action == "infer") {
    outcome.endpoint = "v2_infer";
    if (!post) method_not_allowed(request, "POST", response);
    return infer(request, name, version, response, outcome);
  }
  if (!action.empty() && action != "ready") throw RequestError(404, "no endpoint " + std::string(request.path));
  outcome.endpoint = action.empty() ? "v2_model_metadata" : "v2_model_ready";
  if (!get) method_not_allowed(request, "GET", response);
  const auto served = models_.find(name, version);
  if (!served) {
    std::vector<std::string> names;
    for (const auto& m : models_.all()) names.push_back(m->name + ":" + m->version);
    throw RequestError(404, "no model '" + name + "'" + (version.empty() ? "" : " version " + version) +
                                " (serving: " + listed(names) + ")");
  }
  outcome.model = served->name;
  outcome.variant = to_string(served->variant);
  if (action.empty()) return response.set(200, oip::model_metadata(*served, models_.versions(name)));
  nlohmann::json ready = {{"name", served->name}, {"ready", true}};
  response.set(200, ready.dump());
}

void InferenceService::handle(const HttpRequest& request, const Peer& peer, HttpResponse& response) {
  const auto start = std::chrono::steady_clock::now();
  metrics_.in_flight().fetch_add(1, std::memory_order_relaxed);
  Outcome outcome;
  const bool inference = is_inference(request.path);
  try {
    if (!authorized(request)) {
      response.headers.emplace_back("WWW-Authenticate", "Bearer");
      throw RequestError(401, "missing or wrong bearer token");
    }
    if (inference) outcome.request_id = request_id_of(request);
    route(request, response, outcome);
  } catch (const std::exception& e) {
    int status = 500;
    std::string message = e.what();
    if (const auto* r = dynamic_cast<const RequestError*>(&e)) status = r->status();
    else if (dynamic_cast<const DataError*>(&e) || dynamic_cast<const UsageError*>(&e)) status = 400;
    else message = "internal error: " + message;
    auto headers = std::move(response.headers);
    response = HttpResponse{};
    for (auto& h : headers)
      if (h.first == "Allow" || h.first == "WWW-Authenticate") response.headers.push_back(std::move(h));
    if (outcome.mlflow_errors) {
      response.set(status, mlflow::error_body(status, message));
    } else {
      std::string body = "{\"error\":";
      append_json_string(body, message);
      response.set(status, body + "}");
    }
  }
  if (request.method == "HEAD") response.body.clear();
  if (inference) {
    if (outcome.request_id.empty()) outcome.request_id = new_request_id();  // the one sent was refused
    response.headers.emplace_back("X-Request-Id", outcome.request_id);
  }
  metrics_.in_flight().fetch_sub(1, std::memory_order_relaxed);
  const double seconds = seconds_since(start);
  if (outcome.outputs && response.status == 200)
    options_.prediction_log->submit({utc_timestamp(3), std::move(outcome.request_id), outcome.endpoint,
                                     std::move(outcome.served), std::move(*outcome.inputs), std::move(*outcome.outputs),
                                     seconds});
  metrics_.record(peer.loop, outcome.model, outcome.variant, outcome.endpoint, response.status, seconds, outcome.rows);
  if (!options_.access_log) return;
  std::string& log = log_buffers_[static_cast<std::size_t>(peer.loop) % log_buffers_.size()];
  log += "{\"time\":\"" + utc_timestamp(3) + "\",\"remote\":";
  append_json_string(log, peer.address);
  log += ",\"method\":";
  append_json_string(log, request.method);
  log += ",\"path\":";
  append_json_string(log, request.path);
  log += ",\"status\":" + std::to_string(response.status);
  if (!outcome.model.empty()) {
    log += ",\"model\":";
    append_json_string(log, outcome.model);
    if (outcome.variant) log += ",\"variant\":\"" + std::string(outcome.variant) + "\"";
  }
  log += ",\"rows\":" + std::to_string(outcome.rows) + ",\"bytes_in\":" + std::to_string(request.body.size()) +
         ",\"bytes_out\":" + std::to_string(response.body.size()) + ",\"duration_ms\":";
  append_json_number(log, std::round(seconds * 1e6) / 1e3);  // to the microsecond
  log += "}\n";
}

void InferenceService::flush_log(int loop) {
  std::string& log = log_buffers_[static_cast<std::size_t>(loop) % log_buffers_.size()];
  std::size_t done = 0;
  while (done < log.size()) {
    const ssize_t n = ::write(options_.log_fd, log.data() + done, log.size() - done);
    if (n <= 0) break;  // a closed log must not stop the server
    done += static_cast<std::size_t>(n);
  }
  log.clear();
}

std::vector<std::string> InferenceService::reload() {
  std::vector<std::string> lines;
  for (const auto& r : models_.reload()) {
    if (!r.ok) metrics_.reload_failed(r.name);
    lines.push_back(r.ok ? "reloaded " + r.name + ":" + r.version
                         : "reload of " + r.name + ":" + r.version +
                               " failed, still serving the previous one: " + r.error);
  }
  return lines;
}

}  // namespace shipml::serve
