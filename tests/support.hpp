#pragma once
// Helpers shared by the tests: bundled data paths, running the real `shipml`
// binary, temporary directories, and small synthetic frames with categories
// and missing values.
#include <array>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <string>
#include <sys/wait.h>

#include "shipml/core/random.hpp"
#include "shipml/io/file.hpp"
#include "shipml/shipml.hpp"

namespace shipml::test {

inline std::string source_path(const std::string& relative) { return std::string(SHIPML_SOURCE_DIR) + "/" + relative; }
inline std::string data_path(const std::string& file) { return source_path("data/" + file); }

/// A fresh directory under the system temp dir, removed when the object dies.
class TempDir {
 public:
  TempDir() {
    std::string pattern = (std::filesystem::temp_directory_path() / "shipml-test-XXXXXX").string();
    path_ = ::mkdtemp(pattern.data());
  }
  ~TempDir() { std::filesystem::remove_all(path_); }
  std::string file(const std::string& name) const { return (path_ / name).string(); }
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

/// A small classification or regression frame: numbers, a column with missing
/// values, a categorical column with missing values, and a target that depends on them.
/// The same numbers bit for bit (NaNs and signed zeros included). Either side
/// may be empty, whose data() can be null, which memcmp must never get.
template <class A, class B>
bool same_bits(const A& a, const B& b) {
  return a.size() == b.size() && (a.size() == 0 || std::memcmp(a.data(), b.data(), a.size() * sizeof(*a.data())) == 0);
}

/// The body of a model file (docs/model-format.md section 1): after the magic,
/// the version and the length-prefixed header, which holds the creation time.
inline std::string body_of(const std::string& file) {
  std::uint64_t header = 0, body = 0;
  std::memcpy(&header, file.data() + 12, 8);
  std::memcpy(&body, file.data() + 20 + header, 8);
  return file.substr(28 + header, body);
}

inline Dataset synthetic(Task task, std::size_t n = 240, std::uint64_t seed = 7) {
  Random rng(seed);
  std::vector<double> x1(n), x2(n), y(n);
  std::vector<std::string> color(n), label(n);
  std::vector<bool> color_missing(n);
  const char* colors[] = {"red", "green", "blue", "violet"};
  for (std::size_t i = 0; i < n; ++i) {
    x1[i] = rng.uniform() * 4 - 2;
    x2[i] = rng.uniform() < 0.1 ? NAN : rng.uniform() * 10;
    const auto c = rng.below(4);
    color[i] = colors[c];
    color_missing[i] = rng.uniform() < 0.08;
    const double signal = 1.5 * x1[i] + (std::isnan(x2[i]) ? 0 : 0.3 * x2[i]) + (c == 2 ? 1.0 : 0.0) + rng.uniform();
    y[i] = signal;
    label[i] = signal < 0.5 ? "low" : signal < 2.5 ? "mid" : "high";
  }
  Frame f;
  f.add(Column::numeric("x1", x1));
  f.add(Column::numeric("x2", x2));
  f.add(Column::from_strings("color", color, color_missing));
  f.add(task == Task::classification ? Column::from_strings("y", label) : Column::numeric("y", y));
  return {f, "y", "synthetic"};
}

struct RunResult {
  int exit_code = -1;
  std::string out, err;
};

/// Runs a shell command (pipes, `ulimit`, `mpirun`) and captures both streams.
inline RunResult run_shell(const std::string& command) {
  TempDir tmp;
  const std::string err_file = tmp.file("stderr");
  RunResult r;
  FILE* pipe = ::popen((command + " 2>" + err_file).c_str(), "r");
  std::array<char, 4096> buf{};
  for (std::size_t n; (n = std::fread(buf.data(), 1, buf.size(), pipe)) > 0;) r.out.append(buf.data(), n);
  const int status = ::pclose(pipe);
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  r.err = read_file(err_file);
  return r;
}

/// Runs the shipml binary with `args` (a shell-quoted string) and captures both
/// streams; `env` ("NAME=value ...") is set for it.
inline RunResult run_cli(const std::string& args, const std::string& env = "") {
  return run_shell((env.empty() ? "" : "env " + env + " ") + std::string(SHIPML_CLI) + " " + args);
}

/// The environment of `mpirun` in tests: as root too (CI runs as root),
/// oversubscribed (2 cores, 3 ranks); no single-copy shared memory (a container
/// may forbid ptrace); no leak report from OpenMPI's own caches in the
/// sanitizer build; no run records. Callers bound every job with `timeout`.
inline const std::string kMpiEnv =
    "OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 OMPI_MCA_btl_vader_single_copy_mechanism=none "
    "OMPI_MCA_rmaps_base_oversubscribe=1 ASAN_OPTIONS=detect_leaks=0 SHIPML_TRACKING=off";

/// Why `mpirun` tests cannot run here (empty when they can): no mpirun, or a
/// build without the MPI plugin next to the CLI.
inline std::string mpi_unavailable() {
  if (std::system("command -v mpirun > /dev/null 2>&1") != 0) return "no mpirun on this machine";
  const auto plugin = std::filesystem::path(SHIPML_CLI).parent_path() / "libshipml_mpi.so";
  if (!std::filesystem::exists(plugin))
    return "this build has no MPI plugin (" + plugin.string() + "; libopenmpi-dev was not found)";
  return "";
}

}  // namespace shipml::test
