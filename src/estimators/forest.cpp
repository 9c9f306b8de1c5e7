// Random forests and extra trees over binned features: bagged (or not) trees
// grown to purity on random feature subsets, averaged. Extra trees cut each
// candidate feature at one random place. Trees are grown in parallel, each with
// its own seeded generator, so a seed gives the same forest on any thread count.
// Weights as scikit-learn's forests: a tree sees each row's bootstrap count
// times its weight (times its class weight); rows of weight 0 take no part.
//
// Data-parallel training (fit_partitioned over ranks, each holding a shard of
// the rows): the bins are learned from a sample of every rank's rows, the very
// rows fit() would sample from all of them (partitioned_rows.hpp), so every
// rank bins alike. Then every rank gathers every rank's binned rows (one byte
// a value, with targets and weights), grows an even block of the trees exactly
// as fit() grows them (the same rows, bootstraps and seeds), and the blocks
// are gathered in rank order: the forest is fit()'s, bit for bit, for any
// number of ranks and however the rows are split. What is spread is the
// reading, parsing and binning of the data and the growing of the trees; what
// each rank holds is every row, binned (2 bytes a value: rows and columns).
// The alternatives, rejected:
// - each rank's trees on its own rows only: a rank's memory is its shard's,
//   but each tree sees 1/N of the rows, and shards that are not random
//   samples (files split by class or by date) make each rank's trees learn a
//   slice of the answers; measured 0.002 AUC and 0.025 R² below one process.
// - split statistics summed over ranks for every node (what hist_gbdt does):
//   trees grown to purity have about rows/min_samples_leaf nodes, and each
//   would need its histograms (features x bins x (classes + 1)) summed over the
//   ranks: hundreds of thousands of collective calls per tree, where boosting
//   needs a few dozen. Spark MLlib's forests cap the depth for that reason.
// For data that does not fit one machine even binned, hist_gbdt is the learner.
#include <algorithm>
#include <atomic>
#include <cmath>
#include <numeric>
#include <optional>

#include "builtin.hpp"
#include "class_weight.hpp"
#include "explain/tree_shap.hpp"
#include "hist/criteria.hpp"
#include "hist/ensemble.hpp"
#include "hist/grower.hpp"
#include "partitioned_rows.hpp"
#include "shipml/core/error.hpp"
#include "shipml/core/interrupt.hpp"
#include "shipml/core/parallel.hpp"
#include "shipml/core/progress.hpp"
#include "tree_params.hpp"

namespace shipml::builtin {
namespace {

class Forest final : public Estimator {
 public:
  Forest(const Params& p, bool extra)
      : extra_(extra), trees_(p.integer("n_estimators")), max_depth_(p.integer("max_depth")),
        min_samples_leaf_(p.integer("min_samples_leaf")), min_category_rows_(p.integer("min_category_rows")),
        max_features_(p.text("max_features")), bootstrap_(p.boolean("bootstrap")), oob_(p.boolean("oob_score")),
        class_weight_(p.text("class_weight")), criterion_(p.text("criterion")),
        max_bins_(static_cast<int>(p.integer("max_bins"))), seed_(static_cast<std::uint64_t>(p.integer("seed"))),
        threads_(static_cast<int>(p.integer("threads"))) {}

  void fit(const FeatureMatrix& X, std::span<const double> y, int n_classes, std::span<const double> weights) override {
    SingleProcess one;
    train(X, y, n_classes, weights, one);
  }

  void fit_partitioned(FeatureChunks& X, std::span<const double> y, int n_classes, std::span<const double> weights,
                       Communicator& ranks) override {
    FeatureMatrix rows;
    ranks.agree_on([&] {
      check_shard(X.rows(), y, n_classes, weights);
      rows = rows_in_memory(X);
    });
    train(rows, y, n_classes, weights, ranks);
  }

  Matrix predict_proba(const FeatureMatrix& X) const override {
    if (!k_) return Estimator::predict_proba(X);
    const std::vector<double> sum = averaged(X);
    Matrix P(static_cast<Eigen::Index>(X.rows()), k_);
    for (std::size_t i = 0; i < X.rows(); ++i)
      for (int c = 0; c < k_; ++c)
        P(static_cast<Eigen::Index>(i), c) = sum[i * static_cast<std::size_t>(k_) + static_cast<std::size_t>(c)];
    return P;
  }

