// `mpirun -np N shipml search|compare|select`, on this machine's OpenMPI: the
// ranks share the candidates x folds, and rank 0 prints, writes and records
// exactly what one process does. Every score, the chosen candidate and the
// refit model's predictions are compared with the plain single-process run;
// a rank that fails ends the job with one clear message, in bounded time.
// Skipped when mpirun or the MPI plugin is not there.
#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <nlohmann/json.hpp>

#include "support.hpp"

namespace shipml::test {
namespace {

using nlohmann::json;

std::size_t count(const std::string& text, const std::string& word) {
  std::size_t n = 0;
  for (auto at = text.find(word); at != std::string::npos; at = text.find(word, at + word.size())) ++n;
  return n;
}

// A result's JSON without what a clock measured (fit and predict seconds,
// the search's wall time) and without the run id: what must be identical.
json without_timings(json j) {
  if (j.is_object()) {
    for (const char* key : {"fit_seconds", "predict_seconds", "seconds", "mean_fit_seconds", "run"}) j.erase(key);
    for (auto& [key, value] : j.items()) value = without_timings(value);
  } else if (j.is_array()) {
    for (auto& value : j) value = without_timings(value);
  }
  return j;
}

class MpiCli : public ::testing::Test {
 protected:
  void SetUp() override {
    if (const std::string why = mpi_unavailable(); !why.empty()) GTEST_SKIP() << why;
  }

  // `shipml ARGS` as one process (ranks == 0) or as `ranks` MPI ranks.
  RunResult shipml(int ranks, const std::string& args, const std::string& env = "") const {
    const std::string launcher = ranks == 0 ? "" : "mpirun --oversubscribe -np " + std::to_string(ranks) + " ";
    return run_shell("cd " + tmp_.path().string() + " && env " + kMpiEnv + " " + env + " timeout 120 " + launcher +
                     SHIPML_CLI + " " + args);
  }

  // Predictions of a saved model on the bundled data, as text.
  std::string predictions(const std::string& model, const std::string& data) const {
    const RunResult r = shipml(0, "predict -q --model " + model + " --data " + data_path(data) + " --proba");
    EXPECT_EQ(r.exit_code, 0) << r.err;
    EXPECT_GT(r.out.size(), 100u);
    return r.out;
  }

