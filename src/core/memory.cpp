#include "shipml/core/memory.hpp"

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <limits>
#include <sstream>
#include <string>

#include "shipml/core/error.hpp"

namespace shipml {
namespace {

// A number read from a one-line file such as memory.max ("max": no limit).
std::uint64_t read_limit(const char* path) {
  std::ifstream in(path);
  std::string text;
  if (!(in >> text) || text == "max") return std::numeric_limits<std::uint64_t>::max();
  try {
    return std::stoull(text);
  } catch (const std::exception&) {
    return std::numeric_limits<std::uint64_t>::max();
  }
}

}  // namespace

std::uint64_t available_memory() {
  std::uint64_t available = std::numeric_limits<std::uint64_t>::max();
  std::ifstream meminfo("/proc/meminfo");
  for (std::string key; meminfo >> key;) {
    std::uint64_t kb = 0;
    meminfo >> kb;
    if (key == "MemAvailable:") {
      available = kb * 1024;
      break;
    }
    meminfo.ignore(std::numeric_limits<std::streamsize>::max(), '\n');
  }
  // cgroup v2, as a container sees its own: the limit less what it uses.
  const std::uint64_t limit = read_limit("/sys/fs/cgroup/memory.max");
  const std::uint64_t used = read_limit("/sys/fs/cgroup/memory.current");
  if (limit != std::numeric_limits<std::uint64_t>::max() && used != std::numeric_limits<std::uint64_t>::max())
    available = std::min(available, limit > used ? limit - used : 0);
  return available;
}

std::string format_bytes(std::uint64_t bytes) {
  const char* units[] = {"bytes", "KB", "MB", "GB", "TB", "PB"};
  double value = static_cast<double>(bytes);
  int unit = 0;
  while (value >= 1024 && unit < 5) value /= 1024, ++unit;
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, unit == 0 ? "%.0f %s" : "%.1f %s", value, units[unit]);
  return buffer;
}

void require_memory(std::uint64_t bytes, const std::string& what, const std::string& advice) {
  const std::uint64_t available = available_memory();
  if (bytes <= available) return;
  throw DataError(what + " needs " + format_bytes(bytes) + ", more than the " + format_bytes(available) +
                  " of memory available; " + advice);
}

}  // namespace shipml
