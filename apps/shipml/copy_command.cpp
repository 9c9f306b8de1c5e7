// `shipml copy`: rows from any source to any sink, e.g. a CSV file into a
// database table to train from, or a query out to a compressed file. Column
// types are inferred as training infers them (the whole source is read), so
// numbers land in numeric columns.
#include <iostream>

#include "args.hpp"
#include "commands.hpp"
#include "output_args.hpp"
#include "shipml/sources/open.hpp"

namespace shipml::cli {

void add_copy(CLI::App& app) {
  auto* cmd = app.add_subcommand(
      "copy", "Copy rows from a file, table or query to a file or table (e.g. a CSV into SQLite or PostgreSQL)");
  auto data = std::make_shared<DataArgs>();
  auto output = std::make_shared<OutputArgs>();
  data->add(cmd, false);
  output->add(cmd);
  cmd->callback([=] {
    data->refuse_as_output(output->location);
    const SourceSpec source_spec = data->spec();
    const SinkSpec sink_spec = output->spec(source_spec);
    const Frame rows = open_source(source_spec)->read_all();
    const auto sink = open_sink(sink_spec);
    sink->write(rows);
    sink->commit();
    if (sink_spec.location != "-")
      std::cerr << "copied " << rows.rows() << " rows x " << rows.cols() << " columns to " << sink->describe() << '\n';
  });
}

}  // namespace shipml::cli
