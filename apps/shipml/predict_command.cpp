// `shipml predict`: batch scoring. Rows stream from the source through the
// model to the sink in blocks, on every core, in bounded memory; the job is
// recorded as a run (track/batch_job.hpp).
#include <iomanip>
#include <iostream>

#include "args.hpp"
#include "commands.hpp"
#include "output_args.hpp"
#include "shipml/core/memory.hpp"
#include "shipml/track/batch_job.hpp"

namespace shipml::cli {

void add_predict(CLI::App& app) {
  auto* cmd = app.add_subcommand("predict", "Score data of any size with a saved model, in bounded memory");
  auto job = std::make_shared<BatchJob>();
  auto data = std::make_shared<DataArgs>();
  auto output = std::make_shared<OutputArgs>();
  auto memory = std::make_shared<std::string>();
  auto tracking = std::make_shared<TrackingArgs>();
  OutputColumns& columns = job->options.columns;
  cmd->add_option("--model,-m", job->model, "model file, or models:/NAME/STAGE|VERSION from the registry")->required();
  data->add(cmd, false);
  cmd->add_option("--id", columns.ids, "copy this column into the output to identify rows (repeatable)");
  cmd->add_flag("--proba", columns.proba, "add one probability column per class");
  cmd->add_flag("--explain", columns.explain,
                "add each input column's contribution to the raw output, the expected value and the raw output "
                "(as shipml explain; docs/explain.md)");
  output->add(cmd);
  cmd->add_option("--memory", *memory,
                  "memory for rows in flight, e.g. 64M or 1G (default 256M, less when the machine has less)");
  cmd->add_option("--threads", job->options.threads, "threads that score (default: all cores)")
      ->check(CLI::NonNegativeNumber);
  tracking->add(cmd);
  cmd->callback([=] {
    data->refuse_as_output(output->location);
    job->source = data->spec();
    job->sink = output->spec(job->source);
    if (!memory->empty()) job->options.memory_budget = parse_memory_size(*memory);
    tracking->apply();
    job->experiment = tracking->name();
    job->command = invocation();
    job->track = !tracking->off;
    const BatchJobResult r = run_batch_job(*job);
    if (job->sink.location == "-") return;
    const double seconds = r.result.seconds;
    std::cerr << "scored " << r.result.rows << " rows in " << std::fixed << std::setprecision(2) << seconds << " s ("
              << std::setprecision(0) << (seconds > 0 ? static_cast<double>(r.result.rows) / seconds : 0.0)
              << " rows/s), wrote " << redact_location(job->sink.location)
              << (job->sink.table.empty() ? "" : " table " + job->sink.table)
              << (r.run_id.empty() ? "" : " (run " + r.run_id.substr(0, 8) + ")") << '\n';
  });
}

}  // namespace shipml::cli
