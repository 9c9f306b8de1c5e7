#pragma once
/// \file
/// Ranks as threads: runs one function on `ranks` threads of this process, each
/// with its own Communicator rank, exactly as mpirun would run it in `ranks`
/// processes. Tests use it to check data-parallel training without MPI (and
/// under the sanitizers); sums add in rank order, as with MPI's for one size.
#include <functional>

#include "shipml/core/communicator.hpp"
#include "shipml/core/export.hpp"

namespace shipml {

/// Runs `work(ranks)` on `ranks` threads and waits for all. When one rank
/// throws, the others get a DistributedError at their next collective call;
/// the first rank's exception (the lowest rank that threw it first) is
/// rethrown here once every thread has finished.
SHIPML_API void run_as_ranks(int ranks, const std::function<void(Communicator&)>& work);

}  // namespace shipml
