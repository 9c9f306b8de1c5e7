#pragma once
/// \file
/// The ranks of one job that work together: MPI's processes under mpirun (the
/// plugin libshipml_mpi.so, loaded by the CLI), or threads standing in for them
/// (run_as_ranks, for tests and for trying a distributed path on one machine).
/// Learners that train data-parallel and experiments spread over ranks talk
/// through this interface only; nothing below the CLI links MPI.
#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "shipml/core/error.hpp"
#include "shipml/core/export.hpp"

namespace shipml {

/// A failure on another rank (or a rank that could not go on), raised on every
/// rank at the next collective call so that no rank waits for ever.
class SHIPML_API DistributedError : public Error {
 public:
  using Error::Error;
};

/// The ranks of one job. Every collective call must be made by every rank, in
/// the same order, with the same sizes.
class SHIPML_API Communicator {
 public:
  virtual ~Communicator() = default;
  /// This process's (or thread's) rank, 0 .. size()-1. Rank 0 prints and records.
  virtual int rank() const = 0;
  /// The number of ranks.
  virtual int size() const = 0;
  /// Element-wise sums over every rank, in place: every rank ends with the same
  /// numbers, the same for every run with the same number of ranks.
  virtual void sum(std::span<double> values) = 0;
  /// Element-wise sums of counts over every rank, in place.
  virtual void sum(std::span<std::uint64_t> values) = 0;
  /// Every rank's bytes, in rank order, on every rank.
  virtual std::vector<std::string> all_gather(const std::string& bytes) = 0;
  /// Rank `root`'s bytes, on every rank.
  virtual void broadcast(std::string& bytes, int root) = 0;

  /// A collective check: every rank says what went wrong on it (empty: nothing).
  /// When any rank failed, every rank throws the same DistributedError, which
  /// names the first failing rank and its message ("rank 2 of 3: ..."); otherwise
  /// it returns. The way a bad shard on one rank stops the whole job cleanly.
  void agree(const std::string& error);
  /// Runs `work`, which may fail on some ranks only (a bad shard, a bad row):
  /// then every rank throws agree()'s DistributedError, rather than the others
  /// waiting for the failed one at their next collective call. On one rank the
  /// exception goes on as it is.
  void agree_on(const std::function<void()>& work);
  /// Whether this is rank 0: the rank that prints, writes files and records runs.
  bool leads() const { return rank() == 0; }
};

/// The one-rank job: sums and gathers are copies.
class SHIPML_API SingleProcess final : public Communicator {
 public:
  int rank() const override { return 0; }
  int size() const override { return 1; }
  void sum(std::span<double>) override {}
  void sum(std::span<std::uint64_t>) override {}
  std::vector<std::string> all_gather(const std::string& bytes) override { return {bytes}; }
  void broadcast(std::string&, int) override {}
};

/// The job this process belongs to: a SingleProcess unless a launcher (the CLI
/// under mpirun) set another.
SHIPML_API Communicator& world();
/// Makes `ranks` the process's world (the CLI, once, before any work).
SHIPML_API void set_world(std::shared_ptr<Communicator> ranks);

}  // namespace shipml
