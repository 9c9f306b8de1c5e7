#pragma once
// Progress of long work (boosting rounds, trees, folds) as a bar on stderr.
// Off unless a front door turns it on (the CLI does when stderr is a terminal
// and --quiet is not given), so libraries, pipes and tests stay silent. Work
// running inside another parallel job shows no bar of its own.
#include <atomic>
#include <chrono>
#include <cstddef>
#include <mutex>
#include <string>

namespace shipml {

/// Turns progress bars on or off for the whole process.
void enable_progress(bool on);
bool progress_enabled();

class Progress {
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
  void draw(bool final);
  std::string label_;
  std::size_t total_;
  std::atomic<std::size_t> done_{0};
  bool active_;
  std::chrono::steady_clock::time_point start_, last_draw_;
  std::atomic<bool> drawing_{false};
  std::mutex note_mutex_;
  std::string note_;
};

}  // namespace shipml