  std::vector<double> predict(const FeatureMatrix& X) const override {
    return k_ ? Estimator::predict(X) : averaged(X);
  }

  void save(BinaryWriter& out) const override {
    out.u32(static_cast<std::uint32_t>(k_));
    out.u64(features_);
    out.f64(oob_score_);
    ensemble_.save(out);
  }

  void load(BinaryReader& in) override {
    k_ = stored_class_count(in.u32(), name());
    features_ = in.u64();
    oob_score_ = in.f64();
    ensemble_.load(in, features_);
    // Predictions average over the trees: none would divide by zero.
    if (ensemble_.trees.empty()) BinaryReader::fail(name() + ": a forest without trees");
    for (const auto& t : ensemble_.trees)
      if (t.value_width != std::max(1, k_)) BinaryReader::fail("tree leaves do not match the classes");
  }

  EstimatorShape shape() const override { return {features_, static_cast<std::size_t>(k_)}; }

  nlohmann::json inspect(const std::vector<std::string>& names, const std::vector<std::string>&) const override {
    nlohmann::json j = ensemble_.importances(names);
    j["trees"] = ensemble_.trees.size();
    std::size_t leaves = 0;
    int depth = 0;
    for (const auto& t : ensemble_.trees) leaves += t.leaves(), depth = std::max(depth, t.depth());
    j["mean_leaves"] = ensemble_.trees.empty() ? 0.0 : static_cast<double>(leaves) / ensemble_.trees.size();
    j["max_depth"] = depth;
    if (oob_) j["oob_score"] = oob_score_;
    return j;
  }

  nlohmann::json dump_trees(const std::vector<std::string>& names) const override { return ensemble_.dump(names); }

  // The mean of every tree's path-dependent TreeSHAP values, of the
  // probabilities or the value (the mean of the trees' leaf values).
  std::optional<FeatureContributions> contributions(const FeatureMatrix& X,
                                                    const ContributionRequest& request) const override {
    if (X.cols() != features_)
      throw ModelError(name() + ": expected " + std::to_string(features_) + " encoded features");
    const std::vector<int> columns = explain::explained_values(k_);
    return ensemble_.contributions(X, request, columns, 1, 1.0 / static_cast<double>(ensemble_.trees.size()),
                                   std::vector<double>(columns.size(), 0.0));
  }

 private:
  std::string name() const { return extra_ ? "extra_trees" : "random_forest"; }

  // How often each row is drawn: a bootstrap sample of n rows, or every row once.
  std::vector<double> bootstrap_counts(Random& rng, std::size_t n) const {
    if (!bootstrap_) return std::vector<double>(n, 1.0);
    std::vector<double> counts(n, 0.0);
    for (std::size_t i = 0; i < n; ++i) counts[rng.below(n)] += 1;
    return counts;
  }

  std::vector<double> averaged(const FeatureMatrix& X) const {
    if (X.cols() != features_)
      throw ModelError(name() + ": expected " + std::to_string(features_) + " encoded features");
    const std::size_t width = static_cast<std::size_t>(std::max(1, k_));
    std::vector<double> sum(X.rows() * width, 0.0);
    ensemble_.accumulate(X, 1, width, sum.data());
    for (double& v : sum) v /= static_cast<double>(ensemble_.trees.size());
    return sum;
  }

