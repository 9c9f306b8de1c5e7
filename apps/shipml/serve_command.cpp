// `shipml serve`: flags in, a running server out. Signals: SIGHUP reloads the
// models (a model that fails to load keeps the old one serving; one that
// arrives while the models first load is kept until the server is up), SIGTERM
// and SIGINT stop gracefully (stop accepting, answer what was received, exit 0;
// while the models first load, they end the process at once).
#include <pthread.h>
#include <signal.h>
#include <sys/resource.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cstdlib>
#include <iostream>
#include <mutex>
#include <optional>
#include <sstream>
#include <thread>

#include "commands.hpp"
#include "shipml/core/error.hpp"
#include "shipml/io/data_source.hpp"
#include "shipml/io/file.hpp"
#include "shipml/serve/inference_service.hpp"
#include "shipml/serve/prediction_log.hpp"
#include "shipml/serve/server.hpp"
#include "shipml/serve/shadow_scorer.hpp"
#include "shipml/serve_grpc/grpc_server.hpp"

namespace shipml::cli {
namespace {

// "8MiB", "512KiB", "1000000" -> bytes.
std::size_t parse_size(const std::string& text, const std::string& flag) {
  double value = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  const std::string unit(end, text.data() + text.size());
  const double scale = unit.empty() || unit == "B"    ? 1
                       : unit == "KiB" || unit == "K" ? 1024.0
                       : unit == "MiB" || unit == "M" ? 1024.0 * 1024
                       : unit == "GiB" || unit == "G" ? 1024.0 * 1024 * 1024
                       : unit == "KB"                 ? 1e3
                       : unit == "MB"                 ? 1e6
                       : unit == "GB"                 ? 1e9
                                                      : -1;
  if (ec != std::errc() || value <= 0 || scale < 0)
    throw UsageError(flag + " '" + text + "' is not a size (for example 8MiB, 512KiB or 1000000)");
  return static_cast<std::size_t>(value * scale);
}

// "30s", "500ms", "2m", "30" -> seconds.
double parse_duration(const std::string& text, const std::string& flag) {
  double value = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  const std::string unit(end, text.data() + text.size());
  const double scale = unit.empty() || unit == "s" ? 1 : unit == "ms" ? 0.001 : unit == "m" ? 60 : -1;
  if (ec != std::errc() || value <= 0 || scale < 0)
    throw UsageError(flag + " '" + text + "' is not a duration (for example 30s, 500ms or 2m)");
  return value * scale;
}

// The flags of `shipml serve`.
struct ServeArgs {
  std::vector<std::string> models, canaries, shadows;
  std::string canary_header = "X-Canary-Key";
  int shadow_queue = 10000;
  std::string host = "127.0.0.1", max_body = "8MiB", timeout = "30s", token_file;
  std::string header_timeout = "10s", body_timeout = "60s", drain_timeout = "10s", offload_body = "16KiB";
  int port = 8080, threads = 0, workers = 0, max_connections = 0, registry_poll = 5;
  std::string grpc_host = "127.0.0.1";
  int grpc_port = -1, grpc_threads = 0;  // -1: no gRPC service
  bool no_access_log = false, check = false, require_signature = false;
  std::vector<std::string> trusted_keys;
  serve::DriftOptions drift;
  std::string log_predictions, sample = "1", log_max_bytes = "100MB";
  int log_queue = 10000, log_keep = 5;

