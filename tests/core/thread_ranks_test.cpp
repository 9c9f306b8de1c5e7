#include "shipml/core/thread_ranks.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <stdexcept>

namespace shipml {
namespace {

TEST(ThreadRanks, EveryRankSeesTheSameSumsGathersAndBroadcasts) {
  for (int n : {1, 2, 3}) {
    std::atomic<int> checked{0};
    run_as_ranks(n, [&](Communicator& ranks) {
      EXPECT_EQ(ranks.size(), n);
      std::vector<double> v{1.0 * ranks.rank(), 0.5};
      std::vector<std::uint64_t> c{static_cast<std::uint64_t>(ranks.rank() + 1)};
      ranks.sum(v);
      ranks.sum(c);
      EXPECT_DOUBLE_EQ(v[0], n * (n - 1) / 2.0);
      EXPECT_DOUBLE_EQ(v[1], 0.5 * n);
      EXPECT_EQ(c[0], static_cast<std::uint64_t>(n * (n + 1) / 2));
      const auto all = ranks.all_gather(std::string(static_cast<std::size_t>(ranks.rank()), 'x'));
      ASSERT_EQ(all.size(), static_cast<std::size_t>(n));
      for (int r = 0; r < n; ++r) EXPECT_EQ(all[static_cast<std::size_t>(r)], std::string(r, 'x'));
      std::string said = ranks.rank() == n - 1 ? "from the last" : "";
      ranks.broadcast(said, n - 1);
      EXPECT_EQ(said, "from the last");
      ++checked;
    });
    EXPECT_EQ(checked.load(), n);
  }
}

TEST(ThreadRanks, AgreeStopsEveryRankNamingTheFirstThatFailed) {
  std::atomic<int> stopped{0};
  try {
    run_as_ranks(3, [&](Communicator& ranks) {
      try {
        ranks.agree(ranks.rank() == 1 ? "cannot read shard part-1.csv" : "");
      } catch (const DistributedError& e) {
        EXPECT_STREQ(e.what(), "rank 1 of 3: cannot read shard part-1.csv");
        ++stopped;
        throw;
      }
    });
    FAIL() << "expected a DistributedError";
  } catch (const DistributedError& e) {
    EXPECT_STREQ(e.what(), "rank 1 of 3: cannot read shard part-1.csv");
  }
  EXPECT_EQ(stopped.load(), 3);
}

TEST(ThreadRanks, ARankThatThrowsReleasesTheOthersWaitingInACollective) {
  try {
    run_as_ranks(3, [&](Communicator& ranks) {
      if (ranks.rank() == 2) throw std::runtime_error("rank 2 ran out of memory");
      std::vector<double> v(4, 1.0);
      ranks.sum(v);  // would wait for rank 2 for ever
      ADD_FAILURE() << "the sum cannot complete without rank 2";
    });
    FAIL() << "expected rank 2's error";
  } catch (const std::runtime_error& e) {
    EXPECT_STREQ(e.what(), "rank 2 ran out of memory");
  }
}

TEST(ThreadRanks, OneRankIsAnOrdinaryCall) {
  int calls = 0;
  run_as_ranks(1, [&](Communicator& ranks) {
    EXPECT_TRUE(ranks.leads());
    ranks.agree("");
    ++calls;
  });
  EXPECT_EQ(calls, 1);
  EXPECT_THROW(run_as_ranks(0, [](Communicator&) {}), UsageError);
  EXPECT_EQ(world().size(), 1);
}

}  // namespace
}  // namespace shipml