  TempDir tmp_;
};

TEST_F(MpiCli, SearchOnOneTwoAndThreeRanksEqualsOneProcess) {
  // Successive halving by rows: three rounds, each spread over the ranks.
  const std::string args = "search -q --data " + data_path("iris.csv") +
                           " --target species -e logistic --random 9 --dist C=loguniform:0.01:100 --halving "
                           "--search-seed 3 --cv 3 --out ";
  const RunResult plain = shipml(0, args + "plain");
  ASSERT_EQ(plain.exit_code, 0) << plain.err;
  const json expected = without_timings(json::parse(read_file(tmp_.file("plain/search.json"))));
  ASSERT_EQ(expected["candidates"].size(), 9u);
  const std::string expected_predictions = predictions("plain/best.shipml", "iris.csv");
  for (int ranks : {1, 2, 3}) {
    SCOPED_TRACE(std::to_string(ranks) + " ranks");
    const std::string out = "ranks" + std::to_string(ranks);
    const RunResult r = shipml(ranks, args + out);
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_EQ(without_timings(json::parse(read_file(tmp_.file(out + "/search.json")))), expected);
    EXPECT_EQ(predictions(out + "/best.shipml", "iris.csv"), expected_predictions);
    // Rank 0 alone printed: one heading, one table.
    EXPECT_EQ(count(r.out, "logistic on "), 1u) << r.out;
    EXPECT_EQ(count(r.out, "results: "), 1u) << r.out;
    EXPECT_EQ(r.err.find("shipml:"), std::string::npos) << r.err;
  }
}

TEST_F(MpiCli, CompareOnTwoAndThreeRanksEqualsOneProcess) {
  const std::string args = "compare -q --data " + data_path("breast_cancer.csv") +
                           " --target diagnosis -e logistic -e random_forest -e hist_gbdt --set "
                           "random_forest.n_estimators=20 --set hist_gbdt.n_estimators=20 --cv 3 --json --refit ";
  const RunResult plain = shipml(0, args + "plain.shipml");
  ASSERT_EQ(plain.exit_code, 0) << plain.err;
  const json expected = without_timings(json::parse(plain.out));
  ASSERT_EQ(expected["entries"].size(), 3u);
  const std::string expected_predictions = predictions("plain.shipml", "breast_cancer.csv");
  for (int ranks : {1, 2, 3}) {
    SCOPED_TRACE(std::to_string(ranks) + " ranks");
    const std::string refit = "ranks" + std::to_string(ranks) + ".shipml";
    const RunResult r = shipml(ranks, args + refit);
    ASSERT_EQ(r.exit_code, 0) << r.err;
    // One JSON document: only rank 0 printed. Every fold's scores and kept predictions are the same.
    EXPECT_EQ(without_timings(json::parse(r.out)), expected);
    EXPECT_EQ(predictions(refit, "breast_cancer.csv"), expected_predictions);
  }
}

TEST_F(MpiCli, SelectOnTwoAndThreeRanksEqualsOneProcess) {
  for (const std::string method : {"sequential --n-features 2", "rfecv"}) {
    SCOPED_TRACE(method);
    const std::string args = "select -q --data " + data_path("diabetes.csv") +
                             " --target progression -e linear --cv 3 --json --method " + method;
    const RunResult plain = shipml(0, args);
    ASSERT_EQ(plain.exit_code, 0) << plain.err;
    const json expected = json::parse(plain.out);
    for (int ranks : {2, 3}) {
      const RunResult r = shipml(ranks, args);
      ASSERT_EQ(r.exit_code, 0) << r.err;
      EXPECT_EQ(json::parse(r.out), expected) << ranks << " ranks";
    }
  }
}

TEST_F(MpiCli, RankZeroRecordsOneRunThatSaysHowManyRanks) {
  const std::string store = tmp_.file("runs");
  const std::string env = "SHIPML_TRACKING=on SHIPML_TRACKING_URI=" + store;
  const RunResult r = shipml(
      3, "search -q --data " + data_path("iris.csv") + " --target species -e logistic --grid C=0.1,1,10 --cv 3 --out s",
      env);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const RunResult plain = shipml(0, "score -q --data " + data_path("iris.csv") + " --target species -e logistic", env);
  ASSERT_EQ(plain.exit_code, 0) << plain.err;
  const RunResult list = shipml(0, "runs list --store " + store + " --json");
  ASSERT_EQ(list.exit_code, 0) << list.err;
  const json runs = json::parse(list.out);
  ASSERT_EQ(runs.size(), 2u) << list.out;  // one search, not one per rank, and the plain score
  std::map<std::string, json> by_kind;
  for (const json& run : runs) by_kind[run["kind"]] = run;
  EXPECT_EQ(by_kind["search"]["status"], "finished");
  EXPECT_EQ(by_kind["search"]["info"]["ranks"], 3);
  EXPECT_EQ(by_kind["score"]["info"]["ranks"], 1);
}

TEST_F(MpiCli, ARankThatCannotReadItsDataEndsTheJobWithOneMessage) {
  // MPMD: rank 1 is given a file that is not there (a bad shard, a node
  // without the data) while rank 0 reads its own and starts the search.
  const std::string common = " -q --target species -e logistic --grid C=0.01,0.1,1,10,100 --cv 5 --out s";
  const std::string command = "cd " + tmp_.path().string() + " && env " + kMpiEnv +
                              " timeout 120 mpirun --oversubscribe -np 1 " + SHIPML_CLI + " search --data " +
                              data_path("iris.csv") + common + " : -np 1 " + SHIPML_CLI + " search --data missing.csv" +
                              common;
  const auto start = std::chrono::steady_clock::now();
  const RunResult r = run_shell(command);
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.exit_code, 124) << "the job hung until timeout killed it";
  EXPECT_LT(seconds, 60);
  EXPECT_EQ(count(r.err, "shipml: rank 1 of 2: "), 1u) << r.err;
  EXPECT_EQ(count(r.err, "missing.csv"), 1u) << r.err;
  EXPECT_EQ(count(r.err, "shipml: "), 1u) << r.err;  // one message from shipml (mpirun adds its own)
  EXPECT_FALSE(std::filesystem::exists(tmp_.file("s/search.json")));
}

TEST_F(MpiCli, RanksThatFailAlikeSayItOnce) {
  const RunResult r = shipml(3, "search -q --data missing.csv --target species -e logistic --grid C=0.1,1 --out s");
  EXPECT_EQ(r.exit_code, 2) << r.err;  // as one process: --data names no file, a usage error
  EXPECT_EQ(count(r.err, "shipml: error: "), 1u) << r.err;
  EXPECT_EQ(count(r.err, "missing.csv"), 1u) << r.err;
  EXPECT_EQ(r.err.find("rank "), std::string::npos) << r.err;
  // A bad option: CLI11's message, once.
  const RunResult usage =
      shipml(2, "search --data " + data_path("iris.csv") + " --target species -e logistic --grid C=1 --no-such-option");
  EXPECT_EQ(usage.exit_code, 2) << usage.err;
  EXPECT_EQ(count(usage.err, "--no-such-option"), 1u) << usage.err;
}

TEST_F(MpiCli, CommandsThatDoNotSpreadTheirWorkAreRefusedOverRanksOnce) {
  const RunResult r = shipml(2, "score -q --data " + data_path("iris.csv") + " --target species -e logistic");
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_EQ(count(r.err, "shipml: error: shipml score does not spread its work over MPI ranks"), 1u) << r.err;
  EXPECT_EQ(r.out, "");
}

TEST_F(MpiCli, ABuildWithoutThePluginSaysSo) {
  // The same binary, alone in a folder: no plugin next to it or at ../lib.
  const std::filesystem::path lone = tmp_.path() / "bin" / "shipml";
  std::filesystem::create_directories(lone.parent_path());
  std::error_code ec;
  std::filesystem::create_hard_link(SHIPML_CLI, lone, ec);
  if (ec) std::filesystem::copy_file(SHIPML_CLI, lone);
  const RunResult r = run_shell("env " + kMpiEnv + " SHIPML_MPI_PLUGIN= timeout 60 mpirun --oversubscribe -np 2 " +
                                lone.string() + " --version");
  EXPECT_NE(r.exit_code, 0);
  EXPECT_EQ(count(r.err, "shipml: error: "), 1u) << r.err;
  EXPECT_NE(r.err.find("no libshipml_mpi.so"), std::string::npos) << r.err;
  // One rank is a single process: no plugin needed.
  const RunResult one = run_shell("env " + kMpiEnv + " timeout 60 mpirun -np 1 " + lone.string() + " --version");
  EXPECT_EQ(one.exit_code, 0) << one.err;
  EXPECT_EQ(one.out, std::string("shipml ") + SHIPML_VERSION + "\n");
}

}  // namespace
}  // namespace shipml::test