  void add(CLI::App* cmd) {
    cmd->add_option("model", models,
                    "model file, models:/NAME/STAGE|VERSION from the registry, or NAME[:VERSION]=either "
                    "(name: the file's stem; version: 1, or the registry's)")
        ->required();
    cmd->add_option("--host", host, "address to listen on (0.0.0.0: every interface)")->capture_default_str();
    cmd->add_option("--port,-p", port, "port (0: any free port)")->check(CLI::Range(0, 65535))->capture_default_str();
    cmd->add_option("--threads", threads, "event-loop threads (default: one per core)")->check(CLI::Range(0, 1024));
    cmd->add_option("--max-body", max_body, "largest request body; larger ones get 413")->capture_default_str();
    cmd->add_option("--timeout", timeout, "close connections idle or stalled this long")->capture_default_str();
    cmd->add_option("--header-timeout", header_timeout,
                    "a request's line and headers must all arrive within this, however they trickle in (408)")
        ->capture_default_str();
    cmd->add_option("--body-timeout", body_timeout,
                    "a request's body must all arrive within this once its headers are in (408)")
        ->capture_default_str();
    cmd->add_option("--max-connections", max_connections,
                    "open connections at most; more are answered 503 with Retry-After and closed "
                    "(default: what the open-files limit leaves room for, at most 10000)")
        ->check(CLI::Range(0, 10000000));
    cmd->add_option("--workers", workers,
                    "threads that answer requests with large bodies, off the event loops (default: one per core)")
        ->check(CLI::Range(0, 1024));
    cmd->add_option("--offload-body", offload_body,
                    "requests with a body this large or larger are answered by a worker thread, so a heavy "
                    "request never delays the small ones")
        ->capture_default_str();
    cmd->add_option("--drain-timeout", drain_timeout,
                    "on SIGTERM, how long requests under way may take to arrive before their connections close")
        ->capture_default_str();
    cmd->add_option("--token-file", token_file,
                    "require 'Authorization: Bearer <token in this file>' (health stays open)")
        ->check(CLI::ExistingFile);
    cmd->add_flag("--no-access-log", no_access_log, "do not write a JSON line per request to standard output");
    cmd->add_option(
           "--registry-poll", registry_poll,
           "seconds between checks that a models:/NAME/STAGE or models:/NAME@ALIAS still resolves to the served version")
        ->check(CLI::Range(1, 3600))
        ->capture_default_str();
    cmd->add_flag("--require-signature", require_signature,
                  "serve only model files signed (shipml sign) by a --trusted-key; checked at every load and reload");
    cmd->add_option("--trusted-key", trusted_keys, "public key (Ed25519, PEM) whose signatures are trusted; repeatable")
        ->check(CLI::ExistingFile)
        ->allow_extra_args(false);
    cmd->add_option("--drift-window", drift.window,
                    "rows of live requests each model's drift is measured over, at /metrics (0: no drift monitoring; "
                    "docs/drift.md)")
        ->check(CLI::Range(std::size_t{0}, serve::DriftOptions::kMaxWindow))
        ->capture_default_str();
    cmd->add_option("--drift-threshold", drift.thresholds.psi,
                    "flag a column whose population stability index reaches this (shipml_drift_flagged)")
        ->check(CLI::PositiveNumber)
        ->capture_default_str();
    add_prediction_log(cmd);
    add_variants(cmd);
    cmd->add_option(
           "--grpc-port", grpc_port,
           "also serve the Open Inference Protocol over gRPC on this port (0: any free port; off unless given)")
        ->check(CLI::Range(0, 65535));
    cmd->add_option("--grpc-host", grpc_host, "address the gRPC service listens on")->capture_default_str();
    cmd->add_option("--grpc-threads", grpc_threads, "most threads gRPC may use (default: gRPC's own choice)")
        ->check(CLI::Range(0, 1024));
    cmd->add_flag("--check", check, "load the models, check the flags, print what would be served, and exit");
  }
  void add_variants(CLI::App* cmd) {
    cmd->add_option("--canary", canaries,
                    "NAME[:VERSION]=PATH:PERCENT%: a second model answering that share of NAME's requests "
                    "(version 'canary' unless given; repeatable, one per name; docs/serving.md)")
        ->allow_extra_args(false);
    cmd->add_option("--canary-header", canary_header,
                    "requests carrying this header go to the same variant for the same value (sticky); "
                    "without it, each request is drawn at random")
        ->capture_default_str();
    cmd->add_option("--shadow", shadows,
                    "NAME[:VERSION]=PATH: a model scoring every request answered for NAME off the request path, "
                    "compared at /metrics and logged with --log-predictions (version 'shadow' unless given)")
        ->allow_extra_args(false);
    cmd->add_option("--shadow-queue", shadow_queue,
                    "with --shadow: requests waiting for their shadow at most; more are dropped and counted")
        ->check(CLI::Range(1, 10000000))
        ->capture_default_str();
  }
  void add_prediction_log(CLI::App* cmd) {
    cmd->add_option("--log-predictions", log_predictions,
                    "log a sample of the inference requests (inputs, outputs, model version, request id) to a "
                    "JSON-lines FILE, sqlite:///path.db or postgresql://user@host/db (docs/serving.md)");
    cmd->add_option("--sample", sample, "with --log-predictions: the share of requests logged, 0 to 1")
        ->capture_default_str();
    cmd->add_option("--log-queue", log_queue,
                    "with --log-predictions: records waiting to be written at most; more are dropped and counted")
        ->check(CLI::Range(1, 10000000))
        ->capture_default_str();
    cmd->add_option("--log-max-bytes", log_max_bytes,
                    "with a --log-predictions file: rotate it to FILE.1 before it grows past this")
        ->capture_default_str();
    cmd->add_option("--log-keep", log_keep, "with a --log-predictions file: rotated files kept (FILE.1 .. FILE.N)")
        ->check(CLI::Range(0, 1000))
        ->capture_default_str();
  }
};

// "0.1" -> 0.1; a share of requests, 0 to 1.
double parse_share(const std::string& text, const std::string& flag) {
  double value = -1;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size() || !(value >= 0 && value <= 1))
    throw UsageError(flag + " '" + text + "' is not a share of requests between 0 and 1 (for example 0.1)");
  return value;
}

// The prediction log's settings; a UsageError for one of its flags without --log-predictions.
std::optional<serve::PredictionLogOptions> prediction_log_of(const ServeArgs& a, const CLI::App& cmd) {
  if (a.log_predictions.empty()) {
    for (const char* flag : {"--sample", "--log-queue", "--log-max-bytes", "--log-keep"})
      if (cmd.count(flag)) throw UsageError(std::string(flag) + " is used with --log-predictions");
    return std::nullopt;
  }
  serve::PredictionLogOptions o;
  o.target = a.log_predictions;
  o.sample = parse_share(a.sample, "--sample");
  o.queue = static_cast<std::size_t>(a.log_queue);
  o.max_bytes = parse_size(a.log_max_bytes, "--log-max-bytes");
  o.keep_files = a.log_keep;
  return o;
}

// Loads every model named on the command line, saying what each is: the
// primaries first, then the canaries and shadows that stand beside them.
void load_models(const ServeArgs& a, serve::ModelRepository& models) {
  std::vector<serve::ModelSource> sources;
  for (const auto& spec : a.models) sources.push_back(serve::ModelSource::parse(spec));
  for (const auto& spec : a.canaries) sources.push_back(serve::ModelSource::parse_canary(spec));
  for (const auto& spec : a.shadows) sources.push_back(serve::ModelSource::parse_shadow(spec));
  for (const auto& source : sources) {
    const auto m = models.add(source);
    std::cerr << "model " << m->name << ":" << m->version << " = " << m->model->estimator() << " "
              << to_string(m->model->task()) << " from " << m->source;
    if (source.variant == serve::Variant::canary)
      std::cerr << ", canary answering " << source.share * 100 << "% of " << m->name << "'s requests";
    if (source.variant == serve::Variant::shadow) std::cerr << ", shadow scoring " << m->name << "'s requests";
    std::cerr << '\n';
  }
}

// The server's and the service's settings, from the flags (a flag that
// cannot be read fails here, before any model loads).
struct ServeSettings {
  serve::ServerOptions server;
  serve::ServiceOptions service;
  std::optional<serve::PredictionLogOptions> prediction_log;
};
ServeSettings settings_of(const ServeArgs& a, const CLI::App& cmd) {
  ServeSettings s;
  s.prediction_log = prediction_log_of(a, cmd);
  s.server.host = a.host;
  s.server.port = a.port;
  s.server.threads = a.threads;
  s.server.workers = a.workers;
  s.server.max_connections = a.max_connections;
  s.server.limits.max_body_bytes = parse_size(a.max_body, "--max-body");
  s.server.offload_body_bytes = parse_size(a.offload_body, "--offload-body");
  s.server.timeout_seconds = parse_duration(a.timeout, "--timeout");
  s.server.header_timeout_seconds = parse_duration(a.header_timeout, "--header-timeout");
  s.server.body_timeout_seconds = parse_duration(a.body_timeout, "--body-timeout");
  s.server.drain_seconds = parse_duration(a.drain_timeout, "--drain-timeout");
  if (!a.token_file.empty()) s.service.token = read_token(a.token_file);
  s.service.access_log = !a.no_access_log;
  if (a.canaries.empty() && cmd.count("--canary-header")) throw UsageError("--canary-header is used with --canary");
  // An HTTP header name (a token), which gRPC metadata keys also are once lower-cased.
  if (a.canary_header.empty() ||
      a.canary_header.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.") !=
          std::string::npos)
    throw UsageError("--canary-header '" + a.canary_header +
                     "' is not a header name (letters, digits, '-', '_' and '.'; for example X-User-Id)");
  s.service.canary_header = a.canary_header;
  if (a.shadows.empty() && cmd.count("--shadow-queue")) throw UsageError("--shadow-queue is used with --shadow");
  return s;
}

// The signals `shipml serve` answers, taken by one thread with sigtimedwait
// from before the models load, so that no thread ever meets one with its
// default, fatal, action and no handler ever runs inside an event loop. SIGHUP
// reloads the models (one that arrives while they first load is kept until the
// server is up); SIGTERM and SIGINT stop the server gracefully, or end a load
// still in progress at once. Between signals, once serving, it checks every
// --registry-poll seconds whether a registry stage or alias has moved.
class SignalWatcher {
 public:
  explicit SignalWatcher(int registry_poll) : registry_poll_(registry_poll) {
    sigemptyset(&signals_);
    for (int s : {SIGHUP, SIGTERM, SIGINT}) sigaddset(&signals_, s);
    // Blocked here, before any other thread starts: every thread inherits it.
    pthread_sigmask(SIG_BLOCK, &signals_, nullptr);
    thread_ = std::thread([this] { watch(); });
  }
  ~SignalWatcher() {
    {
      std::lock_guard lock(mutex_);
      quit_ = true;
    }
    ::pthread_kill(thread_.native_handle(), SIGHUP);  // wakes sigtimedwait, which then sees quit_
    thread_.join();
  }
  SignalWatcher(const SignalWatcher&) = delete;
  SignalWatcher& operator=(const SignalWatcher&) = delete;