  // Every rank gathers every rank's binned rows (one byte a value, in rank
  // order, which is row order) with their targets and weights, grows its
  // block of the forest exactly as fit() grows those trees (the same rows,
  // bootstraps and seeds), and the blocks are gathered in rank order (see the
  // note at the top of the file). With one rank: fit().
  void train(const FeatureMatrix& X, std::span<const double> y, int n_classes, std::span<const double> weights,
             Communicator& ranks) {
    k_ = n_classes;
    features_ = X.cols();
    const std::string split_quality = resolve_criterion(name(), criterion_, k_);
    ensemble_.binner = binner_over_ranks(X, max_bins_, ranks);
    AllRows all{ensemble_.binner.transform(X, threads_), {y.begin(), y.end()}, {weights.begin(), weights.end()}};
    if (ranks.size() > 1) all = gathered(std::move(all), ranks);
    const hist::BinnedRows& rows = all.binned;
    std::vector<double> base_weight = row_weights(all.y, k_, class_weight_);
    for (std::size_t i = 0; i < all.weights.size(); ++i) base_weight[i] *= all.weights[i];
    if (std::none_of(base_weight.begin(), base_weight.end(), [](double w) { return w > 0; }))
      throw UsageError(name() + ": no row has a weight above 0");
    const std::span<const double> target = all.y;
    const std::string mf = max_features_ == "auto" ? (k_ ? "sqrt" : "all") : max_features_;
    hist::GrowerOptions options{.max_leaves = 0,
                                .max_depth = static_cast<int>(max_depth_),
                                .min_samples_leaf = static_cast<double>(min_samples_leaf_),
                                .min_child_weight = 0,
                                .features_per_split = features_to_try(mf, static_cast<int>(features_)),
                                .min_category_rows = static_cast<double>(min_category_rows_),
                                .random_splits = extra_,
                                .threads = 1};
    std::unique_ptr<hist::Criterion> criterion;
    if (k_) criterion = std::make_unique<hist::ClassCountCriterion>(k_, split_quality == "entropy");
    else criterion = std::make_unique<hist::VarianceCriterion>();
    const TreeRange mine = tree_share(ranks);
    std::vector<hist::HistTree> grown(mine.last - mine.first);
    ranks.agree_on([&] {
      std::optional<Progress> progress;  // on the rank that prints only
      if (ranks.leads()) progress.emplace(name(), grown.size());
      // Each worker takes the next tree to grow and reuses its buffers from
      // one tree to the next (fresh memory costs a page fault per 4 kB).
      const std::size_t workers = std::min<std::size_t>(grown.size(), threads_ > 0 ? threads_ : default_threads());
      std::vector<hist::GrowerWorkspace> spaces(workers);
      std::atomic<std::size_t> next{0};
      parallel_for(workers, static_cast<int>(workers), [&](std::size_t worker) {
        std::vector<float> stats;
        for (std::size_t i; (i = next++) < grown.size();) {
          grown[i] = grown_tree(mine.first + i, rows, target, base_weight, *criterion, options, stats, spaces[worker]);
          if (progress) progress->tick();
        }
      });
    });
    ensemble_.trees = gather_trees(std::move(grown), ranks);
    ensemble_.finish();
    if (oob_) oob_score_ = out_of_bag_score(rows, target);
  }

  // Tree t of the forest, seeded by its place in the whole forest (as fit() seeds it).
  hist::HistTree grown_tree(std::size_t t, const hist::BinnedRows& rows, std::span<const double> target,
                            const std::vector<double>& base_weight, const hist::Criterion& criterion,
                            const hist::GrowerOptions& options, std::vector<float>& stats,
                            hist::GrowerWorkspace& space) const {
    throw_if_stopped("forest training");
    const std::size_t n = rows.rows, W = static_cast<std::size_t>(criterion.width());
    Random rng = Random(seed_).fork(t);
    const std::vector<double> draws = bootstrap_counts(rng, n);
    stats.assign(n * W, 0.0f);
    std::vector<std::uint32_t> used;
    for (std::size_t r = 0; r < n; ++r) {
      if (draws[r] == 0 || base_weight[r] == 0) continue;
      used.push_back(static_cast<std::uint32_t>(r));
      const double w = draws[r] * base_weight[r];
      float* s = stats.data() + r * W;
      if (k_) {
        s[static_cast<std::size_t>(target[r])] = static_cast<float>(w);
        s[static_cast<std::size_t>(k_)] = static_cast<float>(draws[r]);
      } else {
        s[0] = static_cast<float>(w), s[1] = static_cast<float>(w * target[r]), s[2] = static_cast<float>(draws[r]);
      }
    }
    return hist::grow_tree(rows, ensemble_.binner.features(), stats, std::move(used), {}, criterion, options, rng,
                           &space)
        .tree;
  }

  // The rows a forest learns from: binned, with their targets and weights.
  struct AllRows {
    hist::BinnedRows binned;
    std::vector<double> y, weights;
  };

