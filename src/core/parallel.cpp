#include "shipml/core/parallel.hpp"

#include <sched.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdlib>
#include <exception>
#include <mutex>
#include <thread>
#include <vector>

#include "shipml/core/interrupt.hpp"

namespace shipml {
namespace {

thread_local bool in_parallel_region = false;

// How long a thread with nothing to do keeps polling before it sleeps. Jobs
// come in quick succession while a model trains (a tree's nodes post hundreds
// of jobs of a fraction of a millisecond), and waking a sleeping thread takes
// tens of microseconds, more in a virtual machine: long enough that the
// caller often did a small job's every part alone. OpenMP runtimes spin for
// the same reason.
constexpr auto kSpin = std::chrono::microseconds(200);

// Polls `done` for up to kSpin; true if it became true.
template <class Done>
bool spin_until(const Done& done) {
  const auto until = std::chrono::steady_clock::now() + kSpin;
  for (;;) {
    for (int i = 0; i < 64; ++i) {
      if (done()) return true;
#if defined(__x86_64__) || defined(__i386__)
      __builtin_ia32_pause();
#endif
    }
    if (std::chrono::steady_clock::now() >= until) return done();
  }
}

// Workers sleep until a job is posted, take indices from a shared counter, and
// report when the job has no more indices to give.
class Pool {
 public:
  static Pool& instance() {
    static Pool pool(std::max(1u, std::thread::hardware_concurrency()) - 1);
    return pool;
  }

  /// False when another job holds the pool: the caller then runs its job inline.
  bool run(std::size_t n, int threads, const std::function<void(std::size_t)>& fn) {
    std::unique_lock job_lock(job_mutex_, std::try_to_lock);
    if (!job_lock.owns_lock()) return false;
    {
      std::lock_guard lock(mutex_);
      fn_ = &fn;
      job_stop_ = &current_stop_source();  // the helpers answer to the caller's stop requests
      n_ = n;
      next_ = 0;
      error_ = nullptr;
      helpers_wanted_ = std::min<std::size_t>(static_cast<std::size_t>(threads) - 1, workers_.size());
      generation_.fetch_add(1, std::memory_order_release);
    }
    wake_.notify_all();
    work();
    std::unique_lock lock(mutex_);
    // The work is all taken: helpers that have not woken yet are not needed, so
    // small jobs do not wait for a wake-up that brings nothing (it can cost more
    // than the job itself). Helpers already in work() are waited for, polling
    // first: they are usually about to finish.
    helpers_wanted_ = 0;
    if (helpers_active_ > 0) {
      lock.unlock();
      spin_until([&] { return helpers_active_.load(std::memory_order_acquire) == 0; });
      lock.lock();
    }
    done_.wait(lock, [&] { return helpers_active_ == 0; });
    fn_ = nullptr;
    if (error_) std::rethrow_exception(error_);
    return true;
  }

 private:
  explicit Pool(unsigned workers) {
    for (unsigned i = 0; i < workers; ++i) workers_.emplace_back([this] { loop(); });
  }
  ~Pool() {
    {
      std::lock_guard lock(mutex_);
      stop_ = true;
    }
    wake_.notify_all();
    for (auto& t : workers_) t.join();
  }

  void loop() {
    std::uint64_t seen = 0;
    for (;;) {
      spin_until([&] { return generation_.load(std::memory_order_acquire) != seen; });
      {
        std::unique_lock lock(mutex_);
        wake_.wait(lock, [&] { return stop_ || generation_ != seen; });
        if (stop_) return;
        seen = generation_;
        if (helpers_wanted_ == 0) continue;  // the job needs no more helpers (or is done)
        --helpers_wanted_;
        ++helpers_active_;
      }
      work();
      std::lock_guard lock(mutex_);
      if (helpers_active_.fetch_sub(1, std::memory_order_release) == 1) done_.notify_all();
    }
  }

  void work() {
    const StopScope scope(*job_stop_);
    in_parallel_region = true;
    for (std::size_t i; (i = next_.fetch_add(1)) < n_;) {
      try {
        (*fn_)(i);
      } catch (...) {
        std::lock_guard lock(mutex_);
        if (!error_) error_ = std::current_exception();
        next_ = n_;
      }
    }
    in_parallel_region = false;
  }

  std::vector<std::thread> workers_;
  std::mutex job_mutex_;  // one job at a time
  std::mutex mutex_;
  std::condition_variable wake_, done_;
  const std::function<void(std::size_t)>* fn_ = nullptr;
  const StopSource* job_stop_ = nullptr;
  std::size_t n_ = 0;
  std::atomic<std::size_t> next_{0};
  std::size_t helpers_wanted_ = 0;
  // Changed under mutex_, and atomic so that waiting threads can poll them without it.
  std::atomic<std::uint64_t> generation_{0};
  std::atomic<std::size_t> helpers_active_{0};
  std::exception_ptr error_;
  bool stop_ = false;
};

void run_inline(std::size_t n, const std::function<void(std::size_t)>& fn) {
  for (std::size_t i = 0; i < n; ++i) fn(i);
}

}  // namespace

bool inside_parallel_work() { return in_parallel_region; }

// Processes an MPI launcher started on this machine (OpenMPI's mpirun, MPICH's
// hydra): they share its cores. 1 when not launched by one.
static int ranks_on_this_machine() {
  for (const char* name : {"OMPI_COMM_WORLD_LOCAL_SIZE", "MPI_LOCALNRANKS"})
    if (const char* v = std::getenv(name)) {
      const int n = std::atoi(v);
      if (n > 0) return n;
    }
  return 1;
}

// The cores this process may run on: fewer than the machine's when a launcher
// (mpirun binds each rank to its cores), taskset or a container's cpuset says so.
static int cores_allowed() {
  const int machine = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  cpu_set_t allowed;
  CPU_ZERO(&allowed);
  if (::sched_getaffinity(0, sizeof allowed, &allowed) == 0) {
    const int n = CPU_COUNT(&allowed);
    if (n > 0 && n < machine) return n;
  }
  return machine;
}

int default_threads() {
  // hardware_concurrency() reads /sys on every call: ask once. A process bound
  // to some cores uses those; unbound ranks of an MPI job on one machine split
  // its cores, so that together they never oversubscribe it.
  static const int cores = [] {
    const int machine = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
    const int allowed = cores_allowed();
    return allowed < machine ? allowed : std::max(1, machine / ranks_on_this_machine());
  }();
  return cores;
}

void parallel_for(std::size_t n, int threads, const std::function<void(std::size_t)>& fn) {
  if (threads <= 0) threads = default_threads();
  if (n <= 1 || threads == 1 || in_parallel_region) return run_inline(n, fn);
  if (!Pool::instance().run(n, threads, fn)) run_inline(n, fn);
}

}  // namespace shipml