  // The server is up: signals act on it from now on.
  void serving(serve::HttpServer& server, serve::InferenceService& service, serve::ModelRepository& models) {
    std::lock_guard lock(mutex_);
    server_ = &server;
    service_ = &service;
    models_ = &models;
    if (reload_pending_) ::pthread_kill(thread_.native_handle(), SIGHUP);
    reload_pending_ = false;
  }

 private:
  void watch() {
    while (true) {
      timespec poll{registry_poll_, 0};
      const int sig = sigtimedwait(&signals_, nullptr, &poll);
      std::lock_guard lock(mutex_);
      if (quit_) return;
      if (sig < 0) {
        if (errno == EAGAIN && models_ && models_->registry_moved()) {
          std::cerr << "a registry stage or alias moved: reloading" << std::endl;
          reload();
        }
        continue;
      }
      if (sig == SIGHUP) {
        if (service_) reload();
        else reload_pending_ = true;
        continue;
      }
      if (!server_) end_now(sig);
      server_->stop();
      std::cerr << "stopping: no new connections; answering the requests already received" << std::endl;
      return;
    }
  }
  void reload() {
    for (const auto& line : service_->reload()) std::cerr << line << std::endl;
  }
  // Before the server is up there is nothing to drain: the signal does what it
  // does by default, ending the process.
  [[noreturn]] static void end_now(int sig) {
    ::signal(sig, SIG_DFL);
    sigset_t just{};
    sigemptyset(&just);
    sigaddset(&just, sig);
    pthread_sigmask(SIG_UNBLOCK, &just, nullptr);
    ::raise(sig);
    std::_Exit(128 + sig);
  }

