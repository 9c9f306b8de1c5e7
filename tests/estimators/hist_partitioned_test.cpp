// hist_gbdt trained from chunks and over ranks (threads standing for the
// processes of an MPI job): one rank equals fit() bit for bit, whatever the
// chunks; over N ranks every rank saves the same model, the same on every run,
// as good as one process's on the same rows; what cannot be exact is refused.
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <memory>
#include <nlohmann/json.hpp>

#include "shipml/core/thread_ranks.hpp"
#include "shipml/metrics/metrics.hpp"
#include "shipml/model/encoder.hpp"
#include "support.hpp"

namespace shipml {
namespace {

using Given = std::map<std::string, std::string>;

// Rows [begin, end) of a matrix, read in chunks of `chunk` rows, each copied
// when read (as a reader of a file makes them) and gone after its call.
class RowChunks final : public FeatureChunks {
 public:
  RowChunks(const FeatureMatrix& X, std::size_t begin, std::size_t end, std::size_t chunk)
      : X_(X), begin_(begin), end_(end), chunk_(chunk), infos_(std::make_shared<std::vector<FeatureInfo>>(X.infos())) {}
  std::size_t rows() const override { return end_ - begin_; }
  const std::vector<FeatureInfo>& infos() const override { return *infos_; }
  void for_each(const std::function<void(std::size_t, const FeatureMatrix&)>& each) override {
    for (std::size_t from = begin_; from < end_; from += chunk_) {
      const std::size_t to = std::min(end_, from + chunk_);
      FeatureMatrix part(infos_, to - from);
      for (std::size_t j = 0; j < X_.cols(); ++j) {
        auto values = std::make_shared<const std::vector<double>>(X_.column(j) + from, X_.column(j) + to);
        part.add_column(values->data());
        part.keep(values);
      }
      each(from - begin_, part);
    }
  }

