#pragma once
/// \file
/// The MPI plugin's interface: libshipml_mpi.so, the one part of shipml that
/// links MPI, is loaded by the command line (dlopen) only when mpirun or srun
/// started it with more than one rank. Nothing else links libmpi, so the
/// runtime library, the server and Docker images need no MPI at all.
///
/// The plugin exports one C entry, kMpiPluginEntry, of type MpiPluginEntry:
/// it initialises MPI and returns the job. Both sides are built from the same
/// sources by the same compiler, so the job is a C++ object.
#include <memory>
#include <string>
#include <vector>

#include "shipml/core/communicator.hpp"

namespace shipml {

/// One MPI job, as this process sees it. Destroying it finalises MPI: do that
/// only when every rank is done with collective calls (after settle()).
class MpiJob {
 public:
  virtual ~MpiJob() = default;
  /// Every rank of the job (MPI_COMM_WORLD), to pass to set_world().
  virtual std::shared_ptr<Communicator> ranks() = 0;
  /// The end of a command: every rank says how it ended ("" for fine) on a
  /// channel of its own, apart from the ranks' work, so a rank that failed
  /// early cannot be mistaken for a step of a search. Returns every rank's
  /// word, in rank order. A rank whose own word is not empty waits at most
  /// `seconds` for the others (they may be stuck waiting for it); on time out it
  /// returns an empty list and the caller aborts the job.
  virtual std::vector<std::string> settle(const std::string& word, double seconds) = 0;
  /// Ends every rank of the job now, with `code` (MPI_Abort).
  [[noreturn]] virtual void abort(int code) = 0;
};

/// The plugin's entry: initialises MPI and returns the job (never null; MPI's
/// own error handler ends the process when MPI cannot start).
using MpiPluginEntry = MpiJob* (*)(int* argc, char*** argv);
/// The entry's symbol name in libshipml_mpi.so.
inline constexpr const char* kMpiPluginEntry = "shipml_mpi_start";

}  // namespace shipml
