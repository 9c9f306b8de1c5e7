#pragma once
// Experiments over the ranks of an MPI job: the jobs of a comparison, a search
// round or a selection step (candidates x folds) are shared out among the
// world's ranks, each rank running its share on its threads; every job's
// result then goes to every rank, so what follows (ranking, the next halving
// round, the refit) runs the same everywhere and gives what a single process
// gives. With one rank it is parallel_for, nothing more.
#include <cstddef>
#include <functional>
#include <string>

#include "shipml/model/scoring.hpp"

namespace shipml {

/// How a job's result travels between ranks.
struct JobResults {
  /// Runs job `i` and keeps its result (on this rank's threads).
  std::function<void(std::size_t)> run;
  /// The kept result of job `i` (run on this rank) as bytes.
  std::function<std::string(std::size_t)> save;
  /// Keeps job `i`'s result, run by another rank, from its bytes.
  std::function<void(std::size_t, const std::string&)> load;
};

/// Runs jobs 0 .. n-1 over world()'s ranks (rank r takes r, r + N, r + 2N, ...,
/// so the folds of one candidate go to different ranks), `threads` at once on
/// each, and loads every other rank's results here, in job order. A job that
/// throws on any rank ends it on every rank with the same DistributedError
/// ("rank R of N: ..."); with one rank, the job's own exception.
void spread_jobs(std::size_t n, int threads, const JobResults& jobs);

/// Whether `yes` holds on any rank of world() (every rank must ask).
bool any_rank(bool yes);

/// A score as bytes, bit for bit (NaN included).
std::string number_bytes(double value);
/// The score number_bytes() wrote.
double number_from_bytes(const std::string& bytes);

/// A fold's scores, timings and kept predictions as bytes, bit for bit.
std::string fold_bytes(const FoldResult& fold);
/// The fold fold_bytes() wrote.
FoldResult fold_from_bytes(const std::string& bytes);

}  // namespace shipml
