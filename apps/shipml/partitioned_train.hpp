#pragma once
// `shipml train` on data read in chunks (--out-of-core) or shared out over the
// ranks of an MPI job (mpirun -np N shipml train ...): Model::fit_partitioned.
#include <cstddef>
#include <string>

#include "args.hpp"
#include "commands.hpp"

namespace shipml::cli {

/// How train reads its data when not whole into memory.
struct PartitionArgs {
  bool out_of_core = false;
  std::size_t chunk_rows = 100000;
  CLI::Option* chunk_rows_given = nullptr;

  void add(CLI::App* cmd);
  /// Whether train goes through Model::fit_partitioned: --out-of-core or
  /// --chunk-rows, more than one rank, or a --data pattern.
  bool wanted(const DataArgs& data) const;
};

/// Trains with Model::fit_partitioned: each rank reads its shard of --data,
/// every rank fits the same model, rank 0 saves it, prints and records the run.
void train_partitioned(const DataArgs& data, const EstimatorArgs& estimator, const PartitionArgs& partition,
                       const TrackingArgs& tracking, const std::string& out, bool force);

}  // namespace shipml::cli
