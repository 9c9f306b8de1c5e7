// The `shipml` command line: parses, validates and calls the library. No ML logic
// lives here, so the CLI can never disagree with C++ or the server.
#include <CLI/CLI.hpp>
#include <unistd.h>

#include <iostream>
#include <new>

#include "commands.hpp"
#include "shipml/core/error.hpp"
#include "shipml/core/progress.hpp"

int main(int argc, char** argv) {
  CLI::App app{"shipml: tabular machine learning from experiment to production", "shipml"};
  app.set_version_flag("--version", std::string("shipml ") + SHIPML_VERSION);
  app.require_subcommand(1);
  app.failure_message(CLI::FailureMessage::help);
  // Progress bars on a terminal only; --quiet (anywhere on the line) turns them off.
  shipml::enable_progress(::isatty(STDERR_FILENO));
  app.add_flag_function(
         "--quiet,-q", [](std::int64_t) { shipml::enable_progress(false); },
         "no progress bars (they only ever show on a terminal)")
      ->trigger_on_parse();
  app.fallthrough();
  shipml::cli::add_commands(app);
  shipml::cli::invocation().assign(argv, argv + argc);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int code = app.exit(e);
    return code == 0 ? 0 : 2;
  } catch (const shipml::UsageError& e) {
    std::cerr << "shipml: error: " << e.what() << '\n';
    return 2;
  } catch (const shipml::Error& e) {
    std::cerr << "shipml: error: " << e.what() << '\n';
    return 1;
  } catch (const std::bad_alloc&) {
    std::cerr << "shipml: error: out of memory: the work needs more than this machine can give (fewer rows or "
                 "columns, or a learner that needs less)\n";
    return 1;
  } catch (const std::exception& e) {
    std::cerr << "shipml: internal error: " << e.what() << '\n';
    return 1;
  }
  return 0;
}
