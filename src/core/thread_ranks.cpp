#include "shipml/core/thread_ranks.hpp"

#include <condition_variable>
#include <cstring>
#include <exception>
#include <mutex>
#include <thread>

namespace shipml {
namespace {

// What the ranks share: one slot per rank for the collective call under way.
// A call is two phases: every rank writes its slot and waits until all have
// (then reads them all), and waits again until all have read, so the next call
// cannot overwrite a slot someone still reads.
class Group {
 public:
  explicit Group(int ranks) : slots_(static_cast<std::size_t>(ranks)) {}

  std::vector<std::string> exchange(int rank, std::string bytes) {
    std::unique_lock lock(mutex_);
    slots_[static_cast<std::size_t>(rank)] = std::move(bytes);
    wait_for_all(lock);
    std::vector<std::string> all = slots_;
    wait_for_all(lock);
    return all;
  }

  // A rank that threw: the others stop waiting and fail their next call.
  void fail(int rank) {
    std::lock_guard lock(mutex_);
    if (failed_rank_ < 0) failed_rank_ = rank;
    changed_.notify_all();
  }

 private:
  void wait_for_all(std::unique_lock<std::mutex>& lock) {
    throw_if_failed();
    const std::uint64_t generation = generation_;
    if (++arrived_ == slots_.size()) {
      arrived_ = 0;
      ++generation_;
      changed_.notify_all();
      return;
    }
    changed_.wait(lock, [&] { return generation_ != generation || failed_rank_ >= 0; });
    if (generation_ == generation) throw_if_failed();
  }

  void throw_if_failed() const {
    if (failed_rank_ >= 0)
      throw DistributedError("rank " + std::to_string(failed_rank_) + " of " + std::to_string(slots_.size()) +
                             " stopped with an error");
  }

  std::mutex mutex_;
  std::condition_variable changed_;
  std::vector<std::string> slots_;
  std::size_t arrived_ = 0;
  std::uint64_t generation_ = 0;
  int failed_rank_ = -1;
};

class ThreadRank final : public Communicator {
 public:
  ThreadRank(Group& group, int rank, int size) : group_(group), rank_(rank), size_(size) {}
  int rank() const override { return rank_; }
  int size() const override { return size_; }
  void sum(std::span<double> values) override { sum_bytes(values); }
  void sum(std::span<std::uint64_t> values) override { sum_bytes(values); }
  std::vector<std::string> all_gather(const std::string& bytes) override { return group_.exchange(rank_, bytes); }
  void broadcast(std::string& bytes, int root) override {
    bytes = group_.exchange(rank_, rank_ == root ? bytes : std::string())[static_cast<std::size_t>(root)];
  }

 private:
  // Adds every rank's values in rank order, so every rank gets the same bits.
  template <class T>
  void sum_bytes(std::span<T> values) {
    std::string mine(reinterpret_cast<const char*>(values.data()), values.size_bytes());
    const std::vector<std::string> all = group_.exchange(rank_, std::move(mine));
    for (const std::string& other : all)
      if (other.size() != values.size_bytes()) throw DistributedError("ranks summed arrays of different lengths");
    std::vector<T> total(values.size(), T{});
    for (const std::string& other : all) {
      const T* v = reinterpret_cast<const T*>(other.data());
      for (std::size_t i = 0; i < total.size(); ++i) total[i] += v[i];
    }
    if (!values.empty()) std::memcpy(values.data(), total.data(), values.size_bytes());
  }

  Group& group_;
  int rank_, size_;
};

}  // namespace

void run_as_ranks(int ranks, const std::function<void(Communicator&)>& work) {
  if (ranks < 1) throw UsageError("run_as_ranks: ranks must be >= 1, got " + std::to_string(ranks));
  Group group(ranks);
  std::vector<std::exception_ptr> errors(static_cast<std::size_t>(ranks));
  std::mutex first_mutex;
  int first = -1;
  std::vector<std::thread> threads;
  for (int r = 0; r < ranks; ++r)
    threads.emplace_back([&, r] {
      ThreadRank rank(group, r, ranks);
      try {
        work(rank);
      } catch (...) {
        errors[static_cast<std::size_t>(r)] = std::current_exception();
        {
          std::lock_guard lock(first_mutex);
          // The rank whose own failure started it, not one that only heard of another's.
          if (first < 0) first = r;
        }
        group.fail(r);
      }
    });
  for (auto& t : threads) t.join();
  if (first >= 0) std::rethrow_exception(errors[static_cast<std::size_t>(first)]);
}

}  // namespace shipml
