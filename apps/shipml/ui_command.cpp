// `shipml ui`: the web UI over a run store and its registry (docs/ui.md),
// served by shipml's own HTTP server. SIGTERM and SIGINT stop it gracefully.
#include <pthread.h>
#include <signal.h>

#include <iostream>
#include <thread>

#include "commands.hpp"
#include "shipml/core/error.hpp"
#include "shipml/serve/server.hpp"
#include "shipml/ui/ui_service.hpp"

namespace shipml::cli {
namespace {

struct UiArgs {
  std::string host = "127.0.0.1", token_file, store;
  int port = 5000, threads = 2;
  bool read_only = false;
};

bool loopback(const std::string& host) { return host == "127.0.0.1" || host == "::1" || host == "localhost"; }

}  // namespace

void add_ui(CLI::App& app) {
  auto a = std::make_shared<UiArgs>();
  auto* cmd = app.add_subcommand("ui", "Browse runs, compare them and manage the model registry in a web browser");
  cmd->add_option("--host", a->host, "address to listen on (default 127.0.0.1: this machine only)");
  cmd->add_option("--port", a->port, "port to listen on (default 5000; 0: any free port)")->check(CLI::Range(0, 65535));
  cmd->add_option("--token-file", a->token_file,
                  "a file holding the secret that signs in to promote, alias and delete (without it: browse only)")
      ->check(CLI::ExistingFile);
  cmd->add_flag("--read-only", a->read_only, "refuse every change, whatever the token");
  cmd->add_option("--store", a->store, "run store (default: $SHIPML_TRACKING_URI or ./runs)");
  cmd->add_option("--threads", a->threads, "threads answering requests (default 2)")->check(CLI::Range(1, 64));
  cmd->callback([a] {
    ::signal(SIGPIPE, SIG_IGN);
    ui::UiOptions options;
    options.store = a->store;
    options.read_only = a->read_only;
    if (!a->token_file.empty()) options.token = read_token(a->token_file);
    options.on_action = [](const std::string& line) { std::cerr << line << std::endl; };
    if (!loopback(a->host) && options.token.empty())
      std::cerr << "warning: serving run records to the network (" << a->host
                << ") without --token-file: anyone who can reach it can read them" << std::endl;
    ui::UiService service(std::move(options));
    // Blocked before the server's threads start, so that only the watcher takes them.
    sigset_t stop_signals{};
    sigemptyset(&stop_signals);
    sigaddset(&stop_signals, SIGTERM);
    sigaddset(&stop_signals, SIGINT);
    pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);
    serve::ServerOptions server_options;
    server_options.host = a->host;
    server_options.port = a->port;
    server_options.threads = a->threads;
    server_options.workers = 1;
    serve::HttpServer server(server_options, [&](const auto& request, const auto& peer, auto& response) {
      service.handle(request, peer, response);
    });
    std::thread watcher([&] {
      int signal = 0;
      sigwait(&stop_signals, &signal);
      server.stop();
    });
    std::cerr << "shipml ui: http://" << (a->host.find(':') != std::string::npos ? "[" + a->host + "]" : a->host) << ":"
              << server.port() << "/" << (a->read_only ? " (read-only)" : "") << std::endl;
    server.run();
    watcher.join();  // run() returns only after stop(), which the watcher called
    std::cerr << "stopped" << std::endl;
  });
}

}  // namespace shipml::cli
