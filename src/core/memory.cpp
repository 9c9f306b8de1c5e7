#include "shipml/core/memory.hpp"

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <cstdlib>
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

// SHIPML_MEMORY_LIMIT, a budget lower than the machine's for one process (a
// shared server, or a test that must see the same limit on every machine).
std::uint64_t read_environment_limit() {
  const char* text = std::getenv("SHIPML_MEMORY_LIMIT");
  if (text == nullptr || *text == '\0') return std::numeric_limits<std::uint64_t>::max();
  try {
    return parse_memory_size(text);
  } catch (const UsageError& e) {
    throw UsageError(std::string("SHIPML_MEMORY_LIMIT: ") + e.what());
  }
}

}  // namespace

std::uint64_t parse_memory_size(const std::string& text) {
  std::size_t end = 0;
  double value = 0;
  try {
    value = std::stod(text, &end);
  } catch (const std::exception&) {
    end = 0;
  }
  std::uint64_t scale = 1;
  if (end > 0 && end + 1 == text.size()) {
    const std::string units = "KMGT";
    const auto unit = units.find(static_cast<char>(std::toupper(static_cast<unsigned char>(text[end]))));
    if (unit != std::string::npos) scale = std::uint64_t{1} << (10 * (unit + 1)), ++end;
  }
  if (end == 0 || end != text.size() || !(value > 0) || value * static_cast<double>(scale) >= 1.8e19)
    throw UsageError("memory size '" + text + "' is not a positive number of bytes (or of K, M, G or T)");
  return static_cast<std::uint64_t>(value * static_cast<double>(scale));
}

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
  return std::min(available, read_environment_limit());
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