  // Every rank's rows, in rank order, on every rank.
  static AllRows gathered(AllRows mine, Communicator& ranks) {
    BinaryWriter out;
    out.u64(mine.binned.rows);
    out.array(mine.binned.data);
    out.array(mine.y);
    out.array(mine.weights);
    AllRows all;
    all.binned.features = mine.binned.features;
    mine = {};
    std::vector<std::pair<std::uint64_t, std::vector<double>>> weights;  // each rank's rows and weights
    for (const std::string& bytes : ranks.all_gather(out.data())) {
      BinaryReader in(bytes);
      const std::uint64_t n = in.u64();
      const auto data = in.array<std::uint8_t>();
      const auto y = in.array<double>();
      weights.emplace_back(n, in.array<double>());
      if (data.size() != n * all.binned.features || y.size() != n ||
          (!weights.back().second.empty() && weights.back().second.size() != n))
        BinaryReader::fail("a rank sent rows of another shape");
      all.binned.rows += n;
      all.binned.data.insert(all.binned.data.end(), data.begin(), data.end());
      all.y.insert(all.y.end(), y.begin(), y.end());
    }
    // Weights from every rank, or none (a rank that has none counts each row once).
    if (std::any_of(weights.begin(), weights.end(), [](const auto& w) { return !w.second.empty(); }))
      for (const auto& [n, w] : weights) {
        if (w.empty()) all.weights.insert(all.weights.end(), n, 1.0);
        else all.weights.insert(all.weights.end(), w.begin(), w.end());
      }
    const std::size_t n = all.binned.rows, F = all.binned.features;
    all.binned.by_column.resize(n * F);
    for (std::size_t i = 0; i < n; ++i)
      for (std::size_t j = 0; j < F; ++j) all.binned.by_column[j * n + i] = all.binned.data[i * F + j];
    return all;
  }

  // The trees [first, last) of the forest that grow on one rank.
  struct TreeRange {
    std::size_t first = 0, last = 0;
  };

  // Rank r grows the trees [trees * r / N, trees * (r + 1) / N): every rank
  // holds every row, so the blocks are even.
  TreeRange tree_share(const Communicator& ranks) const {
    const auto trees = static_cast<std::size_t>(trees_);
    const auto r = static_cast<std::size_t>(ranks.rank()), N = static_cast<std::size_t>(ranks.size());
    return {trees * r / N, trees * (r + 1) / N};
  }

  // Every rank's trees, in rank order, on every rank (saved and loaded as a model file keeps them).
  std::vector<hist::HistTree> gather_trees(std::vector<hist::HistTree> mine, Communicator& ranks) const {
    if (ranks.size() == 1) return mine;
    BinaryWriter out;
    out.u64(mine.size());
    for (const auto& t : mine) t.save(out);
    std::vector<hist::HistTree> all;
    for (const std::string& bytes : ranks.all_gather(out.data())) {
      BinaryReader in(bytes);
      const std::uint64_t count = in.count(40);
      for (std::uint64_t i = 0; i < count; ++i) all.emplace_back().load(in, features_);
    }
    if (all.size() != static_cast<std::size_t>(trees_))
      throw DistributedError(name() + ": the ranks grew " + std::to_string(all.size()) + " trees, not " +
                             std::to_string(trees_));
    return all;
  }

  // Each row predicted by the trees that did not see it (replaying each tree's
  // bootstrap from its seed): accuracy for classes, R² for values.
  double out_of_bag_score(const hist::BinnedRows& rows, std::span<const double> y) const {
    if (!bootstrap_) return NAN;
    const std::size_t n = rows.rows, width = static_cast<std::size_t>(std::max(1, k_));
    std::vector<double> sum(n * width, 0.0), votes(n, 0.0);
    for (std::size_t t = 0; t < ensemble_.trees.size(); ++t) {
      Random rng = Random(seed_).fork(t);
      const std::vector<double> draws = bootstrap_counts(rng, n);
      for (std::size_t i = 0; i < n; ++i) {
        if (draws[i] != 0) continue;
        const double* v = ensemble_.trees[t].predict(rows.row(i));
        for (std::size_t k = 0; k < width; ++k) sum[i * width + k] += v[k];
        votes[i] += 1;
      }
    }
    double hits = 0, used = 0, mean = 0, ss_res = 0, ss_tot = 0;
    for (std::size_t i = 0; i < n; ++i) mean += y[i] / static_cast<double>(n);
    for (std::size_t i = 0; i < n; ++i) {
      if (votes[i] == 0) continue;
      used += 1;
      if (k_) {
        const double* v = sum.data() + i * width;
        hits += static_cast<double>(std::max_element(v, v + width) - v) == y[i];
      } else {
        const double pred = sum[i] / votes[i];
        ss_res += (y[i] - pred) * (y[i] - pred);
        ss_tot += (y[i] - mean) * (y[i] - mean);
      }
    }
    if (used == 0) return NAN;
    return k_ ? hits / used : (ss_tot > 0 ? 1 - ss_res / ss_tot : NAN);
  }

