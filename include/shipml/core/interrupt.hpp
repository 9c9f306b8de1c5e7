#pragma once
/// \file
/// A polite stop: front doors turn Ctrl-C (SIGINT) into a request that long work
/// checks between units (boosting rounds, trees, solver iterations, folds,
/// candidates), so it stops cleanly: nothing half-fitted is kept and a search
/// keeps what it finished.
///
/// Requests go to a stop source. The process has one (Ctrl-C in the command
/// line); a front door that runs several pieces of work at once (Python
/// threads) gives each its own with a StopScope, so a stop reaches only the
/// work it was meant for, on its thread and the pool threads it hands work to.
#include <atomic>

#include "shipml/core/error.hpp"
#include "shipml/core/export.hpp"

namespace shipml {

/// Long work stopped because a stop was requested (Ctrl-C).
class SHIPML_API Interrupted : public Error {
 public:
  using Error::Error;
};

/// A stop request that long work answers to: set by request(), checked between units.
class SHIPML_API StopSource {
 public:
  /// Asks the work answering to this source to stop.
  void request() { requested_.store(true, std::memory_order_relaxed); }
  /// Withdraws the request.
  void clear() { requested_.store(false, std::memory_order_relaxed); }
  /// Whether a stop has been requested.
  bool requested() const { return requested_.load(std::memory_order_relaxed); }

 private:
  std::atomic<bool> requested_{false};
};

/// Makes `source` the one this thread's work answers to, until the scope ends.
class SHIPML_API StopScope {
 public:
  /// Makes `source` the one this thread's work answers to.
  explicit StopScope(const StopSource& source);
  /// Makes the previous source current again.
  ~StopScope();
  /// Not copyable: the scope restores what it replaced.
  StopScope(const StopScope&) = delete;
  /// Not copyable.
  StopScope& operator=(const StopScope&) = delete;

 private:
  const StopSource* previous_;
};

/// The source this thread's work answers to: the process's, or a StopScope's.
SHIPML_API const StopSource& current_stop_source();

/// Installs a SIGINT handler that requests a stop of the process's source; a
/// second Ctrl-C ends the process.
SHIPML_API void stop_on_interrupt();
/// Requests a stop of the process's source, as Ctrl-C does.
SHIPML_API void request_stop();
/// Withdraws a stop requested of the process's source.
SHIPML_API void clear_stop();
/// Whether the work on this thread has been asked to stop.
SHIPML_API bool stop_requested();
/// Throws Interrupted, naming `what` was stopped, when a stop has been requested.
SHIPML_API void throw_if_stopped(const char* what);

}  // namespace shipml
