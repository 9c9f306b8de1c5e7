#pragma once
// Helpers of the io tests: frames compared bit for bit, errors as text, and a
// writer's file descriptor pointed at /dev/full to make a disk fill up.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <string>

#include "shipml/core/error.hpp"
#include "shipml/core/frame.hpp"
#include "support.hpp"

namespace shipml::test {

/// Same names, types, values (numbers bit for bit), codes and dictionaries.
inline void expect_identical(const Frame& a, const Frame& b, const std::string& what) {
  ASSERT_EQ(a.names(), b.names()) << what;
  ASSERT_EQ(a.rows(), b.rows()) << what;
  for (std::size_t j = 0; j < a.cols(); ++j) {
    ASSERT_EQ(a[j].type(), b[j].type()) << what << " column " << a[j].name();
    if (a[j].is_numeric()) {
      const auto x = a[j].values(), y = b[j].values();
      EXPECT_TRUE(same_bits(x, y)) << what << " column " << a[j].name();
    } else {
      EXPECT_EQ(a[j].categories(), b[j].categories()) << what << " column " << a[j].name();
      EXPECT_TRUE(std::equal(a[j].codes().begin(), a[j].codes().end(), b[j].codes().begin()))
          << what << " column " << a[j].name();
    }
  }
}

/// The message of the Error `run` throws, or "no error".
template <typename Run>
std::string error_of(Run run) {
  try {
    run();
  } catch (const Error& e) {
    return e.what();
  }
  return "no error";
}

/// Points the descriptor this process has open on `file` at /dev/full, so its
/// next write fails with ENOSPC as on a full disk; the file itself stays where
/// it is, for the writer to clean up.
inline bool make_writes_fail(const std::string& file) {
  const std::string target = std::filesystem::absolute(file).string();
  for (const auto& entry : std::filesystem::directory_iterator("/proc/self/fd")) {
    std::error_code ec;
    const auto linked = std::filesystem::read_symlink(entry.path(), ec);
    if (ec || linked.string() != target) continue;
    const int fd = std::stoi(entry.path().filename().string());
    const int full = ::open("/dev/full", O_WRONLY | O_CLOEXEC);
    const bool done = full >= 0 && ::dup2(full, fd) == fd;
    ::close(full);
    return done;
  }
  return false;
}

}  // namespace shipml::test
