// Model::fit_partitioned: the model path of out-of-core and data-parallel
// training. One rank reading the file in one chunk must give the model fit()
// gives; over ranks (threads standing in for MPI's processes) every rank must
// keep the schema, classes and drift reference one process would keep, and a
// bad shard must stop every rank with one error.
#include <gtest/gtest.h>

#include <atomic>
#include <mutex>

#include "io/io_helpers.hpp"
#include "shipml/core/thread_ranks.hpp"
#include "shipml/io/csv_chunks.hpp"
#include "support.hpp"

namespace shipml {
namespace {

using test::TempDir;

CsvChunks shard(const std::string& path, const std::string& target, int rank, int ranks,
                std::size_t chunk_rows = std::size_t(-1)) {
  CsvOptions options;
  options.required = {target};
  return CsvChunks(csv_shard(path, rank, ranks), options, chunk_rows);
}

void expect_same_bits(const Predictions& a, const Predictions& b, const std::string& what) {
  EXPECT_TRUE(test::same_bits(a.values, b.values)) << what;
  EXPECT_TRUE(test::same_bits(a.proba, b.proba)) << what;
}

// What a model keeps, but for the fit's timing and the number of ranks.
void expect_same_model(const Model& a, const Model& b, const Frame& rows, const std::string& what) {
  EXPECT_EQ(a.schema().to_json(), b.schema().to_json()) << what;
  EXPECT_EQ(a.classes(), b.classes()) << what;
  EXPECT_EQ(a.task(), b.task()) << what;
  EXPECT_EQ(a.encoded_features(), b.encoded_features()) << what;
  EXPECT_EQ(a.dump_trees(), b.dump_trees()) << what;
  ASSERT_TRUE(a.drift_reference() && b.drift_reference()) << what;
  EXPECT_EQ(a.drift_reference()->to_json(), b.drift_reference()->to_json()) << what;
  for (const char* key : {"rows", "columns", "target_type", "fingerprint"})
    EXPECT_EQ(a.metadata()["training"][key], b.metadata()["training"][key]) << what << ": " << key;
  expect_same_bits(a.predict(rows), b.predict(rows), what);
}

TEST(PartitionedFit, OneRankInOneChunkIsThePlainFit) {
  SingleProcess one;
  for (const auto& [file, target, estimator] :
       {std::tuple{"churn.csv", "churn", "hist_gbdt"}, std::tuple{"concrete.csv", "compressive_strength", "hist_gbdt"},
        std::tuple{"credit_data.csv", "Status", "random_forest"}, std::tuple{"iris.csv", "species", "hist_gbdt"}}) {
    const std::string path = test::data_path(file);
    Model plain(estimator, {{"seed", "3"}});
    plain.fit(read_dataset(path, target));
    Model chunked(estimator, {{"seed", "3"}});
    chunked.fit_partitioned(shard(path, target, 0, 1), target, {}, one);
    EXPECT_EQ(chunked.metadata()["training"]["ranks"], 1);
    expect_same_model(plain, chunked, read_csv(path), file);
  }
}

TEST(PartitionedFit, EveryRankKeepsTheSchemaClassesAndDriftRowsOfTheWholeFile) {
  // A column numeric in the first rows and text only near the end, a target
  // of numeric classes: the merge must still give what one process reads.
  TempDir dir;
  std::string text = "x,mixed,cat,y\n";
  Random rng(5);
  for (int i = 0; i < 900; ++i) {
    const double x = rng.uniform();
    text += format_number(x) + "," + (i == 870 ? std::string("n/a") : std::to_string(i % 6)) + ",c" +
            std::to_string(i % 4) + "," + (x + 0.2 * rng.uniform() > 0.6 ? "1" : "0") + "\n";
  }
  const std::string path = dir.file("mixed.csv");
  write_file_atomic(path, text);
  Model plain("random_forest", {{"n_estimators", "5"}});
  plain.fit(read_dataset(path, "y"));
  for (int n = 2; n <= 3; ++n) {
    std::vector<Model> models;
    for (int r = 0; r < n; ++r)
      models.emplace_back("random_forest", std::map<std::string, std::string>{{"n_estimators", "5"}});
    run_as_ranks(n, [&](Communicator& ranks) {
      models[static_cast<std::size_t>(ranks.rank())].fit_partitioned(shard(path, "y", ranks.rank(), n, 100), "y", {},
                                                                     ranks);
    });
    for (const Model& m : models) {
      EXPECT_EQ(m.schema().to_json(), plain.schema().to_json()) << n << " ranks";
      EXPECT_EQ(m.classes(), plain.classes());
      EXPECT_EQ(m.drift_reference()->columns.size(), plain.drift_reference()->columns.size());
      EXPECT_EQ(m.metadata()["training"]["rows"], 900);
      EXPECT_EQ(m.metadata()["training"]["ranks"], n);
      EXPECT_EQ(m.dump_trees(), models[0].dump_trees()) << "every rank ends with the same model";
    }
    // The inputs' reference is built from the same sampled rows as one process's.
    for (std::size_t j = 0; j < plain.drift_reference()->columns.size(); ++j)
      EXPECT_EQ(models[0].drift_reference()->to_json()["columns"][j], plain.drift_reference()->to_json()["columns"][j]);
  }
}

TEST(PartitionedFit, ABadShardOnOneRankStopsEveryRankWithOneError) {
  TempDir dir;
  std::string text = "a,b,y\n";
  for (int i = 0; i < 300; ++i)
    text += i == 280 ? "1,2\n" : std::to_string(i) + "," + std::to_string(i % 7) + ",y" + std::to_string(i % 2) + "\n";
  const std::string path = dir.file("bad.csv");
  write_file_atomic(path, text);
  std::mutex m;
  std::vector<std::string> errors;
  EXPECT_THROW(run_as_ranks(3,
                            [&](Communicator& ranks) {
                              Model model("hist_gbdt");
                              try {
                                model.fit_partitioned(shard(path, "y", ranks.rank(), 3), "y", {}, ranks);
                              } catch (const DistributedError& e) {
                                std::lock_guard lock(m);
                                errors.push_back(e.what());
                                throw;
                              }
                            }),
               DistributedError);
  ASSERT_EQ(errors.size(), 3u) << "every rank stops";
  for (const auto& e : errors) {
    EXPECT_EQ(e, errors.front());
    EXPECT_NE(e.find("rank 2 of 3: " + path + ":282: expected 3 fields"), std::string::npos) << e;
  }
}

TEST(PartitionedFit, RefusesWhatItCannotDo) {
  SingleProcess one;
  const std::string path = test::data_path("iris.csv");
  const auto refusal = [&](Model model) {
    return test::error_of([&] { model.fit_partitioned(shard(path, "species", 0, 1), "species", {}, one); });
  };
  EXPECT_NE(refusal(Model("logistic")).find("one-hot"), std::string::npos);
  EXPECT_NE(refusal(Model("hist_gbdt", {}, {parse_step("standard_scaler")})).find("pipeline"), std::string::npos);
  EXPECT_NE(refusal(Model("hist_gbdt").calibrated({CalibrationMethod::sigmoid, 3})).find("calibrate"),
            std::string::npos);
  EXPECT_NE(test::error_of([&] {
              Model("hist_gbdt").fit_partitioned(shard(path, "species", 0, 1), "nope", {}, one);
            }).find("no column named 'nope'"),
            std::string::npos);
}

}  // namespace
}  // namespace shipml
