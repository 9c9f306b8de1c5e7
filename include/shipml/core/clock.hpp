#pragma once
/// \file
/// Wall-clock timestamps for records people read, and elapsed time for measurements.
#include <chrono>
#include <string>

#include "shipml/core/export.hpp"

namespace shipml {

/// Now, in UTC, as ISO 8601 with `decimals` digits of the second (0, 3 or 6):
/// "2026-11-27T15:43:47Z", "2026-11-27T15:43:47.123Z".
SHIPML_API std::string utc_timestamp(int decimals = 0);

/// Seconds since `start` on the steady clock, for measuring how long work took.
inline double seconds_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

}  // namespace shipml
