#pragma once
// CLI tests that record runs: tracking is on whatever the test environment
// says, into the test's own folder.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "support.hpp"

namespace shipml::test {

class TrackedCli : public ::testing::Test {
 protected:
  RunResult shipml(const std::string& args) {
    return run_cli(args, "SHIPML_TRACKING=on SHIPML_TRACKING_URI=" + tmp_.file("runs"));
  }
  nlohmann::json shipml_json(const std::string& args) {
    const auto r = shipml(args);
    EXPECT_EQ(r.exit_code, 0) << args << ": " << r.err;
    return nlohmann::json::parse(r.out);
  }
  TempDir tmp_;
};

}  // namespace shipml::test
