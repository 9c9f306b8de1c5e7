#pragma once
// Grows one tree on binned rows from per-row statistics, for every histogram
// learner: gradient boosting passes (gradient, hessian) and minimises the
// second-order loss; forests pass class counts or (weight, weighted y, weighted
// y²) and minimise gini/entropy or squared error. A Criterion says how a node's
// statistics score and what its leaf predicts; the grower does the rest:
// histograms with sibling subtraction, numeric splits with a learned direction
// for missing values, categorical splits over sorted category subsets,
// best-first (leaf-wise) growth under max_leaves/max_depth, or depth-first
// growth to purity.
#include <cstdint>
#include <span>
#include <utility>
#include <vector>

#include "binning.hpp"
#include "hist_tree.hpp"
#include "histogram.hpp"
#include "node_sums.hpp"
#include "shipml/core/random.hpp"

namespace shipml {
class Communicator;
}

namespace shipml::hist {

struct SparseBins;

/// How node statistics (`width` doubles per row, summed) are judged.
class Criterion {
 public:
  virtual ~Criterion() = default;
  virtual int width() const = 0;
  /// Larger is better; a split's gain is score(left) + score(right) - score(parent).
  virtual double score(const double* stats) const = 0;
  /// The score used for categorical splits, which may be regularised harder
  /// (subset splits fit noise more easily than thresholds).
  virtual double score_categorical(const double* stats) const { return score(stats); }
  /// Rows in a node (for min_samples_leaf).
  virtual double count(const double* stats) const = 0;
  /// Weight of a node (hessian sum for boosting; for min_child_weight).
  virtual double weight(const double* stats) const { return count(stats); }
  /// Sort key of a category when searching subsets; `parent` is the node's total.
  virtual double order(const double* stats, const double* parent) const = 0;
  /// Whether no split of a node can gain anything: its rows are all alike in
  /// what the score looks at (one class). Such a node is a leaf.
  virtual bool pure(const double* /*stats*/) const { return false; }
  /// Writes the leaf's value(s).
  virtual void leaf(const double* stats, double* out) const = 0;
  virtual int value_width() const { return 1; }
};

struct GrowerOptions {
  int max_leaves = 0;  // 0 = unlimited (depth-first to purity)
  int max_depth = 0;   // 0 = unlimited
  double min_samples_leaf = 1;
  double min_child_weight = 0;
  double min_gain = 1e-12;       // splits must gain more than this
  int features_per_split = 0;    // random subset tried at each node; 0 = all allowed
  double min_category_rows = 1;  // categories with fewer rows in a node are not split off on their own
  bool random_splits = false;    // extra trees: one random cut per feature
  int threads = 0;               // for histogram building of large nodes
  // Data-parallel training: each rank grows the same tree from its own rows,
  // every node's histograms summed over the ranks before its split search (so
  // every rank finds the same splits). Null, or one rank: the rows are all here.
  // The caller gives every rank the same features, options and random draws.
  Communicator* ranks = nullptr;
  // The same rows with their mostly-constant features as lists of uncommon
  // values (index_sparse): histograms then add only those. Null: bytes only.
  const SparseBins* sparse = nullptr;
};

/// Where the training rows ended: rows[begin, end) of `order` reached leaf `node`.
struct LeafRows {
  std::int32_t node;
  std::size_t begin, end;
};

struct GrownTree {
  HistTree tree;
  std::vector<std::uint32_t> order;  // the input rows, grouped by leaf
  std::vector<LeafRows> leaves;
};

/// Buffers a grower reuses from one tree to the next (histograms, partition
/// scratch), so boosting hundreds of rounds does not allocate and fault in
/// fresh memory for every tree.
struct GrowerWorkspace {
  std::vector<HistogramBuffer> histograms;
  HistogramBuffer partial;
  std::vector<std::uint32_t> scratch;
  std::vector<double> node_stats;                           // each node's statistics
  std::vector<std::pair<std::size_t, std::size_t>> ranges;  // each node's rows in the order
  NodeSums sums;                                            // summed nodes' buffers
  std::vector<double> packed;                               // the used slots of a histogram, summed over ranks
  std::uint64_t bytes_summed = 0;                           // bytes handed to Communicator::sum, over every tree
  std::uint64_t histograms_summed = 0;                      // histograms summed over ranks, over every tree
};

/// `stats` holds criterion.width() values per row of `data` (floats: half the
/// memory traffic of doubles; histograms sum them in double); `rows` are the rows
/// to train on; `allowed` the features that may be used (empty = all).
GrownTree grow_tree(const BinnedRows& data, const std::vector<FeatureBins>& bins, std::span<const float> stats,
                    std::vector<std::uint32_t> rows, const std::vector<int>& allowed, const Criterion& criterion,
                    const GrowerOptions& options, Random& rng, GrowerWorkspace* workspace = nullptr);

}  // namespace shipml::hist