  int registry_poll_;
  sigset_t signals_{};
  std::mutex mutex_;
  bool quit_ = false, reload_pending_ = false;
  serve::HttpServer* server_ = nullptr;
  serve::InferenceService* service_ = nullptr;
  serve::ModelRepository* models_ = nullptr;
  std::thread thread_;
};

// A server with many connections needs many descriptors: the soft open-files
// limit (often 1024) goes up to the hard one, as far as the default connection
// cap needs.
void raise_open_files_limit() {
  constexpr rlim_t wanted = 16384;
  rlimit limit{};
  if (::getrlimit(RLIMIT_NOFILE, &limit) != 0 || limit.rlim_cur >= wanted) return;
  limit.rlim_cur = std::min(wanted, limit.rlim_max);
  ::setrlimit(RLIMIT_NOFILE, &limit);
}

std::string limits_line(const serve::ServerOptions& o) {
  std::ostringstream line;
  line << "limits: " << o.max_connections << " connections, headers within " << o.header_timeout_seconds
       << " s, bodies within " << o.body_timeout_seconds << " s; bodies of " << o.offload_body_bytes
       << " bytes or more answered by " << o.workers << " worker threads";
  return line.str();
}

// Serves until SIGTERM or SIGINT.
void run_server(ServeSettings settings, const ServeArgs& a, serve::ModelRepository& models, SignalWatcher& signals) {
  raise_open_files_limit();
  std::unique_ptr<serve::InferenceService> service;
  serve::HttpServer server(
      settings.server, [&](const auto& req, const auto& peer, auto& res) { service->handle(req, peer, res); },
      [&](int loop) { service->flush_log(loop); });
  settings.service.loops = server.handler_threads();
  // Opened before the first request, so a target that cannot be written fails
  // at startup; closed after the last one, writing what is queued.
  std::shared_ptr<serve::PredictionLog> prediction_log;  // shared with the shadow scorer
  if (settings.prediction_log) {
    prediction_log = std::make_shared<serve::PredictionLog>(*settings.prediction_log);
    settings.service.prediction_log = prediction_log.get();
    std::cerr << "logging " << settings.prediction_log->sample * 100 << "% of the predictions to "
              << redact_location(settings.prediction_log->target) << std::endl;
  }
  // Opened after the prediction log it writes to, and closed before it.
  std::unique_ptr<serve::ShadowScorer> shadows;
  if (!a.shadows.empty()) {
    shadows = std::make_unique<serve::ShadowScorer>(
        serve::ShadowOptions{.queue = static_cast<std::size_t>(a.shadow_queue)}, prediction_log);
    settings.service.shadows = shadows.get();
  }
  service = std::make_unique<serve::InferenceService>(models, settings.service);
  // The gRPC service shares the REST side's models, token and metrics; it
  // stops when the REST server has drained.
  std::unique_ptr<serve::GrpcServer> grpc;
  if (a.grpc_port >= 0) {
    grpc = std::make_unique<serve::GrpcServer>(
        serve::GrpcOptions{.host = a.grpc_host,
                           .port = a.grpc_port,
                           .threads = a.grpc_threads,
                           .max_message_bytes = settings.server.limits.max_body_bytes},
        *service);
    // Said before the REST line, which tells scripts (and the tests) that everything is up.
    std::cerr << "gRPC listening on "
              << (a.grpc_host.find(':') != std::string::npos ? "[" + a.grpc_host + "]" : a.grpc_host) << ":"
              << grpc->port() << ": Open Inference Protocol v2 (inference.GRPCInferenceService)" << std::endl;
  }
  signals.serving(server, *service, models);
  std::cerr << "listening on http://" << (a.host.find(':') != std::string::npos ? "[" + a.host + "]" : a.host) << ":"
            << server.port() << " with " << server.threads()
            << " threads: Open Inference Protocol v2 at /v2, MLflow at /invocations, metrics at /metrics" << std::endl;
  std::cerr << limits_line(server.options()) << std::endl;
  server.run();
  if (grpc) grpc->stop(settings.server.drain_seconds);
  if (shadows) shadows->close();
  if (prediction_log) prediction_log->close();
  std::cerr << "stopped" << std::endl;
}

}  // namespace

void add_serve(CLI::App& app) {
  auto a = std::make_shared<ServeArgs>();
  auto* cmd = app.add_subcommand(
      "serve", "Serve models over REST (Open Inference Protocol v2 and MLflow /invocations) and gRPC");
  a->add(cmd);
  cmd->callback([a, cmd] {
    ::signal(SIGPIPE, SIG_IGN);
    SignalWatcher signals(a->registry_poll);
    ServeSettings settings = settings_of(*a, *cmd);
    serve::ModelRepository models;
    if (a->require_signature != !a->trusted_keys.empty())
      throw UsageError(a->require_signature ? "--require-signature needs at least one --trusted-key"
                                            : "--trusted-key is used with --require-signature");
    if (a->require_signature) models.require_signatures(a->trusted_keys);
    models.monitor_drift(a->drift);
    load_models(*a, models);
    if (a->check) {
      std::cerr << "would listen on " << a->host << ":" << a->port << '\n';
      if (a->grpc_port >= 0) std::cerr << "would serve gRPC on " << a->grpc_host << ":" << a->grpc_port << '\n';
      return;
    }
    run_server(std::move(settings), *a, models, signals);
  });
}

}  // namespace shipml::cli
