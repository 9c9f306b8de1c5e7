// `shipml serve`: flags in, a running server out. Signals: SIGHUP reloads the
// models (a model that fails to load keeps the old one serving), SIGTERM and
// SIGINT stop gracefully (stop accepting, answer what was received, exit 0).
#include <pthread.h>
#include <signal.h>

#include <cerrno>
#include <charconv>
#include <iostream>
#include <thread>

#include "commands.hpp"
#include "shipml/core/error.hpp"
#include "shipml/io/file.hpp"
#include "shipml/serve/inference_service.hpp"
#include "shipml/serve/server.hpp"

namespace shipml::cli {
namespace {

// "8MiB", "512KiB", "1000000" -> bytes.
std::size_t parse_size(const std::string& text) {
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
    throw UsageError("--max-body '" + text + "' is not a size (for example 8MiB, 512KiB or 1000000)");
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

std::string read_token(const std::string& path) {
  std::string token = read_file(path);
  while (!token.empty() && (token.back() == '\n' || token.back() == '\r' || token.back() == ' ')) token.pop_back();
  if (token.empty()) throw UsageError("--token-file " + path + " is empty");
  return token;
}

// The flags of `shipml serve`.
struct ServeArgs {
  std::vector<std::string> models;
  std::string host = "127.0.0.1", max_body = "8MiB", timeout = "30s", token_file;
  int port = 8080, threads = 0, registry_poll = 5;
  bool no_access_log = false, check = false, require_signature = false;
  std::vector<std::string> trusted_keys;

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
    cmd->add_option("--token-file", token_file,
                    "require 'Authorization: Bearer <token in this file>' (health stays open)")
        ->check(CLI::ExistingFile);
    cmd->add_flag("--no-access-log", no_access_log, "do not write a JSON line per request to standard output");
    cmd->add_option("--registry-poll", registry_poll,
                    "seconds between checks that a models:/NAME/STAGE still resolves to the served version")
        ->check(CLI::Range(1, 3600))
        ->capture_default_str();
    cmd->add_flag("--require-signature", require_signature,
                  "serve only model files signed (shipml sign) by a --trusted-key; checked at every load and reload");
    cmd->add_option("--trusted-key", trusted_keys, "public key (Ed25519, PEM) whose signatures are trusted; repeatable")
        ->check(CLI::ExistingFile);
    cmd->add_flag("--check", check, "load the models, check the flags, print what would be served, and exit");
  }
};

// Loads every model named on the command line, saying what each is.
void load_models(const ServeArgs& a, serve::ModelRepository& models) {
  for (const auto& spec : a.models) {
    const auto source = serve::ModelSource::parse(spec);
    models.add(source);
    const auto m = models.find(source.name, source.version);
    std::cerr << "model " << m->name << ":" << m->version << " = " << m->model->estimator() << " "
              << to_string(m->model->task()) << " from " << m->source << '\n';
  }
}

// The server's and the service's settings, from the flags (a flag that
// cannot be read fails here, before any model loads).
struct ServeSettings {
  serve::ServerOptions server;
  serve::ServiceOptions service;
};
ServeSettings settings_of(const ServeArgs& a) {
  ServeSettings s;
  s.server.host = a.host;
  s.server.port = a.port;
  s.server.threads = a.threads;
  s.server.limits.max_body_bytes = parse_size(a.max_body);
  s.server.timeout_seconds = parse_duration(a.timeout, "--timeout");
  if (!a.token_file.empty()) s.service.token = read_token(a.token_file);
  s.service.access_log = !a.no_access_log;
  return s;
}

// Serves until SIGTERM or SIGINT. Signals are taken by one thread with
// sigwait, so handlers never run inside the event loops; between signals it
// checks every --registry-poll seconds whether a registry stage has moved.
void run_server(ServeSettings settings, const ServeArgs& a, serve::ModelRepository& models) {
  sigset_t signals;
  sigemptyset(&signals);
  for (int s : {SIGHUP, SIGTERM, SIGINT}) sigaddset(&signals, s);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  ::signal(SIGPIPE, SIG_IGN);

  std::unique_ptr<serve::InferenceService> service;
  serve::HttpServer server(
      settings.server, [&](const auto& req, const auto& peer, auto& res) { service->handle(req, peer, res); },
      [&](int loop) { service->flush_log(loop); });
  settings.service.loops = server.threads();
  service = std::make_unique<serve::InferenceService>(models, settings.service);
  std::cerr << "listening on http://" << (a.host.find(':') != std::string::npos ? "[" + a.host + "]" : a.host) << ":"
            << server.port() << " with " << server.threads()
            << " threads: Open Inference Protocol v2 at /v2, MLflow at /invocations, metrics at /metrics" << std::endl;

  std::thread signal_thread([&] {
    while (true) {
      timespec poll{a.registry_poll, 0};
      const int sig = sigtimedwait(&signals, nullptr, &poll);
      if (sig < 0) {
        if (errno == EAGAIN && models.registry_moved()) {
          std::cerr << "a registry stage moved: reloading" << std::endl;
          for (const auto& line : service->reload()) std::cerr << line << std::endl;
        }
        continue;
      }
      if (sig == SIGHUP) {
        for (const auto& line : service->reload()) std::cerr << line << std::endl;
        continue;
      }
      server.stop();
      std::cerr << "stopping: no new connections; answering the requests already received" << std::endl;
      return;
    }
  });
  try {
    server.run();
  } catch (...) {
    ::pthread_kill(signal_thread.native_handle(), SIGTERM);
    signal_thread.join();
    throw;
  }
  signal_thread.join();
  std::cerr << "stopped" << std::endl;
}

}  // namespace

void add_serve(CLI::App& app) {
  auto a = std::make_shared<ServeArgs>();
  auto* cmd =
      app.add_subcommand("serve", "Serve models over REST (Open Inference Protocol v2 and MLflow /invocations)");
  a->add(cmd);
  cmd->callback([a] {
    ServeSettings settings = settings_of(*a);
    serve::ModelRepository models;
    if (a->require_signature != !a->trusted_keys.empty())
      throw UsageError(a->require_signature ? "--require-signature needs at least one --trusted-key"
                                            : "--trusted-key is used with --require-signature");
    if (a->require_signature) models.require_signatures(a->trusted_keys);
    load_models(*a, models);
    if (a->check) {
      std::cerr << "would listen on " << a->host << ":" << a->port << '\n';
      return;
    }
    run_server(std::move(settings), *a, models);
  });
}

}  // namespace shipml::cli
