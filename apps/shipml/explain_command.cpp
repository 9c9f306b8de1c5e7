// `shipml explain`: each prediction's raw output split into one contribution
// per input column (docs/explain.md), as a CSV table (or JSON) written
// atomically, so a failure leaves no partial file.
#include <iostream>
#include <numeric>

#include "args.hpp"
#include "commands.hpp"
#include "output_args.hpp"
#include "shipml/sources/open.hpp"
#include "shipml/track/registry.hpp"

namespace shipml::cli {

void add_explain(CLI::App& app) {
  auto* cmd = app.add_subcommand("explain", "Explain a saved model's predictions: each input column's contribution");
  auto model_path = std::make_shared<std::string>();
  auto data = std::make_shared<DataArgs>();
  auto output = std::make_shared<OutputArgs>();
  auto rows = std::make_shared<std::size_t>(0);
  auto json = std::make_shared<bool>(false);
  auto options = std::make_shared<ExplainOptions>();
  cmd->add_option("--model,-m", *model_path, "model file, or models:/NAME/STAGE|VERSION from the registry")->required();
  data->add(cmd, false);
  output->add(cmd);
  cmd->add_option("--rows", *rows, "explain only the first N rows (default: all)")->check(CLI::PositiveNumber);
  cmd->add_flag("--json", *json, "write JSON instead of a CSV table");
  cmd->add_option("--samples", options->samples,
                  "knn, gaussian_nb: orders of the columns sampled per row (default 256; more: a smaller error bound)")
      ->check(CLI::Range(2, 1000000));
  cmd->add_option("--seed", options->seed, "knn, gaussian_nb: seed of the sampled orders (default 0)");
  cmd->callback([=] {
    data->refuse_as_output(output->location);
    const SourceSpec source_spec = data->spec();
    const SinkSpec sink_spec = output->spec(source_spec);
    if (*json && is_database_uri(sink_spec.location))
      throw UsageError("--json writes a file; a table takes the CSV form (leave out --json)");
    const Model model = Model::load(resolve_model_path(*model_path));
    Frame input = open_source(source_spec)->read_all();
    if (*rows > 0 && *rows < input.rows()) {
      std::vector<std::size_t> first(*rows);
      std::iota(first.begin(), first.end(), std::size_t{0});
      input = input.take(first);
    }
    const Contributions c = model.contributions(input, *options);
    const Matrix raw = model.raw_output(input);
    if (*json) {
      const std::string text = contributions_json(c, raw).dump(2) + "\n";
      if (sink_spec.location == "-") std::cout << text;
      else write_file_atomic(sink_spec.location, text);
    } else {
      const auto sink = open_sink(sink_spec);
      sink->write(contributions_table(c, raw));
      sink->commit();
    }
    // What the table cannot say in its columns, on stderr, so a piped table stays clean.
    if (!c.exact)
      std::cerr << "note: " << model.estimator() << "'s contributions are sampled: each is within " << c.error_bound
                << " of its exact value (99% bound; --samples narrows it), and each row's sum is exact\n";
    if (c.before_calibration)
      std::cerr << "note: the model is calibrated: its learner's raw output, before calibration, is explained\n";
  });
}

}  // namespace shipml::cli
