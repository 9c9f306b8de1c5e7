#pragma once
// Wall-clock timestamps for records people read, and elapsed time for measurements.
#include <chrono>
#include <string>

namespace shipml {

/// Now, in UTC, as ISO 8601 ("2026-11-27T15:43:47Z"); with `millis`, to the millisecond.
std::string utc_timestamp(bool millis = false);

inline double seconds_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

}  // namespace shipml
