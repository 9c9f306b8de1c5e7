// The queue behind the prediction log and the shadow scorer: everything pushed
// before close() is handled, in order; a full or closed queue drops and counts;
// and a worker that does not finish within the deadline is left behind, with
// close() saying how much it never reached.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "shipml/serve/off_path_queue.hpp"

namespace shipml::test {
namespace {

using serve::OffPathQueue;

TEST(OffPathQueue, HandlesEverythingPushedInOrderAndDropsWhatComesAfterClose) {
  auto seen = std::make_shared<std::vector<int>>();  // written by the worker only, read after close()
  OffPathQueue<int> queue(1000, 7, [seen](std::deque<int>& batch) {
    EXPECT_LE(batch.size(), 7u);
    seen->insert(seen->end(), batch.begin(), batch.end());
  });
  for (int i = 0; i < 500; ++i) EXPECT_TRUE(queue.push(i));
  const auto closed = queue.close(10);
  EXPECT_TRUE(closed.finished);
  EXPECT_EQ(closed.left, 0u);
  ASSERT_EQ(seen->size(), 500u);
  for (int i = 0; i < 500; ++i) EXPECT_EQ((*seen)[static_cast<std::size_t>(i)], i);
  EXPECT_FALSE(queue.push(500));
  EXPECT_EQ(queue.dropped(), 1u);
  EXPECT_EQ(queue.depth(), 0u);
}

TEST(OffPathQueue, AFullQueueDropsAndCountsAndAStuckWorkerIsLeftBehind) {
  // The worker holds on its first batch until released: what it uses, it shares.
  auto release = std::make_shared<std::atomic<bool>>(false);
  auto started = std::make_shared<std::atomic<bool>>(false);
  OffPathQueue<int> queue(3, 1, [release, started](std::deque<int>&) {
    started->store(true);
    while (!release->load()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  });
  ASSERT_TRUE(queue.push(0));
  while (!started->load()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  for (int i = 1; i <= 3; ++i) EXPECT_TRUE(queue.push(i));  // the worker holds item 0: three wait
  EXPECT_EQ(queue.depth(), 3u);
  for (int i = 4; i < 10; ++i) EXPECT_FALSE(queue.push(i));
  EXPECT_EQ(queue.dropped(), 6u);

  const auto start = std::chrono::steady_clock::now();
  const auto closed = queue.close(0.2);
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(5));
  EXPECT_FALSE(closed.finished);
  EXPECT_EQ(closed.left, 3u);
  release->store(true);  // the detached worker finishes on state it shares
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
}

}  // namespace
}  // namespace shipml::test
