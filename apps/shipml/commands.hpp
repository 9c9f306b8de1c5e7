#pragma once
#include <CLI/CLI.hpp>
#include <cstdlib>
#include <string>
#include <vector>

namespace shipml::cli {

/// Registers every subcommand; each runs from its callback during parse.
void add_commands(CLI::App& app);

/// `shipml explain` (in explain_command.cpp).
void add_explain(CLI::App& app);
/// `shipml predict` (in predict_command.cpp).
void add_predict(CLI::App& app);
/// `shipml drift` (in drift_command.cpp).
void add_drift(CLI::App& app);
/// `shipml copy` (in copy_command.cpp).
void add_copy(CLI::App& app);
/// `shipml serve` (in serve_command.cpp).
void add_serve(CLI::App& app);
/// `shipml ui` (in ui_command.cpp).
void add_ui(CLI::App& app);
/// The secret in a --token-file, without its final line break; a UsageError when empty.
std::string read_token(const std::string& path);
// sign and verify: signatures on model files.
void add_signing(CLI::App& app);
/// `shipml runs ...` (in runs_command.cpp).
void add_runs(CLI::App& app);
/// `shipml registry ...` (in registry_command.cpp).
void add_registry(CLI::App& app);
/// `shipml compare`, `search`, `select` and `run` (in experiment_commands.cpp).
void add_experiments(CLI::App& app);
/// `shipml plot` and `shipml report` (in plot_commands.cpp).
void add_plots(CLI::App& app);
/// Rows of a run's data that its report explains, unless told otherwise.
constexpr std::size_t kReportExplainedRows = 200;
/// Writes the HTML report of a recorded run (--report on score, compare, search),
/// explaining its model on `explain_rows` rows of its data.
void write_run_report(const std::string& run_id, const std::string& path,
                      std::size_t explain_rows = kReportExplainedRows);

/// The command line as the user typed it, for run records.
inline std::vector<std::string>& invocation() {
  static std::vector<std::string> words;
  return words;
}

/// Where and whether a command records its run (--experiment, --no-track).
struct TrackingArgs {
  std::string experiment;
  bool off = false;
  void add(CLI::App* cmd) {
    cmd->add_option("--experiment", experiment,
                    "experiment the run is recorded under (default: $SHIPML_EXPERIMENT or 'default')");
    cmd->add_flag("--no-track", off, "do not record this run (or set SHIPML_TRACKING=off)");
  }
  /// Called before the command runs: --no-track also switches off the runs
  /// the library would record inside it.
  void apply() const {
    if (off) ::setenv("SHIPML_TRACKING", "off", 1);
    if (!experiment.empty()) ::setenv("SHIPML_EXPERIMENT", experiment.c_str(), 1);
  }
  std::string name() const {
    if (!experiment.empty()) return experiment;
    const char* env = std::getenv("SHIPML_EXPERIMENT");
    return env ? env : "";
  }
};

}  // namespace shipml::cli
