#pragma once
// Progress of long work (boosting rounds, trees, folds). Off unless a front
// door turns it on, so libraries, pipes and tests stay silent: the CLI draws a
// bar on stderr when it is a terminal and --quiet is not given; the Python
// package reads the state and draws it itself (in a terminal or a notebook).
// Work running inside another parallel job, or inside another bar, shows no
// bar of its own.
#include <atomic>
#include <chrono>
#include <cstddef>
#include <mutex>
#include <optional>
#include <string>

#include "shipml/core/export.hpp"
#include "shipml/core/interrupt.hpp"

namespace shipml {

enum class ProgressDisplay {
  off,       // nothing shown
  terminal,  // a bar drawn on stderr
  observed,  // nothing drawn; the front door reads current_progress()
};
/// Where progress shows, for the whole process.
SHIPML_API void set_progress_display(ProgressDisplay display);
/// terminal when on, off when off.
SHIPML_API void enable_progress(bool on);
SHIPML_API bool progress_enabled();

struct SHIPML_API ProgressState {
  std::string label, note;
  std::size_t done = 0, total = 0;
  double elapsed_seconds = 0;
};
/// The outermost long work running now for `work` (the stop source it answers
/// to: one piece of work, on whatever threads it runs), when progress is observed.
SHIPML_API std::optional<ProgressState> current_progress(const StopSource& work = current_stop_source());

class SHIPML_API Progress {
 public:
  Progress(std::string label, std::size_t total);
  ~Progress();
  Progress(const Progress&) = delete;
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
