#pragma once
// `mpirun -np N shipml ...`: the CLI as one rank of an MPI job. With more than
// one rank it loads the MPI plugin (libshipml_mpi.so), makes MPI the world the
// library's experiments spread their work over, and keeps every rank but 0
// quiet: rank 0 alone prints, writes files and records runs.
#include <memory>
#include <optional>
#include <string>

#include "shipml/distributed/mpi_plugin.hpp"

namespace shipml::cli {

/// How a command ended: its exit code and, when it failed, the line to print.
struct CommandEnd {
  int code = 0;
  std::string message;  ///< "shipml: error: ..." (empty when it went well)
};

/// The job this process is a rank of, when a launcher (mpirun, srun) started
/// it with more than one rank: MPI is started and set as the world, progress
/// and standard output are turned off on ranks other than 0. Null for a single
/// process. A launched process that finds no plugin prints why (on rank 0) and
/// exits.
std::unique_ptr<MpiJob> join_mpi_job(int* argc, char*** argv);

/// Over ranks, the commands that do not spread their work (everything but
/// search, compare, select, run and train) are refused, said once: each rank
/// would do all the work and write the same files. nullopt: the command may run.
std::optional<CommandEnd> refused_over_ranks(int argc, char** argv);

/// Ends the command on every rank together and returns the process's exit
/// code. Ranks agree on how it ended: rank 0 prints the first failing rank's
/// message once (every rank returns its code) and MPI is finalised. A rank that
/// failed while the others are still at work (waiting for it, perhaps) prints
/// `shipml: rank R of N: ...` and aborts the whole job.
int end_mpi_job(std::unique_ptr<MpiJob> job, const CommandEnd& end);

}  // namespace shipml::cli
