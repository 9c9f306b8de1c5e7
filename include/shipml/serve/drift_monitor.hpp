#pragma once
/// \file
/// A served model's live drift: the inputs and predictions of the last
/// requests, binned as the model's training reference was (shipml/model/drift.hpp),
/// in a sliding window the metrics endpoint compares with that reference.
#include <cstdint>
#include <memory>
#include <mutex>
#include <vector>

#include "shipml/core/export.hpp"
#include "shipml/model/model.hpp"

namespace shipml::serve {

/// How the server watches drift.
struct SHIPML_API DriftOptions {
  /// The largest window: a row takes a byte per column, so 10 million rows of 100 columns take 1 GB.
  static constexpr std::size_t kMaxWindow = 10'000'000;
  std::size_t window = 1000;   ///< rows in the sliding window (0: no monitoring; at most kMaxWindow)
  DriftThresholds thresholds;  ///< when a column is flagged
};

/// The sliding window of one served model's rows, binned. Thread-safe.
class SHIPML_API DriftMonitor {
 public:
  /// Watches against `reference` (a model's drift_reference()); a UsageError
  /// for a window larger than DriftOptions::kMaxWindow.
  DriftMonitor(std::shared_ptr<const DriftReference> reference, DriftOptions options);

  /// Adds the rows a request predicted, and their predictions, to the window;
  /// the oldest rows leave it once it is full.
  void observe(const Frame& rows, const Predictions& predictions);
  /// The window compared with the reference.
  DriftReport report() const;
  /// Rows in the window now.
  std::size_t rows() const;

 private:
  DriftBinner binner_;
  DriftOptions options_;
  mutable std::mutex mutex_;
  std::vector<std::uint8_t> window_;  // options_.window rows of binner_.width() bins, a ring
  std::size_t next_ = 0, filled_ = 0;
  std::vector<DriftCounts> counts_;  // of the rows in the window
};

}  // namespace shipml::serve
