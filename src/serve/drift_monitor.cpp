#include "shipml/serve/drift_monitor.hpp"

#include <algorithm>
#include <string>

#include "shipml/core/error.hpp"

namespace shipml::serve {

namespace {

const DriftOptions& checked(const DriftOptions& options) {
  if (options.window > DriftOptions::kMaxWindow)
    throw UsageError("a drift window of " + std::to_string(options.window) + " rows is more than the " +
                     std::to_string(DriftOptions::kMaxWindow) + " allowed");
  return options;
}

}  // namespace

DriftMonitor::DriftMonitor(std::shared_ptr<const DriftReference> reference, DriftOptions options)
    : binner_(std::move(reference)), options_(checked(options)), window_(options.window * binner_.width()),
      counts_(binner_.empty_counts()) {}

void DriftMonitor::observe(const Frame& rows, const Predictions& predictions) {
  if (options_.window == 0 || rows.rows() == 0) return;
  // Binning, the work that grows with the row, happens outside the lock.
  thread_local std::vector<std::uint8_t> binned;
  binned.clear();
  binner_.bin(rows, predictions.column("prediction"), binned);
  const std::size_t w = binner_.width(), n = rows.rows();
  const std::size_t first = n > options_.window ? n - options_.window : 0;  // older rows would leave at once
  std::lock_guard lock(mutex_);
  for (std::size_t i = first; i < n; ++i) {
    const std::span<std::uint8_t> slot(window_.data() + next_ * w, w);
    if (filled_ == options_.window) DriftBinner::tally(slot, counts_, -1);
    std::copy_n(binned.data() + i * w, w, slot.begin());
    DriftBinner::tally(slot, counts_);
    next_ = (next_ + 1) % options_.window;
    filled_ = std::min(filled_ + 1, options_.window);
  }
}

DriftReport DriftMonitor::report() const {
  std::vector<DriftCounts> counts;
  {
    std::lock_guard lock(mutex_);
    counts = counts_;
  }
  return binner_.report(counts, options_.thresholds);
}

std::size_t DriftMonitor::rows() const {
  std::lock_guard lock(mutex_);
  return filled_;
}

}  // namespace shipml::serve
