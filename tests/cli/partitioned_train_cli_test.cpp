// `shipml train` reading its data in parts: --out-of-core under an address-space
// limit smaller than the parsed data, and `mpirun -np N shipml train` with each
// rank reading its shard. The models are compared with plain `shipml train`:
// the same predictions bit for bit where the docs promise it, the same model
// for repeated runs at one N, and quality within 0.001 otherwise.
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>

#include "shipml/core/random.hpp"
#include "shipml/metrics/metrics.hpp"
#include "support.hpp"

namespace shipml::test {
namespace {

// `rows` rows of 20 numbers, a category with a quoted line break in some of
// its values, and a binary target that depends on them.
void write_data(const std::string& path, std::size_t rows, std::uint64_t seed) {
  Random rng(seed);
  std::string text = "x0";
  for (int j = 1; j < 20; ++j) text += ",x" + std::to_string(j);
  text += ",kind,y\n";
  const char* kinds[] = {"a", "b", "\"c\nd\"", "e,f"};
  for (std::size_t i = 0; i < rows; ++i) {
    double signal = 0;
    for (int j = 0; j < 20; ++j) {
      const double x = std::round(rng.uniform() * 1000) / 100;
      signal += (j % 3 == 0 ? 0.3 : -0.1) * x;
      text += format_number(x) + ",";
    }
    const auto k = rng.below(4);
    text += (k == 3 ? std::string("\"e,f\"") : kinds[k]) + std::string(",") +
            (signal + (k == 1 ? 2.0 : 0.0) + 3 * rng.uniform() > 3.0 ? "yes" : "no") + "\n";
  }
  write_file_atomic(path, text);
}

// A model file's AUC on a CSV file.
double auc_of(const std::string& model_file, const std::string& data) {
  const Model model = Model::load(model_file);
  const Dataset d = read_dataset(data, "y");
  const std::vector<int> y = class_indices(d.labels(), model.classes());
  return roc_auc_score(y, model.predict_proba(d.features()));
}

std::string predictions(const std::string& model, const std::string& data) {
  const RunResult r = run_cli("predict -q --model " + model + " --data " + data + " --proba");
  EXPECT_EQ(r.exit_code, 0) << r.err;
  return r.out;
}

// Address space: above what out-of-core training of write_data(2,000,000 rows)
// needs (it fails at 450 MB), below what training in memory needs.
constexpr std::size_t kOutOfCoreLimitMb = 600;

const std::string kTrain = " --target y --set n_estimators=20 --set seed=1 --no-track -q";

// The estimator with settings that keep the test quick and deterministic.
std::string estimator_args(const std::string& name) {
  return " -e " + name + (name == "hist_gbdt" ? " --set early_stopping=false" : "");
}

TEST(PartitionedTrainCli, OutOfCoreInOneChunkIsThePlainModel) {
  TempDir dir;
  const std::string data = dir.file("d.csv"), plain = dir.file("plain.shipml"), ooc = dir.file("ooc.shipml");
  write_data(data, 3000, 3);
  for (const char* estimator : {"hist_gbdt", "random_forest"}) {
    RunResult r = run_cli("train" + estimator_args(estimator) + " --data " + data + " --out " + plain + kTrain);
    ASSERT_EQ(r.exit_code, 0) << r.err;
    r = run_cli("train" + estimator_args(estimator) + " --data " + data + " --out " + ooc + kTrain +
                " --out-of-core --chunk-rows 1000000");
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_EQ(predictions(ooc, data), predictions(plain, data)) << estimator;
    const Model m = Model::load(ooc);
    EXPECT_EQ(m.metadata()["training"]["ranks"], 1);
    EXPECT_EQ(m.metadata()["training"]["fingerprint"], Model::load(plain).metadata()["training"]["fingerprint"]);
  }
}

TEST(PartitionedTrainCli, OutOfCoreUnderAMemoryLimitSmallerThanTheParsedData) {
#if defined(__SANITIZE_ADDRESS__)
  // The sanitizers reserve terabytes of address space: no limit can be set.
#ifdef SHIPML_RELEASE_CLI_PATH
  const std::string cli = SHIPML_RELEASE_CLI_PATH;
#else
  GTEST_SKIP() << "a sanitizer build runs under no address-space limit, and no release CLI was given";
  const std::string cli;
#endif
#else
  const std::string cli = SHIPML_CLI;
#endif
  TempDir dir;
  const std::string data = dir.file("big.csv");
  // 2,000,000 rows x 22 columns: 352 MB as doubles (beside 210 MB of text read
  // whole). Out of core, the process stays near 290 MB resident; the limit is
  // on address space (threads and allocators reserve more than they touch),
  // and training in memory must fail under it.
  const std::size_t rows = 2000000;
  write_data(data, rows, 11);
  const std::string limit_kb = std::to_string(kOutOfCoreLimitMb * 1024);
  const auto train = [&](const std::string& out, const std::string& extra, bool limited) {
    return run_shell((limited ? "ulimit -v " + limit_kb + " && " : std::string()) + cli + " train" +
                     estimator_args("hist_gbdt") + " --data " + data + " --out " + out + kTrain +
                     " --set n_estimators=5" + extra);
  };
  const RunResult in_memory_limited = train(dir.file("no.shipml"), "", true);
  EXPECT_NE(in_memory_limited.exit_code, 0) << "the limit must be too small for training in memory";
  const RunResult ooc = train(dir.file("ooc.shipml"), " --out-of-core --chunk-rows 100000", true);
  ASSERT_EQ(ooc.exit_code, 0) << ooc.err;
  ASSERT_EQ(train(dir.file("plain.shipml"), "", false).exit_code, 0);
  const Frame head = read_csv(data).take(std::vector<std::size_t>{0, 1, 2, 999, 123456, rows - 1});
  const Model a = Model::load(dir.file("ooc.shipml")), b = Model::load(dir.file("plain.shipml"));
  const Matrix pa = a.predict_proba(head), pb = b.predict_proba(head);
  EXPECT_TRUE(test::same_bits(pa, pb)) << "the same model as in memory";
  EXPECT_EQ(a.dump_trees(), b.dump_trees());
}

class MpiTrain : public ::testing::Test {
 protected:
  void SetUp() override {
    if (const std::string why = mpi_unavailable(); !why.empty()) GTEST_SKIP() << why;
  }
  RunResult shipml(int ranks, const std::string& args) const {
    const std::string launcher = ranks == 0 ? "" : "mpirun --oversubscribe -np " + std::to_string(ranks) + " ";
    return run_shell("cd " + dir_.path().string() + " && env " + kMpiEnv + " timeout 120 " + launcher + SHIPML_CLI +
                     " " + args);
  }
  TempDir dir_;
};

TEST_F(MpiTrain, EachRankReadsItsShardAndTheModelMatchesOneProcess) {
  const std::string train = dir_.file("train.csv"), test = dir_.file("test.csv");
  write_data(train, 20000, 5);
  write_data(test, 5000, 6);
  for (const char* estimator : {"hist_gbdt", "random_forest"}) {
    const std::string e = estimator_args(estimator);
    const std::string plain = dir_.file(std::string("plain-") + estimator + ".shipml");
    RunResult r = shipml(0, "train --data " + train + " --out " + plain + e + kTrain);
    ASSERT_EQ(r.exit_code, 0) << r.err;
    const double plain_auc = auc_of(plain, test);
    for (int n = 1; n <= 3; ++n) {
      std::string first;
      for (int repeat = 0; repeat < 2; ++repeat) {
        const std::string out =
            dir_.file(std::string(estimator) + "-" + std::to_string(n) + "-" + std::to_string(repeat) + ".shipml");
        r = shipml(n, "train --data " + train + " --out " + out + e + kTrain);
        ASSERT_EQ(r.exit_code, 0) << estimator << " on " << n << " ranks: " << r.err;
        EXPECT_EQ(r.out.find("trained"), r.out.rfind("trained")) << "rank 0 alone prints: " << r.out;
        // One rank under mpirun is a single process: the plain training.
        if (n > 1) {
          EXPECT_EQ(Model::load(out).metadata()["training"]["ranks"], n);
        }
        const std::string p = predictions(out, test);
        if (repeat == 0) {
          first = p;
        } else {
          EXPECT_EQ(p, first) << estimator << ": the same model for every run on " << n << " ranks";
        }
        if (n == 1) {
          EXPECT_EQ(p, predictions(plain, test)) << estimator << ": one rank is the plain model";
        }
        // hist_gbdt sums every rank's histograms: the quality of one process,
        // within 0.001. random_forest grows fit()'s own trees on every rank's
        // rows: the plain model's predictions, exactly.
        EXPECT_NEAR(auc_of(out, test), plain_auc, 0.001) << estimator << " on " << n << " ranks";
        if (std::string(estimator) == "random_forest") {
          EXPECT_EQ(p, predictions(plain, test)) << "random_forest over " << n << " ranks is the plain forest";
        }
      }
    }
  }
}

TEST_F(MpiTrain, APatternOfFilesSharedOutOverRanks) {
  write_data(dir_.file("all.csv"), 6000, 8);
  const Frame all = read_csv(dir_.file("all.csv"));
  for (int part = 0; part < 5; ++part) {
    std::vector<std::size_t> rows;
    for (std::size_t i = part * 1200; i < (part + 1) * 1200u; ++i) rows.push_back(i);
    write_csv(dir_.file("part-" + std::to_string(part) + ".csv"), all.take(rows));
  }
  const std::string pattern = "'" + dir_.file("part-*.csv") + "'";
  RunResult r = shipml(
      0, "train --data " + dir_.file("all.csv") + " --out plain.shipml" + estimator_args("random_forest") + kTrain);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  r = shipml(0, "train --data " + pattern + " --out one.shipml" + estimator_args("random_forest") + kTrain);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  r = shipml(2, "train --data " + pattern + " --out two.shipml" + estimator_args("random_forest") + kTrain);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(Model::load(dir_.file("two.shipml")).metadata()["training"]["rows"], 6000);
  EXPECT_EQ(Model::load(dir_.file("one.shipml")).schema().to_json(),
            Model::load(dir_.file("plain.shipml")).schema().to_json());
  EXPECT_EQ(auc_of(dir_.file("two.shipml"), dir_.file("all.csv")),
            auc_of(dir_.file("plain.shipml"), dir_.file("all.csv")));
}

TEST_F(MpiTrain, ARankThatCannotReadItsShardEndsTheJobWithOneError) {
  const std::string data = dir_.file("bad.csv");
  write_data(data, 3000, 9);
  // Break a row near the end: it lies in the last rank's shard.
  std::string text = read_file(data);
  const auto at = text.rfind("\n", text.size() - 300);
  text.insert(at + 1, "1,2,3\n");
  write_file_atomic(data, text);
  const std::size_t line = 1 + static_cast<std::size_t>(std::count(text.begin(), text.begin() + at + 1, '\n'));
  const auto start = std::chrono::steady_clock::now();
  const RunResult r = shipml(3, "train --data " + data + " --out bad.shipml" + estimator_args("hist_gbdt") + kTrain);
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.exit_code, 124) << "timed out: a rank waited for ever";
  EXPECT_LT(seconds, 60);
  EXPECT_NE(r.err.find("rank 2 of 3: " + data + ":" + std::to_string(line) + ": expected 22 fields"), std::string::npos)
      << r.err;
  EXPECT_FALSE(std::filesystem::exists(dir_.file("bad.shipml")));
}

}  // namespace
}  // namespace shipml::test
