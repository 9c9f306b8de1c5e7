#include "mpi_launch.hpp"

#include <dlfcn.h>
#include <fcntl.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <vector>

#include "shipml/core/progress.hpp"

namespace shipml::cli {
namespace {

// How long a rank that failed waits for the others at the end of its command.
// They come at once when they failed alike (a missing file, a bad option);
// a rank still working, or waiting in a collective for this one, does not
// come, and then the failed rank ends the job: a failure never hangs it.
constexpr double kFailedRankWaitSeconds = 10;

int number_from(const char* name) {
  const char* v = std::getenv(name);
  if (!v || !*v) return -1;
  char* end = nullptr;
  const long n = std::strtol(v, &end, 10);
  return *end == '\0' && n >= 0 && n < 1 << 24 ? static_cast<int>(n) : -1;
}

// The ranks a launcher said it started: OpenMPI's mpirun, MPICH's hydra (PMI),
// srun with PMIx; -1 when started by one that does not say; 0 when not launched.
int launched_size() {
  for (const char* name : {"OMPI_COMM_WORLD_SIZE", "PMI_SIZE"})
    if (const int n = number_from(name); n > 0) return n;
  if (std::getenv("PMIX_RANK") || std::getenv("PMI_RANK")) {
    const int n = number_from("SLURM_STEP_NUM_TASKS");
    return n > 0 ? n : -1;
  }
  return 0;
}

int launched_rank() {
  for (const char* name : {"OMPI_COMM_WORLD_RANK", "PMI_RANK", "PMIX_RANK", "SLURM_PROCID"})
    if (const int r = number_from(name); r >= 0) return r;
  return 0;
}

// Where the plugin may be: next to the executable (a build tree), where it is
// installed relative to the executable (bin/ -> lib/.../shipml), then
// $SHIPML_MPI_PLUGIN.
std::vector<std::string> plugin_places() {
  std::vector<std::string> places;
  std::error_code ec;
  const std::filesystem::path exe = std::filesystem::read_symlink("/proc/self/exe", ec);
  if (!ec) {
    places.push_back((exe.parent_path() / "libshipml_mpi.so").string());
    places.push_back((exe.parent_path() / SHIPML_MPI_PLUGIN_DIR / "libshipml_mpi.so").lexically_normal().string());
  }
  if (const char* env = std::getenv("SHIPML_MPI_PLUGIN"); env && *env) places.emplace_back(env);
  return places;
}

[[noreturn]] void refuse(int rank, const std::string& why) {
  if (rank == 0) std::cerr << "shipml: error: " << why << '\n';
  std::exit(1);
}

}  // namespace

std::unique_ptr<MpiJob> join_mpi_job(int* argc, char*** argv) {
  const int size = launched_size();
  if (size == 0 || size == 1) return nullptr;  // one rank is a single process: nothing to spread
  const int rank = launched_rank();
  const std::vector<std::string> places = plugin_places();
  void* plugin = nullptr;
  std::string errors;
  for (const std::string& place : places) {
    if (!std::filesystem::exists(place)) continue;
    // Global: OpenMPI's own components, loaded later, resolve libmpi's symbols.
    plugin = ::dlopen(place.c_str(), RTLD_NOW | RTLD_GLOBAL);
    if (plugin) break;
    errors += std::string("; ") + ::dlerror();
  }
  const std::string started =
      "started by an MPI launcher" + (size > 0 ? " with " + std::to_string(size) + " ranks" : std::string());
  if (!plugin) {
    std::string looked;
    for (const auto& p : places) looked += (looked.empty() ? "" : ", ") + p;
    refuse(rank, started + ", but " +
                     (SHIPML_MPI_BUILT ? std::string("its MPI plugin is missing")
                                       : std::string("this shipml was built without MPI (no libopenmpi-dev)")) +
                     ": no libshipml_mpi.so in " + looked + (errors.empty() ? "" : " (" + errors.substr(2) + ")") +
                     "; install the shipml-mpi package, or set SHIPML_MPI_PLUGIN to the plugin's path");
  }
  auto* start = reinterpret_cast<MpiPluginEntry>(::dlsym(plugin, kMpiPluginEntry));
  if (!start) refuse(rank, started + ", but the MPI plugin has no entry " + kMpiPluginEntry);
  // The plugin stays loaded for the life of the process: the world it made lives that long.
  std::unique_ptr<MpiJob> job(start(argc, argv));
  set_world(job->ranks());
  if (!world().leads()) {
    enable_progress(false);
    // Rank 0 prints the results; the others' standard output goes nowhere.
    // Their standard error stays: a crash on any rank must be seen.
    if (const int null = ::open("/dev/null", O_WRONLY); null >= 0) {
      ::dup2(null, STDOUT_FILENO);
      ::close(null);
    }
  }
  return job;
}

int end_mpi_job(std::unique_ptr<MpiJob> job, const CommandEnd& end) {
  Communicator& ranks = world();
  const std::string word = end.code == 0 ? "" : std::to_string(end.code) + "\n" + end.message;
  const std::vector<std::string> words = job->settle(word, kFailedRankWaitSeconds);
  if (words.empty()) {
    // The others are still at work, or waiting for this rank: end them all.
    std::string message = end.message;
    const std::string prefix = "shipml: ";
    if (message.starts_with(prefix)) message = message.substr(prefix.size());
    if (message.empty()) message = "failed with exit status " + std::to_string(end.code);
    std::cerr << "shipml: rank " << ranks.rank() << " of " << ranks.size() << ": " << message << std::endl;
    job->abort(end.code == 0 ? 1 : end.code);
  }
  // The first rank that failed speaks for all; when every failed rank says the
  // same (a bad option, a missing file), it is said once, without rank numbers.
  std::size_t first = words.size();
  bool alike = true;
  for (std::size_t r = 0; r < words.size(); ++r)
    if (!words[r].empty()) {
      if (first == words.size()) first = r;
      else alike = alike && words[r] == words[first];
    }
  int code = 0;
  if (first < words.size()) {
    const std::string& w = words[first];
    const auto newline = w.find('\n');
    code = std::atoi(w.substr(0, newline).c_str());
    std::string message = w.substr(newline + 1);
    if (!alike || first != 0) {
      const std::string prefix = "shipml: ";
      if (message.starts_with(prefix)) message = message.substr(prefix.size());
      message = "shipml: rank " + std::to_string(first) + " of " + std::to_string(words.size()) + ": " + message;
    }
    if (ranks.leads() && !message.empty()) std::cerr << message << '\n';
  }
  std::cout.flush();
  set_world(nullptr);
  job.reset();  // MPI_Finalize: every rank is here
  return code;
}

}  // namespace shipml::cli