  // One rank's rows, labels and weights agree with each other and the classes.
  static void check_shard(std::size_t rows, std::span<const double> y, int n_classes, std::span<const double> weights) {
    if (y.size() != rows) throw UsageError(std::to_string(rows) + " rows but " + std::to_string(y.size()) + " targets");
    if (!weights.empty() && weights.size() != rows)
      throw UsageError(std::to_string(rows) + " rows but " + std::to_string(weights.size()) + " weights");
    if (n_classes < 0 || n_classes == 1)
      throw UsageError(std::to_string(n_classes) + " classes (0 for a regressor, at least 2 otherwise)");
    for (std::size_t i = 0; n_classes > 0 && i < y.size(); ++i)
      if (!(y[i] >= 0 && y[i] < n_classes && y[i] == std::floor(y[i])))
        throw UsageError("row " + std::to_string(i) + "'s class " + format_number(y[i]) + " is not one of the " +
                         std::to_string(n_classes) + " class indices");
    for (std::size_t i = 0; i < weights.size(); ++i)
      if (!(weights[i] >= 0 && std::isfinite(weights[i])))
        throw UsageError("row " + std::to_string(i) + "'s weight " + format_number(weights[i]) +
                         " is not a finite number >= 0");
  }

  bool extra_;
  std::int64_t trees_, max_depth_, min_samples_leaf_, min_category_rows_;
  std::string max_features_;
  bool bootstrap_, oob_;
  std::string class_weight_;
  std::string criterion_;
  int max_bins_;
  std::uint64_t seed_;
  int threads_;
  int k_ = 0;
  std::size_t features_ = 0;
  double oob_score_ = NAN;
  hist::Ensemble ensemble_;
};

std::vector<ParamSpec> forest_params(bool extra) {
  return {
      int_param("n_estimators", 100, 1, "number of trees"),
      criterion_param(),
      int_param("max_depth", 0, 0, "deepest level a node may reach (0 = grow until pure)"),
      int_param("min_samples_leaf", 1, 1, "fewest samples each leaf keeps"),
      max_features_param("auto", "features tried at each split; auto = sqrt for classes, all for values"),
      int_param("min_category_rows", 5, 1,
                "fewest rows a category needs in a node to be split off on its own (rarer ones stay together)"),
      bool_param("bootstrap", !extra, "train each tree on a bootstrap sample of the rows"),
      bool_param("oob_score", false, "measure accuracy or R² on the rows each tree did not see"),
      class_weight_param(),
      max_bins_param(),
      int_param("seed", 0, 0, "seed for bootstrap samples, feature subsets and cuts"),
      int_param("threads", 0, 0, "trees grown at once (0 = all cores)"),
  };
}

}  // namespace

EstimatorInfo random_forest_info() {
  return {
      .name = "random_forest",
      .summary =
          "Random forest of histogram trees (bagging, random feature subsets), native categories and missing values",
      .tasks = {Task::classification, Task::regression},
      .encoding = InputEncoding::ordinal,
      .params = forest_params(false),
      .create = [](const Params& p, Task) { return std::make_unique<Forest>(p, false); },
  };
}

EstimatorInfo extra_trees_info() {
  return {
      .name = "extra_trees",
      .summary = "Extremely randomised trees: random cuts on random feature subsets, averaged",
      .tasks = {Task::classification, Task::regression},
      .encoding = InputEncoding::ordinal,
      .params = forest_params(true),
      .create = [](const Params& p, Task) { return std::make_unique<Forest>(p, true); },
  };
}

}  // namespace shipml::builtin
