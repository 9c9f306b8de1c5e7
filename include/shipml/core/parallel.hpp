#pragma once
/// \file
/// One pool of worker threads for the whole process, and parallel_for on top of
/// it. Work is handed out by index, so results stored by index do not depend on
/// the thread count. A parallel_for inside another one runs inline on its
/// caller's thread: nested work (folds over trees over features) shares one
/// budget of threads instead of multiplying it.
#include <cstddef>
#include <functional>

#include "shipml/core/export.hpp"

namespace shipml {

/// Threads to use when the caller says 0: all cores.
SHIPML_API int default_threads();

/// True on a thread that is running work for parallel_for.
SHIPML_API bool inside_parallel_work();

/// Runs fn(i) for every i in [0, n) on up to `threads` threads (0 = all cores),
/// the caller's included. Rethrows the first exception once all work has stopped.
SHIPML_API void parallel_for(std::size_t n, int threads, const std::function<void(std::size_t)>& fn);

}  // namespace shipml
