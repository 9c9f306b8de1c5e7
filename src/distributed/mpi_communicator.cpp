// libshipml_mpi.so: shipml's Communicator on MPI_COMM_WORLD. The only source
// that includes <mpi.h>; the command line loads it with dlopen when a launcher
// (mpirun, srun) started it with more than one rank. It uses nothing of the
// shipml libraries (their symbols are not exported by the executable): only
// the headers' inline parts and the C++ standard library.
#include <mpi.h>

#include <algorithm>
#include <chrono>
#include <climits>
#include <cstdint>
#include <cstdlib>
#include <stdexcept>
#include <thread>

#include "shipml/distributed/mpi_plugin.hpp"

namespace shipml {
namespace {

// MPI counts are ints: large arrays and gathers go in pieces.
constexpr std::size_t kPiece = std::size_t{1} << 30;

// Gathers every rank's bytes in rank order: the lengths, then the bytes in
// rounds, each round every rank's next slice of at most kPiece / ranks bytes,
// so no call carries more than MPI's int counts allow, whatever the sizes
// (a forest's binned rows can be gigabytes). `wait` completes each request
// (blocking, or with a deadline).
template <class Wait>
bool gather_bytes(MPI_Comm comm, const std::string& bytes, std::vector<std::string>& out, Wait&& wait) {
  int size = 0;
  MPI_Comm_size(comm, &size);
  long long mine = static_cast<long long>(bytes.size());
  std::vector<long long> lengths(static_cast<std::size_t>(size));
  MPI_Request request;
  MPI_Iallgather(&mine, 1, MPI_LONG_LONG, lengths.data(), 1, MPI_LONG_LONG, comm, &request);
  if (!wait(request)) return false;
  out.assign(lengths.size(), std::string());
  std::size_t longest = 0;
  for (std::size_t r = 0; r < lengths.size(); ++r) {
    out[r].reserve(static_cast<std::size_t>(lengths[r]));
    longest = std::max(longest, static_cast<std::size_t>(lengths[r]));
  }
  const std::size_t slice = std::max<std::size_t>(1, kPiece / lengths.size());
  std::vector<int> counts(lengths.size()), offsets(lengths.size());
  std::string round;
  // One round at least, so every rank makes the same calls even when all send nothing.
  for (std::size_t start = 0; start == 0 || start < longest; start += slice) {
    std::size_t total = 0;
    for (std::size_t r = 0; r < lengths.size(); ++r) {
      const auto length = static_cast<std::size_t>(lengths[r]);
      counts[r] = static_cast<int>(start < length ? std::min(slice, length - start) : 0);
      offsets[r] = static_cast<int>(total);
      total += static_cast<std::size_t>(counts[r]);
    }
    round.assign(total, '\0');
    const std::size_t own = start < bytes.size() ? std::min(slice, bytes.size() - start) : 0;
    MPI_Iallgatherv(bytes.data() + std::min(start, bytes.size()), static_cast<int>(own), MPI_BYTE, round.data(),
                    counts.data(), offsets.data(), MPI_BYTE, comm, &request);
    if (!wait(request)) return false;
    for (std::size_t r = 0; r < lengths.size(); ++r)
      out[r].append(round, static_cast<std::size_t>(offsets[r]), static_cast<std::size_t>(counts[r]));
  }
  return true;
}

bool wait_for_ever(MPI_Request& request) {
  MPI_Wait(&request, MPI_STATUS_IGNORE);
  return true;
}

class MpiRanks final : public Communicator {
 public:
  explicit MpiRanks(MPI_Comm comm) : comm_(comm) {
    MPI_Comm_rank(comm_, &rank_);
    MPI_Comm_size(comm_, &size_);
  }
  int rank() const override { return rank_; }
  int size() const override { return size_; }
  void sum(std::span<double> values) override { sum_in_pieces(values, MPI_DOUBLE); }
  void sum(std::span<std::uint64_t> values) override { sum_in_pieces(values, MPI_UINT64_T); }
  std::vector<std::string> all_gather(const std::string& bytes) override {
    std::vector<std::string> out;
    gather_bytes(comm_, bytes, out, wait_for_ever);
    return out;
  }
  void broadcast(std::string& bytes, int root) override {
    unsigned long long length = bytes.size();
    MPI_Bcast(&length, 1, MPI_UNSIGNED_LONG_LONG, root, comm_);
    if (rank_ != root) bytes.assign(static_cast<std::size_t>(length), '\0');
    for (std::size_t start = 0; start < bytes.size(); start += kPiece) {
      const std::size_t n = std::min(kPiece, bytes.size() - start);
      MPI_Bcast(bytes.data() + start, static_cast<int>(n), MPI_BYTE, root, comm_);
    }
  }

 private:
  template <class T>
  void sum_in_pieces(std::span<T> values, MPI_Datatype type) {
    for (std::size_t start = 0; start < values.size(); start += kPiece / sizeof(T)) {
      const std::size_t n = std::min(kPiece / sizeof(T), values.size() - start);
      MPI_Allreduce(MPI_IN_PLACE, values.data() + start, static_cast<int>(n), type, MPI_SUM, comm_);
    }
  }

  MPI_Comm comm_;
  int rank_ = 0, size_ = 1;
};

class MpiSession final : public MpiJob {
 public:
  MpiSession(int* argc, char*** argv) {
    int provided = 0;
    // Only the main thread calls MPI; worker threads only compute.
    MPI_Init_thread(argc, argv, MPI_THREAD_FUNNELED, &provided);
    MPI_Comm_dup(MPI_COMM_WORLD, &control_);
    ranks_ = std::make_shared<MpiRanks>(MPI_COMM_WORLD);
  }
  ~MpiSession() override {
    MPI_Comm_free(&control_);
    MPI_Finalize();
  }
  std::shared_ptr<Communicator> ranks() override { return ranks_; }

  std::vector<std::string> settle(const std::string& word, double seconds) override {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::duration<double>(seconds);
    const bool patient = word.empty();
    auto wait = [&](MPI_Request& request) {
      for (;;) {
        int done = 0;
        MPI_Test(&request, &done, MPI_STATUS_IGNORE);
        if (done) return true;
        if (!patient && std::chrono::steady_clock::now() > deadline) return false;
        std::this_thread::sleep_for(std::chrono::milliseconds(1));
      }
    };
    std::vector<std::string> words;
    if (!gather_bytes(control_, word, words, wait)) return {};
    return words;
  }

  [[noreturn]] void abort(int code) override {
    MPI_Abort(MPI_COMM_WORLD, code);
    std::_Exit(code);
  }

 private:
  MPI_Comm control_ = MPI_COMM_NULL;
  std::shared_ptr<MpiRanks> ranks_;
};

}  // namespace
}  // namespace shipml

extern "C" __attribute__((visibility("default"))) shipml::MpiJob* shipml_mpi_start(int* argc, char*** argv) {
  return new shipml::MpiSession(argc, argv);
}
