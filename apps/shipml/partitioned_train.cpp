#include "partitioned_train.hpp"

#include <iomanip>
#include <iostream>

#include "shipml/core/communicator.hpp"
#include "shipml/io/csv_chunks.hpp"
#include "shipml/track/tracked_run.hpp"

namespace shipml::cli {

void PartitionArgs::add(CLI::App* cmd) {
  cmd->add_flag("--out-of-core", out_of_core,
                "read --data in chunks, never whole: memory holds one chunk and what the learner keeps (hist_gbdt: "
                "one byte per value); for data larger than memory (docs/distributed.md)");
  chunk_rows_given = cmd->add_option("--chunk-rows", chunk_rows, "rows per chunk with --out-of-core (default 100000)")
                         ->check(CLI::Range(std::size_t{1}, std::size_t{1} << 40));
}

bool PartitionArgs::wanted(const DataArgs& data) const {
  return out_of_core || *chunk_rows_given || world().size() > 1 || data.path.find_first_of("*?[") != std::string::npos;
}

void train_partitioned(const DataArgs& data, const EstimatorArgs& estimator, const PartitionArgs& partition,
                       const TrackingArgs& tracking, const std::string& out, bool force) {
  Communicator& ranks = world();
  const std::string how = ranks.size() > 1 ? "data-parallel training" : "out-of-core training";
  if (is_database_uri(data.path))
    throw UsageError(how + " reads CSV files; --data " + redact_location(data.path) + " is a database");
  if (!data.weight.empty()) throw UsageError(how + " does not take --weight yet");
  Model model = estimator.model();
  tracking.apply();
  TrackedRun run("train", tracking.name(), invocation(), !tracking.off);
  try {
    CsvOptions options = data.csv();
    options.required.push_back(data.target);
    const bool chunked = partition.out_of_core || *partition.chunk_rows_given;
    const CsvChunks chunks(csv_shard(data.path, ranks.rank(), ranks.size(), options.delimiter), options,
                           chunked ? partition.chunk_rows : static_cast<std::size_t>(-1));
    run.model(model);
    model.fit_partitioned(chunks, data.target, {.task = data.task_override()}, ranks);
    auto& training = model.metadata()["training"];
    training["source"] = data.path;
    if (chunked) training["chunk_rows"] = partition.chunk_rows;
    // Every rank holds the same model; one file, written once.
    if (ranks.leads()) model.save(out, force);
    run.info("data", {{"source", redact_location(data.path)},
                      {"fingerprint", training["fingerprint"]},
                      {"rows", training["rows"]},
                      {"columns", training["columns"].get<std::size_t>() + 1},
                      {"target", data.target}});
    run.info("schema", model.schema().to_json());
    run.info("partitioned", {{"ranks", ranks.size()},
                             {"chunk_rows", chunked ? nlohmann::json(partition.chunk_rows) : nlohmann::json(nullptr)}});
    run.trained(model);
    if (ranks.leads()) run.artifact("model.shipml", out);
    run.finish();
    if (!ranks.leads()) return;
    std::cout << "trained " << model.estimator() << " on " << training["rows"].get<std::uint64_t>() << " rows x "
              << model.schema().fields().size() << " features, " << describe_task(model.task(), model.classes())
              << ", in " << std::fixed << std::setprecision(2) << training["fit_seconds"].get<double>() << " s ("
              << (ranks.size() > 1 ? std::to_string(ranks.size()) + " ranks" : std::string("1 rank"))
              << (chunked ? ", chunks of " + std::to_string(partition.chunk_rows) + " rows" : std::string()) << ")\n"
              << "saved " << out << (run.active() ? " (run " + run.id().substr(0, 8) + ")" : "") << '\n';
  } catch (const std::exception& e) {
    run.fail(e);
    throw;
  }
}

}  // namespace shipml::cli
