#include "shipml/core/parallel.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <stdexcept>
#include <thread>
#include <vector>

namespace shipml {
namespace {

TEST(Parallel, EveryIndexRunsOnce) {
  std::vector<std::atomic<int>> hits(1000);
  parallel_for(hits.size(), 0, [&](std::size_t i) { ++hits[i]; });
  for (auto& h : hits) EXPECT_EQ(h.load(), 1);
}

TEST(Parallel, FirstExceptionIsRethrown) {
  EXPECT_THROW(parallel_for(100, 2,
                            [](std::size_t i) {
                              if (i == 37) throw std::runtime_error("boom");
                            }),
               std::runtime_error);
  // The pool still works afterwards.
  std::atomic<int> n{0};
  parallel_for(10, 2, [&](std::size_t) { ++n; });
  EXPECT_EQ(n.load(), 10);
}

TEST(Parallel, NestedLoopsRunInlineWithoutDeadlock) {
  std::atomic<int> n{0};
  parallel_for(8, 0, [&](std::size_t) { parallel_for(8, 0, [&](std::size_t) { ++n; }); });
  EXPECT_EQ(n.load(), 64);
}

TEST(Parallel, ConcurrentCallersFromUserThreads) {
  std::atomic<int> n{0};
  std::vector<std::thread> users;
  for (int t = 0; t < 4; ++t)
    users.emplace_back([&] {
      for (int r = 0; r < 50; ++r) parallel_for(16, 0, [&](std::size_t) { ++n; });
    });
  for (auto& u : users) u.join();
  EXPECT_EQ(n.load(), 4 * 50 * 16);
}

}  // namespace
}  // namespace shipml
