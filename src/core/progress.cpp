#include "shipml/core/progress.hpp"

#include <algorithm>
#include <cstdio>
#include <vector>

#include "shipml/core/parallel.hpp"

namespace shipml {
namespace {
std::atomic<ProgressDisplay> display{ProgressDisplay::off};
// The bars showing (drawn or observed), the outermost of each piece of work,
// under their mutex. A fit inside a search on the same thread draws no bar of
// its own: the search's bar is the one the user watches.
std::mutex showing_mutex;
std::vector<Progress*> showing;
}  // namespace

void set_progress_display(ProgressDisplay d) { display = d; }
void enable_progress(bool on) { display = on ? ProgressDisplay::terminal : ProgressDisplay::off; }
bool progress_enabled() { return display != ProgressDisplay::off; }

std::optional<ProgressState> current_progress(const StopSource& work) {
  std::lock_guard lock(showing_mutex);
  for (Progress* p : showing)
    if (p->work_ == &work) return p->state();
  return std::nullopt;
}

Progress::Progress(std::string label, std::size_t total)
    : label_(std::move(label)), total_(total),
      active_(display != ProgressDisplay::off && !inside_parallel_work() && total > 1), work_(&current_stop_source()),
      start_(std::chrono::steady_clock::now()), last_draw_(start_) {
  if (!active_) return;
  std::lock_guard lock(showing_mutex);
  for (const Progress* p : showing)
    if (p->work_ == work_) {
      active_ = false;  // inside another bar of the same work: that one shows
      return;
    }
  showing.push_back(this);
}

Progress::~Progress() {
  if (!active_) return;
  {
    std::lock_guard lock(showing_mutex);
    showing.erase(std::find(showing.begin(), showing.end(), this));
  }
  if (display == ProgressDisplay::terminal) draw(true);
}

ProgressState Progress::state() {
  std::lock_guard lock(note_mutex_);
  return {label_, note_, std::min(done_.load(), total_), total_,
          std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count()};
}

void Progress::tick(std::size_t n) {
  done_ += n;
  if (!active_ || display != ProgressDisplay::terminal) return;
  const auto now = std::chrono::steady_clock::now();
  if (now - last_draw_ < std::chrono::milliseconds(100)) return;
  bool expected = false;
  if (!drawing_.compare_exchange_strong(expected, true)) return;  // another thread is drawing
  last_draw_ = now;
  draw(false);
  drawing_ = false;
}

void Progress::note(std::string text) {
  std::lock_guard lock(note_mutex_);
  note_ = std::move(text);
}

void Progress::draw(bool final) {
  const std::size_t done = std::min(done_.load(), total_);
  const double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
  const int width = 30;
  const int filled = total_ ? static_cast<int>(width * done / total_) : width;
  std::string bar(static_cast<std::size_t>(filled), '#');
  bar.resize(width, '.');
  const double left = done ? elapsed * static_cast<double>(total_ - done) / static_cast<double>(done) : 0.0;
  std::string note;
  {
    std::lock_guard lock(note_mutex_);
    note = note_;
  }
  std::fprintf(stderr, "\r%s [%s] %zu/%zu  %.1fs elapsed, %.1fs left  %s\033[K", label_.c_str(), bar.c_str(), done,
               total_, elapsed, left, note.c_str());
  if (final) std::fputs("\r\033[K", stderr);  // clear the line when done: the result is what matters
  std::fflush(stderr);
}

}  // namespace shipml
