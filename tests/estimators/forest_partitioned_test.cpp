// Data-parallel random_forest and extra_trees (fit_partitioned over ranks, the
// ranks as threads): every rank ends with fit()'s forest on all the rows, bit
// for bit, however many ranks and however the rows are split among them.
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <map>
#include <mutex>
#include <numeric>

#include "shipml/core/random.hpp"
#include "shipml/core/thread_ranks.hpp"
#include "shipml/estimators/estimator.hpp"
#include "shipml/metrics/metrics.hpp"

namespace shipml {
namespace {

using Settings = std::map<std::string, std::string>;

// Rows as a learner sees them: six numbers (one with missing values, one
// heavy-tailed, one that is noise) and a category of eight (some missing),
// with a target that mixes interactions, thresholds and noise, so no forest
// reaches perfect scores and a worse one shows.
struct Data {
  std::vector<std::vector<double>> columns;
  std::vector<double> y;
  int classes = 0;

  std::size_t rows() const { return y.size(); }
  FeatureMatrix matrix(std::size_t begin, std::size_t end) const {
    FeatureMatrix X;
    for (std::size_t j = 0; j < columns.size(); ++j) {
      FeatureInfo info{"x" + std::to_string(j)};
      if (j + 1 == columns.size()) info.categorical = true, info.categories = 8;
      X.add_owned(info, std::vector<double>(columns[j].begin() + static_cast<std::ptrdiff_t>(begin),
                                            columns[j].begin() + static_cast<std::ptrdiff_t>(end)));
    }
    X.set_rows(end - begin);
    return X;
  }
  FeatureMatrix matrix() const { return matrix(0, rows()); }
};

Data make_data(int classes, std::size_t n, std::uint64_t seed) {
  Random rng(seed);
  Data d;
  d.classes = classes;
  d.columns.assign(7, std::vector<double>(n));
  const double category_effect[8] = {0.8, -0.5, 0.0, 1.2, -1.0, 0.3, 0.0, -0.2};
  for (std::size_t i = 0; i < n; ++i) {
    double x[6];
    for (double& v : x) v = rng.uniform() * 2 - 1;
    x[4] = std::tan(1.4 * x[4]);  // heavy tails
    const auto c = rng.below(8);
    const double noise = (rng.uniform() + rng.uniform() + rng.uniform() - 1.5) * 1.2;
    const double signal = 1.5 * std::sin(3 * x[0] * x[1]) + (x[2] > 0.2 ? 1.0 : -0.4) + x[3] * x[3] +
                          0.3 * std::atan(x[4]) + category_effect[c] + noise;
    for (std::size_t j = 0; j < 6; ++j) d.columns[j][i] = x[j];
    if (rng.uniform() < 0.1) d.columns[1][i] = NAN;
    d.columns[6][i] = rng.uniform() < 0.05 ? NAN : static_cast<double>(c);
    if (classes == 0) d.y.push_back(signal);
    else if (classes == 2) d.y.push_back(signal > 0.9 ? 1 : 0);
    else d.y.push_back(signal < 0.2 ? 0 : signal < 1.6 ? 1 : 2);
  }
  return d;
}

std::unique_ptr<Estimator> create(const std::string& name, int classes, const Settings& settings) {
  const EstimatorInfo& info = find_estimator(name);
  return info.create(Params::validate(name, info.params, settings), classes ? Task::classification : Task::regression);
}

std::string saved(const Estimator& e) {
  BinaryWriter out;
  e.save(out);
  return out.data();
}

std::unique_ptr<Estimator> loaded(const std::string& name, int classes, const std::string& bytes,
                                  const Settings& settings = {}) {
  auto e = create(name, classes, settings);
  BinaryReader in(bytes);
  e->load(in);
  return e;
}

// A rank's rows: the n/ranks rows of its place in order, as files split in order give them.
std::pair<std::size_t, std::size_t> shard(std::size_t n, int rank, int ranks) {
  return {n * static_cast<std::size_t>(rank) / static_cast<std::size_t>(ranks),
          n * static_cast<std::size_t>(rank + 1) / static_cast<std::size_t>(ranks)};
}

// Every rank's saved forest, in rank order, after training over `ranks` ranks
// on the rows split in order (and their weights, when given).
std::vector<std::string> fit_over_ranks(const std::string& name, const Data& d, int ranks, const Settings& settings,
                                        const std::vector<double>& weights = {}) {
  std::vector<std::string> out(static_cast<std::size_t>(ranks));
  run_as_ranks(ranks, [&](Communicator& comm) {
    const auto [begin, end] = shard(d.rows(), comm.rank(), comm.size());
    const FeatureMatrix X = d.matrix(begin, end);
    WholeMatrix chunks(X);
    const std::span<const double> y(d.y.data() + begin, end - begin);
    const std::span<const double> w =
        weights.empty() ? std::span<const double>() : std::span<const double>(weights.data() + begin, end - begin);
    auto e = create(name, d.classes, settings);
    e->fit_partitioned(chunks, y, d.classes, w, comm);
    out[static_cast<std::size_t>(comm.rank())] = saved(*e);
  });
  return out;
}

std::string fit_plain(const std::string& name, const Data& d, const Settings& settings,
                      const std::vector<double>& weights = {}) {
  auto e = create(name, d.classes, settings);
  e->fit(d.matrix(), d.y, d.classes, weights);
  return saved(*e);
}

// AUC (binary), macro one-vs-rest AUC (classes) or R² (values) on held-out rows.
double quality(const std::string& name, const Data& d, const std::string& bytes, const Data& test) {
  const auto e = loaded(name, d.classes, bytes);
  const FeatureMatrix X = test.matrix();
  if (!d.classes) return r2_score(test.y, e->predict(X));
  const std::vector<int> labels(test.y.begin(), test.y.end());
  return roc_auc_score(labels, e->predict_proba(X));
}

// The bins a saved forest reads (its first part, after classes, features and out-of-bag score).
std::string bins_of(const std::string& bytes) {
  BinaryReader in(bytes);
  in.u32(), in.u64(), in.f64();
  BinaryWriter out;
  const std::uint64_t features = in.u64();
  out.u64(features);
  for (std::uint64_t j = 0; j < features; ++j) {
    out.u8(in.u8());
    out.array(in.array<double>());
    out.array(in.array<std::uint8_t>());
    out.array(in.array<std::int32_t>());
  }
  return out.data();
}

// A FeatureMatrix given in chunks of `size` rows, as a reader of a large file gives them.
class Chunked final : public FeatureChunks {
 public:
  Chunked(const Data& d, std::size_t size) : d_(d), size_(size), infos_(d.matrix(0, 0).infos()) {}
  std::size_t rows() const override { return d_.rows(); }
  const std::vector<FeatureInfo>& infos() const override { return infos_; }
  void for_each(const std::function<void(std::size_t, const FeatureMatrix&)>& each) override {
    for (std::size_t first = 0; first < d_.rows(); first += size_)
      each(first, d_.matrix(first, std::min(d_.rows(), first + size_)));
  }

