#include "shipml/core/clock.hpp"

#include <ctime>

namespace shipml {

std::string utc_timestamp(int decimals) {
  const auto now = std::chrono::system_clock::now();
  const std::time_t t = std::chrono::system_clock::to_time_t(now);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[40];
  std::size_t n = std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &tm);
  if (decimals > 0) {
    const auto us = std::chrono::duration_cast<std::chrono::microseconds>(now.time_since_epoch()).count() % 1000000;
    const int digits = decimals >= 6 ? 6 : 3;
    const long fraction = digits == 6 ? static_cast<long>(us) : static_cast<long>(us / 1000);
    n += static_cast<std::size_t>(std::snprintf(buf + n, sizeof buf - n, ".%0*ld", digits, fraction));
  }
  buf[n] = 'Z';
  return std::string(buf, n + 1);
}

}  // namespace shipml
