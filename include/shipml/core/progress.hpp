#pragma once
/// \file
/// Progress of long work (boosting rounds, trees, folds). Off unless a front
/// door turns it on, so libraries, pipes and tests stay silent: the CLI draws a
/// bar on stderr when it is a terminal and --quiet is not given; the Python
/// package reads the state and draws it itself (in a terminal or a notebook).
/// Work running inside another parallel job, or inside another bar, shows no
/// bar of its own.
#include <atomic>
#include <chrono>
#include <cstddef>
#include <mutex>
#include <optional>
#include <string>

#include "shipml/core/export.hpp"
#include "shipml/core/interrupt.hpp"

namespace shipml {

/// Where progress of long work shows.
enum class ProgressDisplay {
  off,       ///< nothing shown
  terminal,  ///< a bar drawn on stderr
  observed,  ///< nothing drawn; the front door reads current_progress()
};
/// Where progress shows, for the whole process.
SHIPML_API void set_progress_display(ProgressDisplay display);
/// A bar on stderr (ProgressDisplay::terminal) when `on`, nothing (ProgressDisplay::off) otherwise.
SHIPML_API void enable_progress(bool on);
/// Whether progress shows at all (terminal or observed).
SHIPML_API bool progress_enabled();

/// A snapshot of one piece of long work, for a front door that draws progress itself.
struct SHIPML_API ProgressState {
  /// What the work is.
  std::string label, note;  ///< the latest Progress::note()
  /// Units done.
  std::size_t done = 0, total = 0;  ///< units in all
  double elapsed_seconds = 0;       ///< since the work started
};
/// The outermost long work running now for `work` (the stop source it answers
/// to: one piece of work, on whatever threads it runs), when progress is observed.
SHIPML_API std::optional<ProgressState> current_progress(const StopSource& work = current_stop_source());

/// The progress of one piece of long work: a bar, or a state a front door
/// observes (see ProgressDisplay).
class SHIPML_API Progress {
 public:
  /// Starts the progress of `label` over `total` units. It shows only when progress
  /// is on, `total` is more than 1, and this is neither parallel work nor inside
  /// another bar of the same work.
  Progress(std::string label, std::size_t total);
  /// Clears the bar, or stops being observed.
  ~Progress();
  /// Not copyable: a bar is observed through its address.
  Progress(const Progress&) = delete;
  /// Not copyable.
  Progress& operator=(const Progress&) = delete;

  /// Marks `n` more units done; thread-safe, redraws at most ten times a second.
  void tick(std::size_t n = 1);
  /// A short status shown after the bar ("best roc_auc 0.93"); thread-safe.
  void note(std::string text);

 private:
  friend std::optional<ProgressState> current_progress(const StopSource& work);
  ProgressState state();
  void draw(bool final);
  std::string label_;
  std::size_t total_;
  std::atomic<std::size_t> done_{0};
  bool active_;
  const StopSource* work_;  // what this is part of
  std::chrono::steady_clock::time_point start_, last_draw_;
  std::atomic<bool> drawing_{false};
  std::mutex note_mutex_;
  std::string note_;
};

}  // namespace shipml