 private:
  const Data& d_;
  std::size_t size_;
  std::vector<FeatureInfo> infos_;
};

const char* kForests[] = {"random_forest", "extra_trees"};

TEST(ForestPartitioned, OneRankIsFitToTheByte) {
  for (const char* name : kForests)
    for (int classes : {0, 2, 3}) {
      SCOPED_TRACE(std::string(name) + " with " + std::to_string(classes) + " classes");
      const Data d = make_data(classes, 3000, 11);
      Settings settings{{"n_estimators", "8"}, {"oob_score", "true"}, {"bootstrap", "true"}};
      if (classes) settings["class_weight"] = "balanced";
      std::vector<double> weights;
      Random rng(3);
      for (std::size_t i = 0; i < d.rows(); ++i) weights.push_back(static_cast<double>(rng.below(4)));
      const std::string plain = fit_plain(name, d, settings, weights);
      EXPECT_EQ(fit_over_ranks(name, d, 1, settings, weights)[0], plain);

      auto e = create(name, classes, settings);
      SingleProcess one;
      const FeatureMatrix X = d.matrix();
      WholeMatrix whole(X);
      e->fit_partitioned(whole, d.y, classes, weights, one);
      EXPECT_EQ(saved(*e), plain);

      // Rows in chunks are gathered into one matrix first: the same forest.
      Chunked chunks(d, 700);
      auto from_chunks = create(name, classes, settings);
      from_chunks->fit_partitioned(chunks, d.y, classes, weights, one);
      EXPECT_EQ(saved(*from_chunks), plain);
    }
}

TEST(ForestPartitioned, EveryRankEndsWithTheSameForestEveryRun) {
  for (const char* name : kForests)
    for (int classes : {0, 2}) {
      const Data d = make_data(classes, 4000, 12);
      const Settings settings{{"n_estimators", "10"}, {"oob_score", "true"}, {"bootstrap", "true"}};
      const std::string one_rank = fit_plain(name, d, settings);
      for (int ranks : {2, 3}) {
        SCOPED_TRACE(std::string(name) + " over " + std::to_string(ranks) + " ranks, classes " +
                     std::to_string(classes));
        const std::vector<std::string> first = fit_over_ranks(name, d, ranks, settings);
        for (const std::string& forest : first) EXPECT_EQ(forest, first[0]);
        EXPECT_EQ(fit_over_ranks(name, d, ranks, settings), first);
        // Every rank grew its block of fit()'s own trees on every row: fit()'s forest.
        EXPECT_EQ(first[0], one_rank);
        EXPECT_EQ(bins_of(first[0]), bins_of(one_rank));
        EXPECT_EQ(loaded(name, classes, first[0])->inspect(d.matrix(0, 0).names(), {})["trees"], 10);
      }
    }
}

TEST(ForestPartitioned, BinsOfManyRowsAreThoseOfOneProcess) {
  // Over 200000 rows fit() bins a sample (every k-th row): ranks take the same rows.
  const Data d = make_data(2, 430001, 13);
  const Settings settings{{"n_estimators", "1"}, {"max_depth", "2"}};
  const std::string one = fit_plain("random_forest", d, settings);
  EXPECT_EQ(bins_of(fit_over_ranks("random_forest", d, 3, settings)[0]), bins_of(one));
}

TEST(ForestPartitioned, ShardedQualityIsTheSingleProcessQuality) {
  // The forest over ranks is fit()'s, so its quality is too, exactly.
  for (int classes : {0, 2}) {
    const Data d = make_data(classes, 30000, 21), test = make_data(classes, 10000, 22);
    const Settings settings{{"n_estimators", "30"}, {"min_samples_leaf", "5"}};
    const double one = quality("random_forest", d, fit_plain("random_forest", d, settings), test);
    EXPECT_GT(one, classes ? 0.9 : 0.7);
    for (int ranks : {2, 3}) {
      const double sharded = quality("random_forest", d, fit_over_ranks("random_forest", d, ranks, settings)[0], test);
      EXPECT_EQ(sharded, one) << ranks << " ranks, classes " << classes;
    }
  }
}

TEST(ForestPartitioned, BalancedClassWeightsCountTheClassesOfEveryRank) {
  // Rows sorted by class: each rank's share of a class is far from the whole's.
  Data d = make_data(3, 3000, 14);
  std::vector<std::size_t> order(d.rows());
  for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::stable_sort(order.begin(), order.end(), [&](auto a, auto b) { return d.y[a] < d.y[b]; });
  Data sorted = d;
  for (std::size_t i = 0; i < order.size(); ++i) {
    sorted.y[i] = d.y[order[i]];
    for (std::size_t j = 0; j < d.columns.size(); ++j) sorted.columns[j][i] = d.columns[j][order[i]];
  }
  // The weights balanced gives from the totals of all rows, and from each rank's alone.
  std::vector<double> whole(3, 0.0), global(sorted.rows()), local(sorted.rows());
  for (double c : sorted.y) whole[static_cast<std::size_t>(c)] += 1;
  for (std::size_t i = 0; i < sorted.rows(); ++i)
    global[i] = static_cast<double>(sorted.rows()) / (3 * whole[static_cast<std::size_t>(sorted.y[i])]);
  const int ranks = 3;
  for (int r = 0; r < ranks; ++r) {
    const auto [begin, end] = shard(sorted.rows(), r, ranks);
    std::vector<double> mine(3, 0.0);
    for (std::size_t i = begin; i < end; ++i) mine[static_cast<std::size_t>(sorted.y[i])] += 1;
    for (std::size_t i = begin; i < end; ++i)
      local[i] = static_cast<double>(end - begin) / (3 * mine[static_cast<std::size_t>(sorted.y[i])]);
  }
  const Settings settings{{"n_estimators", "6"}, {"bootstrap", "true"}};
  Settings balanced = settings;
  balanced["class_weight"] = "balanced";
  const std::string by_class_weight = fit_over_ranks("random_forest", sorted, ranks, balanced)[0];
  EXPECT_EQ(by_class_weight, fit_plain("random_forest", sorted, balanced));
  EXPECT_EQ(by_class_weight, fit_over_ranks("random_forest", sorted, ranks, settings, global)[0]);
  EXPECT_NE(by_class_weight, fit_over_ranks("random_forest", sorted, ranks, settings, local)[0]);
}

TEST(ForestPartitioned, SampleWeightsCountOnEveryRank) {
  const Data d = make_data(2, 3000, 15);
  const Settings settings{{"n_estimators", "6"}};
  std::vector<double> weights(d.rows());
  for (std::size_t i = 0; i < d.rows(); ++i) weights[i] = d.columns[0][i] > 0 ? 4.0 : 0.25;
  const std::vector<std::string> weighted = fit_over_ranks("random_forest", d, 2, settings, weights);
  EXPECT_EQ(weighted[0], weighted[1]);
  EXPECT_NE(weighted[0], fit_over_ranks("random_forest", d, 2, settings)[0]);
  EXPECT_EQ(weighted[0], fit_plain("random_forest", d, settings, weights));
  // Rows of weight 0 take no part, wherever they are: the forest is fit()'s.
  std::vector<double> second_absent(d.rows(), 1.0);
  const auto [begin, end] = shard(d.rows(), 1, 2);
  for (std::size_t i = begin; i < end; ++i) second_absent[i] = 0;
  const auto first_only = loaded("random_forest", 2, fit_over_ranks("random_forest", d, 2, settings, second_absent)[0]);
  EXPECT_EQ(first_only->inspect(d.matrix(0, 0).names(), {})["trees"], 6);
  EXPECT_EQ(fit_over_ranks("random_forest", d, 2, settings, second_absent)[0],
            fit_plain("random_forest", d, settings, second_absent));
}

TEST(ForestPartitioned, ABadShardStopsEveryRankNamingIt) {
  const Data d = make_data(2, 600, 16);
  std::atomic<int> stopped{0};
  try {
    run_as_ranks(3, [&](Communicator& comm) {
      const auto [begin, end] = shard(d.rows(), comm.rank(), comm.size());
      const FeatureMatrix X = d.matrix(begin, end);
      WholeMatrix chunks(X);
      std::vector<double> y(d.y.begin() + static_cast<std::ptrdiff_t>(begin),
                            d.y.begin() + static_cast<std::ptrdiff_t>(end));
      if (comm.rank() == 2) y[5] = 7;  // not a class
      auto e = create("random_forest", 2, {{"n_estimators", "4"}});
      try {
        e->fit_partitioned(chunks, y, 2, {}, comm);
      } catch (const DistributedError&) {
        ++stopped;
        throw;
      }
    });
    FAIL() << "expected a DistributedError";
  } catch (const DistributedError& e) {
    EXPECT_STREQ(e.what(), "rank 2 of 3: row 5's class 7 is not one of the 2 class indices");
  }
  EXPECT_EQ(stopped.load(), 3);
}

TEST(ForestPartitioned, ShardsSortedByTheTargetStillGiveOneProcesssForest) {
  // Files split by class, or by a sorted target: every tree still sees every row.
  for (int classes : {2, 0}) {
    SCOPED_TRACE(classes);
    const Data d = make_data(classes, 3000, 11);
    std::vector<std::size_t> order(d.rows());
    std::iota(order.begin(), order.end(), std::size_t{0});
    std::stable_sort(order.begin(), order.end(), [&](auto a, auto b) { return d.y[a] < d.y[b]; });
    Data sorted = d;
    for (std::size_t i = 0; i < order.size(); ++i) {
      sorted.y[i] = d.y[order[i]];
      for (std::size_t j = 0; j < d.columns.size(); ++j) sorted.columns[j][i] = d.columns[j][order[i]];
    }
    const Settings settings{{"n_estimators", "4"}};
    EXPECT_EQ(fit_over_ranks("random_forest", sorted, 3, settings)[0], fit_plain("random_forest", sorted, settings));
  }
}

TEST(ForestPartitioned, RanksWithDifferentColumnsAreRefused) {
  const Data d = make_data(0, 600, 17);
  EXPECT_THROW(run_as_ranks(2,
                            [&](Communicator& comm) {
                              FeatureMatrix X = d.matrix(0, 300);
                              if (comm.rank() == 1) X.add_owned({"extra"}, std::vector<double>(300, 1.0));
                              WholeMatrix chunks(X);
                              auto e = create("random_forest", 0, {{"n_estimators", "2"}});
                              e->fit_partitioned(chunks, std::span<const double>(d.y.data(), 300), 0, {}, comm);
                            }),
               UsageError);
  // The message names the rank.
  try {
    run_as_ranks(2, [&](Communicator& comm) {
      FeatureMatrix X = d.matrix(0, 300);
      if (comm.rank() == 1) X.add_owned({"extra"}, std::vector<double>(300, 1.0));
      WholeMatrix chunks(X);
      create("random_forest", 0, {{"n_estimators", "2"}})
          ->fit_partitioned(chunks, std::span<const double>(d.y.data(), 300), 0, {}, comm);
    });
  } catch (const UsageError& e) {
    EXPECT_NE(std::string(e.what()).find("rank 1's rows do not have rank 0's columns"), std::string::npos) << e.what();
  }
}

TEST(ForestPartitioned, OutOfBagScoreCountsTheRowsOfEveryRank) {
  const Data d = make_data(2, 6000, 18);
  const Settings settings{{"n_estimators", "20"}, {"oob_score", "true"}};
  const auto one = loaded("random_forest", 2, fit_plain("random_forest", d, settings), settings);
  const auto three = loaded("random_forest", 2, fit_over_ranks("random_forest", d, 3, settings)[0], settings);
  const double a = one->inspect(d.matrix(0, 0).names(), {})["oob_score"];
  const double b = three->inspect(d.matrix(0, 0).names(), {})["oob_score"];
  EXPECT_GT(a, 0.7);
  EXPECT_EQ(b, a);
}

}  // namespace
}  // namespace shipml
