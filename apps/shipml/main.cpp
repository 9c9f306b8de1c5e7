// The `shipml` command line: parses, validates and calls the library. No ML logic
// lives here, so the CLI can never disagree with C++ or the server.
#include <CLI/CLI.hpp>
#include <unistd.h>

#include <iostream>
#include <new>

#include "commands.hpp"
#include "mpi_launch.hpp"
#include "shipml/core/error.hpp"
#include "shipml/core/progress.hpp"

namespace {

// Parses the command line and runs the command; how it ended, with the line to
// print when it failed.
shipml::cli::CommandEnd run(CLI::App& app, int argc, char** argv) {
  try {
    app.parse(argc, argv);
    return {};
  } catch (const CLI::ParseError& e) {
    if (shipml::world().size() == 1 || e.get_exit_code() == 0) {
      const int code = app.exit(e);  // the message and the command's help (or --help, --version)
      return {code == 0 ? 0 : 2, ""};
    }
    // One rank of an MPI job: the message goes to the ranks' agreement (mpi_launch.hpp), which says it once.
    return {2, std::string("shipml: error: ") + e.what()};
  } catch (const shipml::UsageError& e) {
    return {2, std::string("shipml: error: ") + e.what()};
  } catch (const shipml::Error& e) {
    return {1, std::string("shipml: error: ") + e.what()};
  } catch (const std::bad_alloc&) {
    return {1, "shipml: error: out of memory: the work needs more than this machine can give (fewer rows or "
               "columns, or a learner that needs less)"};
  } catch (const std::exception& e) {
    return {1, std::string("shipml: internal error: ") + e.what()};
  }
}

}  // namespace

int main(int argc, char** argv) {
  // Under mpirun or srun with more than one rank: one rank of an MPI job.
  std::unique_ptr<shipml::MpiJob> job = shipml::cli::join_mpi_job(&argc, &argv);
  CLI::App app{"shipml: tabular machine learning from experiment to production", "shipml"};
  app.set_version_flag("--version", std::string("shipml ") + SHIPML_VERSION);
  app.require_subcommand(1);
  app.failure_message(CLI::FailureMessage::help);
  // Progress bars on a terminal only (and on rank 0 of an MPI job); --quiet
  // (anywhere on the line) turns them off.
  shipml::enable_progress(::isatty(STDERR_FILENO) && shipml::world().leads());
  app.add_flag_function(
         "--quiet,-q", [](std::int64_t) { shipml::enable_progress(false); },
         "no progress bars (they only ever show on a terminal)")
      ->trigger_on_parse();
  app.fallthrough();
  shipml::cli::add_commands(app);
  shipml::cli::invocation().assign(argv, argv + argc);
  const shipml::cli::CommandEnd end = run(app, argc, argv);
  if (job) return shipml::cli::end_mpi_job(std::move(job), end);
  if (!end.message.empty()) std::cerr << end.message << '\n';
  return end.code;
}