 private:
  const FeatureMatrix& X_;
  std::size_t begin_, end_, chunk_;
  std::shared_ptr<const std::vector<FeatureInfo>> infos_;
};

// Encoded features and a target: numbers (one with missing values, one of a
// few distinct values), a categorical column with missing values, and noise.
struct Data {
  FeatureMatrix X;
  std::vector<double> y, weights;
  int classes = 0;
  Task task() const { return classes ? Task::classification : Task::regression; }
};

Data make_data(std::size_t n, int classes, std::uint64_t seed = 3, std::size_t features = 5) {
  Random rng(seed);
  std::vector<std::vector<double>> x(features, std::vector<double>(n));
  Data d;
  d.classes = classes;
  d.y.resize(n);
  d.weights.resize(n);
  for (std::size_t i = 0; i < n; ++i) {
    for (std::size_t j = 0; j < features; ++j) x[j][i] = rng.uniform() * 4 - 2;
    if (features > 1 && rng.uniform() < 0.1) x[1][i] = NAN;
    if (features > 2) x[2][i] = rng.uniform() < 0.05 ? NAN : static_cast<double>(rng.below(6));
    if (features > 3) x[3][i] = std::round(x[3][i] * 3);
    const double x1 = std::isnan(x[1][i]) ? 0.5 : x[1][i];
    const double cat = features > 2 && !std::isnan(x[2][i]) ? (static_cast<int>(x[2][i]) % 3 - 1) : 0.0;
    const double f = 1.5 * x[0][i] - x1 * x1 + cat + (features > 3 ? 0.3 * x[3][i] : 0.0) + rng.uniform() - 0.5;
    if (classes == 0) d.y[i] = f;
    else if (classes == 2) d.y[i] = f + rng.uniform() * 2 - 1 > 0 ? 1 : 0;
    else d.y[i] = static_cast<double>(std::min<int>(classes - 1, static_cast<int>(std::max(0.0, f + 3) / 2)));
    d.weights[i] = 0.5 + rng.uniform();
  }
  for (std::size_t j = 0; j < features; ++j) {
    FeatureInfo info{.name = "x"};  // two steps: g++ 12 misreports "x" + to_string() (-Wrestrict, GCC bug 105651)
    info.name += std::to_string(j);
    if (j == 2) info.categorical = true, info.categories = 6;
    d.X.add_owned(info, std::move(x[j]));
  }
  d.X.set_rows(n);
  return d;
}

std::unique_ptr<Estimator> hist_gbdt(const Given& given, Task task) {
  const EstimatorInfo& info = find_estimator("hist_gbdt");
  return info.create(Params::validate("hist_gbdt", info.params, given), task);
}

std::string saved(const Estimator& e) {
  BinaryWriter out;
  e.save(out);
  return out.data();
}

std::span<const double> part(const std::vector<double>& v, std::size_t begin, std::size_t end) {
  return v.empty() ? std::span<const double>() : std::span<const double>(v).subspan(begin, end - begin);
}

// One process holding every row.
std::unique_ptr<Estimator> fit_whole(const Data& d, const Given& given, bool weighted = false) {
  auto e = hist_gbdt(given, d.task());
  e->fit(d.X, d.y, d.classes, weighted ? std::span<const double>(d.weights) : std::span<const double>());
  return e;
}

// Trains over `n` ranks, each on its share of the rows in order, read in
// chunks of `chunk` rows: every rank's fitted estimator.
std::vector<std::unique_ptr<Estimator>> fit_over_ranks(int n, const Data& d, const Given& given, std::size_t chunk,
                                                       bool weighted = false) {
  std::vector<std::unique_ptr<Estimator>> fitted(static_cast<std::size_t>(n));
  run_as_ranks(n, [&](Communicator& ranks) {
    const auto r = static_cast<std::size_t>(ranks.rank());
    const std::size_t rows = d.y.size(), begin = rows * r / static_cast<std::size_t>(n),
                      end = rows * (r + 1) / static_cast<std::size_t>(n);
    RowChunks X(d.X, begin, end, chunk);
    auto e = hist_gbdt(given, d.task());
    e->fit_partitioned(X, part(d.y, begin, end), d.classes,
                       weighted ? part(d.weights, begin, end) : std::span<const double>(), ranks);
    fitted[r] = std::move(e);
  });
  return fitted;
}

// Every rank saved the same model; that model.
std::string agreed_model(const std::vector<std::unique_ptr<Estimator>>& fitted) {
  const std::string first = saved(*fitted[0]);
  for (std::size_t r = 1; r < fitted.size(); ++r) EXPECT_EQ(saved(*fitted[r]), first) << "rank " << r << " differs";
  return first;
}

// AUC (one-vs-rest over more classes) or R², on the rows given.
double quality(const Estimator& e, const Data& d) {
  if (!d.classes) return r2_score(d.y, e.predict(d.X));
  std::vector<int> labels(d.y.begin(), d.y.end());
  return roc_auc_score(labels, e.predict_proba(d.X));
}

// The bins of a saved hist_gbdt model: what follows its header (classes,
// features, loss, baseline, best round, validation losses) up to the trees.
std::string saved_bins(const std::string& model) {
  BinaryReader in(model);
  in.u32(), in.u64(), in.u8(), in.array<double>(), in.u64(), in.array<double>();
  const std::size_t start = model.size() - in.remaining();
  const std::uint64_t features = in.u64();
  for (std::uint64_t f = 0; f < features; ++f)
    in.u8(), in.array<double>(), in.array<std::uint8_t>(), in.array<std::int32_t>();
  return model.substr(start, model.size() - in.remaining() - start);
}

const Given kEverything{
    {"n_estimators", "12"},    {"subsample", "0.8"},         {"colsample", "0.75"}, {"early_stopping", "true"},
    {"n_iter_no_change", "3"}, {"class_weight", "balanced"}, {"threads", "2"}};

TEST(HistPartitioned, OneRankOneChunkIsFitBitForBit) {
  for (int classes : {2, 3, 0}) {
    const Data d = make_data(3000, classes);
    Given given = kEverything;
    if (!classes) given.erase("class_weight");
    const std::string alone = saved(*fit_whole(d, given, true));
    std::string ranked;
    run_as_ranks(1, [&](Communicator& ranks) {
      WholeMatrix X(d.X);
      auto e = hist_gbdt(given, d.task());
      e->fit_partitioned(X, d.y, d.classes, d.weights, ranks);
      ranked = saved(*e);
    });
    EXPECT_EQ(ranked, alone) << classes << " classes";
  }
}

TEST(HistPartitioned, OneRankManyChunksIsFitBitForBit) {
  for (int classes : {3, 0}) {
    const Data d = make_data(5000, classes);
    const std::string alone = saved(*fit_whole(d, kEverything, true));
    for (std::size_t chunk : {1u, 777u, 4999u})
      EXPECT_EQ(saved(*fit_over_ranks(1, d, kEverything, chunk, true)[0]), alone) << "chunks of " << chunk;
  }
}

// Beyond 400,000 rows the bins come from every other row (of 200,000 kept):
// chunks and ranks take the same rows by their number among all rows.
TEST(HistPartitioned, BinsAreOneProcessBinsWhateverTheChunksAndRanks) {
  const Data d = make_data(401'234, 2, 5, 2);
  const Given given{{"n_estimators", "2"}, {"max_leaves", "4"}, {"early_stopping", "false"}};
  const std::string alone = saved(*fit_whole(d, given));
  EXPECT_EQ(saved(*fit_over_ranks(1, d, given, 99'999)[0]), alone);
  for (int n : {2, 3}) EXPECT_EQ(saved_bins(agreed_model(fit_over_ranks(n, d, given, 65'537))), saved_bins(alone));
}

TEST(HistPartitioned, EveryRankGrowsTheSameModelOnEveryRun) {
  const Data d = make_data(12'000, 2, 11);
  for (int n : {2, 3}) {
    const std::string first = agreed_model(fit_over_ranks(n, d, kEverything, 1000, true));
    EXPECT_EQ(agreed_model(fit_over_ranks(n, d, kEverything, 3001, true)), first) << n << " ranks";
  }
}

TEST(HistPartitioned, OneAndTwoThreadsGrowTheSameModelOverRanks) {
  const Data d = make_data(150'000, 2, 13, 3);  // enough rows for parallel histogram blocks
  Given one{{"n_estimators", "3"}, {"threads", "1"}}, two = one;
  two["threads"] = "2";
  EXPECT_EQ(agreed_model(fit_over_ranks(2, d, one, 40'000)), agreed_model(fit_over_ranks(2, d, two, 40'000)));
}

TEST(HistPartitioned, QualityOverRanksIsOneProcessQuality) {
  for (int classes : {2, 3, 0}) {
    const Data d = make_data(30'000, classes, 17);
    const Given given{{"n_estimators", "30"}, {"early_stopping", "false"}};
    const double alone = quality(*fit_whole(d, given), d);
    for (int n : {2, 3}) {
      const auto fitted = fit_over_ranks(n, d, given, 4096);
      agreed_model(fitted);
      EXPECT_NEAR(quality(*fitted[0], d), alone, 0.001) << classes << " classes, " << n << " ranks";
    }
  }
}

// Ranks decide on their own shard whether to keep mostly-constant features as
// lists of their uncommon values: here the first rank's rows are 90% zeros
// (sparse histograms) and the second's are not (bytes). Their sums still add
// up to one process's histograms, so every rank grows the same model, as good.
TEST(HistPartitioned, ASparseShardAndADenseOneGrowOneModel) {
  const Data dense = make_data(20'000, 2, 23, 30);
  Data d;
  d.y = dense.y, d.classes = 2;
  for (std::size_t j = 0; j < 30; ++j) {
    std::vector<double> x(dense.X.column(j), dense.X.column(j) + 20'000);
    for (std::size_t i = 0; j >= 5 && i < 10'000; ++i)
      if (i % 10 != 0) x[i] = 0;  // the first half: mostly zeros
    d.X.add_owned(dense.X.info(j), std::move(x));
  }
  d.X.set_rows(20'000);
  const Given given{{"n_estimators", "30"}, {"early_stopping", "false"}};
  const double alone = quality(*fit_whole(d, given), d);
  const auto fitted = fit_over_ranks(2, d, given, 4096);
  agreed_model(fitted);
  EXPECT_NEAR(quality(*fitted[0], d), alone, 0.001);
  EXPECT_GT(fitted[0]->inspect({}, {}).value("sparse_features", 0), 0) << "rank 0 took the sparse layout";
  EXPECT_EQ(fitted[1]->inspect({}, {}).value("sparse_features", 0), 0) << "rank 1 kept bytes";
}

// A real table (churn: categories, imbalance), encoded as a model encodes it,
// its rows split over the ranks in order.
TEST(HistPartitioned, QualityOverRanksOnChurn) {
  const Dataset churn = read_dataset(test::data_path("churn.csv"), "churn");
  const Frame features = churn.features();
  FeatureEncoder encoder;
  encoder.fit(features);
  Data d{.X = encoder.transform(features), .classes = 2};
  const Column& labels = churn.labels();
  for (std::size_t i = 0; i < churn.rows(); ++i) d.y.push_back(labels.text(i) == "yes" ? 1 : 0);
  const Given given{{"n_estimators", "50"}};
  const double alone = quality(*fit_whole(d, given), d);
  for (int n : {2, 3}) EXPECT_NEAR(quality(*fit_over_ranks(n, d, given, 1000)[0], d), alone, 0.001) << n << " ranks";
}

TEST(HistPartitioned, EarlyStoppingOverRanksStopsEveryRankAtTheSameRound) {
  const Data d = make_data(20'000, 2, 19);
  const Given given{
      {"n_estimators", "300"}, {"learning_rate", "0.5"}, {"early_stopping", "true"}, {"n_iter_no_change", "3"}};
  const auto fitted = fit_over_ranks(3, d, given, 5000);
  agreed_model(fitted);
  const nlohmann::json info = fitted[0]->inspect({"x0", "x1", "x2", "x3", "x4"}, {});
  EXPECT_LT(info["best_round"].get<int>(), 300);
  EXPECT_EQ(info["validation_loss_per_round"].size(), info["best_round"].get<std::size_t>() + 3);
}

// What is summed is what inspect() reports: for every histogram, the used
// slots (bins and the missing bin) of each feature, four doubles each.
TEST(HistPartitioned, InspectReportsTheHistogramBytesSummed) {
  const Data d = make_data(8000, 2, 23);
  const auto fitted = fit_over_ranks(2, d, {{"n_estimators", "4"}, {"early_stopping", "false"}}, 2000);
  const nlohmann::json info = fitted[1]->inspect({"x0", "x1", "x2", "x3", "x4"}, {})["data_parallel"];
  ASSERT_TRUE(info.is_object());
  EXPECT_EQ(info["ranks"], 2);
  EXPECT_EQ(info["trees_grown"], 4);
  // Bins per feature, as saved: numeric edges + 1, or one per category kept.
  const std::string bins = saved_bins(saved(*fitted[1]));
  BinaryReader in(bins);
  std::uint64_t slots = 0;
  for (std::uint64_t f = 0, features = in.u64(); f < features; ++f) {
    const bool categorical = in.u8() != 0;
    const std::size_t edges = in.array<double>().size();
    in.array<std::uint8_t>();
    const std::size_t categories = in.array<std::int32_t>().size();
    slots += (categorical ? categories : edges + 1) + 1;
  }
  const auto histograms = info["histograms_summed"].get<std::uint64_t>();
  EXPECT_GE(histograms, 4u);  // at least every root
  EXPECT_EQ(info["histogram_bytes_summed"].get<std::uint64_t>(), histograms * slots * 4 * sizeof(double));
  EXPECT_EQ(info["histogram_bytes_per_tree"].get<std::uint64_t>(), histograms * slots * 4 * sizeof(double) / 4);
  EXPECT_EQ(fit_whole(d, {{"n_estimators", "4"}})->inspect({"x0", "x1", "x2", "x3", "x4"}, {}).count("data_parallel"),
            0u);
}

TEST(HistPartitioned, MediansOverRanksAreRefusedNamingTheLoss) {
  const Data d = make_data(2000, 0);
  for (const char* loss : {"absolute_error", "huber"}) {
    try {
      fit_over_ranks(2, d, {{"loss", loss}}, 500);
      ADD_FAILURE() << loss << " trained over ranks";
    } catch (const UsageError& e) {
      EXPECT_NE(std::string(e.what()).find(std::string("loss=") + loss), std::string::npos) << e.what();
    }
    // One rank holds every row: its median is exact.
    EXPECT_NO_THROW(fit_over_ranks(1, d, {{"loss", loss}, {"n_estimators", "3"}}, 500));
  }
}

// One chunk whose columns are not the ones `infos` promise.
class NarrowChunk final : public FeatureChunks {
 public:
  NarrowChunk(const FeatureMatrix& chunk, const std::vector<FeatureInfo>& infos) : chunk_(chunk), infos_(infos) {}
  std::size_t rows() const override { return chunk_.rows(); }
  const std::vector<FeatureInfo>& infos() const override { return infos_; }
  void for_each(const std::function<void(std::size_t, const FeatureMatrix&)>& each) override { each(0, chunk_); }

 private:
  const FeatureMatrix& chunk_;
  const std::vector<FeatureInfo>& infos_;
};

// A rank whose chunks fail stops every rank with its message.
TEST(HistPartitioned, ABadChunkOnOneRankStopsEveryRank) {
  const Data d = make_data(3000, 2);
  std::atomic<int> stopped{0};
  const auto work = [&](Communicator& ranks) {
    const std::size_t begin = 1000 * static_cast<std::size_t>(ranks.rank()), end = begin + 1000;
    RowChunks good(d.X, begin, end, 300);
    FeatureMatrix short_of_one;  // rank 1's chunk lacks the last column
    for (std::size_t j = 0; j + 1 < d.X.cols(); ++j)
      short_of_one.add_owned(d.X.info(j), std::vector<double>(d.X.column(j) + begin, d.X.column(j) + end));
    short_of_one.set_rows(1000);
    NarrowChunk bad(short_of_one, d.X.infos());
    auto e = hist_gbdt({}, Task::classification);
    try {
      e->fit_partitioned(ranks.rank() == 1 ? static_cast<FeatureChunks&>(bad) : good, part(d.y, begin, end), 2, {},
                         ranks);
    } catch (const DistributedError& error) {
      EXPECT_NE(std::string(error.what()).find("rank 1 of 3"), std::string::npos) << error.what();
      EXPECT_NE(std::string(error.what()).find("has 4 columns, not 5"), std::string::npos) << error.what();
      ++stopped;
      throw;
    }
  };
  EXPECT_THROW(run_as_ranks(3, work), DistributedError);
  EXPECT_EQ(stopped.load(), 3);
}

// Chunks that hold fewer rows than rows() counted (a file cut short between
// the passes): the bins of the missing rows would be left unwritten.
class ShortChunks final : public FeatureChunks {
 public:
  explicit ShortChunks(RowChunks& held, std::size_t counted) : held_(held), counted_(counted) {}
  std::size_t rows() const override { return counted_; }
  const std::vector<FeatureInfo>& infos() const override { return held_.infos(); }
  void for_each(const std::function<void(std::size_t, const FeatureMatrix&)>& each) override { held_.for_each(each); }

 private:
  RowChunks& held_;
  std::size_t counted_;
};

TEST(HistPartitioned, ChunksShortOfTheRowsCountedAreRefused) {
  const Data d = make_data(1000, 2);
  RowChunks held(d.X, 0, 900, 300);
  ShortChunks X(held, 1000);
  try {
    run_as_ranks(
        1, [&](Communicator& ranks) { hist_gbdt({}, Task::classification)->fit_partitioned(X, d.y, 2, {}, ranks); });
    FAIL() << "short chunks were binned";
  } catch (const std::exception& e) {
    EXPECT_NE(std::string(e.what()).find("the chunks held 900 rows where the first pass counted 1000"),
              std::string::npos)
        << e.what();
  }
}

}  // namespace
}  // namespace shipml
