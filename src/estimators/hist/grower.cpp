#include "grower.hpp"

#include "criteria.hpp"
#include "histogram.hpp"
#include "node_sums.hpp"
#include "row_partition.hpp"
#include "sparse_bins.hpp"
#include "split_search.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <limits>
#include <numeric>
#include <span>

#include "shipml/core/communicator.hpp"
#include "shipml/core/parallel.hpp"

namespace shipml::hist {
namespace {

constexpr std::size_t kBlockRows = 1 << 13;         // rows per partial histogram and per partition block
constexpr std::size_t kPartials = 8;                // partial histograms summed at once: bounds their memory
constexpr std::size_t kRowsToShareFeatures = 4096;  // below this, one thread builds a node's histograms
// Threads share out a one-block node's features only when each one's share of a
// row's bins fills cache lines of its own: with narrow rows both would fetch every
// row's line (scattered rows of a deep node, each a cache miss): slower than one.
constexpr std::size_t kFeaturesToShare = 128;
constexpr std::size_t kSlotsToShare = 16384;  // smaller histograms are searched and subtracted by one thread

struct Pending {
  std::int32_t node;
  std::size_t begin, end;
  int depth;
  std::size_t hist;  // index of its histogram buffer
  Split split;
};

template <class C>
class Grower {
 public:
  Grower(const BinnedRows& data, const std::vector<FeatureBins>& bins, std::span<const float> stats,
         std::vector<std::uint32_t> rows, const std::vector<int>& allowed, const C& criterion,
         const GrowerOptions& options, Random& rng, GrowerWorkspace& workspace)
      : data_(data), bins_(bins), stats_(stats.data()), c_(criterion), opt_(options), rng_(rng),
        W_(static_cast<std::size_t>(criterion.width())), layout_(bins), order_(std::move(rows)),
        pool_(workspace.histograms), scratch_(workspace.scratch), partial_(workspace.partial), workspace_(workspace),
        ranks_(options.ranks && options.ranks->size() > 1 ? options.ranks : nullptr), node_stats_(workspace.node_stats),
        ranges_(workspace.ranges), sums_(workspace.sums), search_(criterion, options, rng) {
    sums_.reset(data, stats, W_, std::is_same_v<C, ClassCountCriterion>);
    if (allowed.empty()) {
      features_.resize(data.features);
      std::iota(features_.begin(), features_.end(), 0);
    } else {
      features_ = allowed;
    }
    if (scratch_.size() < order_.size()) scratch_.resize(order_.size());
    node_stats_.clear();
    ranges_.clear();
    searches_.emplace_back(W_);
    every_feature_searched_ =
        features_.size() == data.features && !opt_.random_splits &&
        (opt_.features_per_split <= 0 || static_cast<std::size_t>(opt_.features_per_split) >= features_.size()) &&
        std::is_sorted(features_.begin(), features_.end());
    // The slots a feature's rows can land in: its bins and its missing slot.
    // Others (a uniform layout's slots past a feature's bins) are never
    // written or read, so clearing, merging and subtracting histograms skips them.
    for (std::size_t f = 0; f < data.features; ++f) {
      used_.push_back({layout_.offset[f] * W_, static_cast<std::size_t>(layout_.bins[f]) * W_});
      used_.push_back({(layout_.offset[f] + layout_.missing[f]) * W_, W_});
    }
    // Nodes up to summed_rows_ rows sum each candidate feature from their rows
    // instead of keeping histograms. Small nodes do: that costs less than
    // clearing, subtracting and scanning every used slot of a histogram (the
    // deep nodes of a fully grown tree have a few rows). Every node does when
    // a forest looks at a few random features per node (sqrt of them, say):
    // summing those beats histograms of every feature, even with sibling
    // subtraction halving the latter.
    std::size_t slots = 0;
    for (const auto& [from, length] : used_) slots += length / W_;
    const bool few_features =
        opt_.features_per_split > 0 && 2 * static_cast<std::size_t>(opt_.features_per_split) < features_.size();
    summed_rows_ =
        few_features ? std::numeric_limits<std::size_t>::max() : slots / std::max<std::size_t>(features_.size(), 1);
  }

  GrownTree run() {
    GrownTree out;
    out.tree.value_width = c_.value_width();
    new_node();
    std::vector<double> total(W_, 0.0);
    // Over ranks, a rank without rows still takes part in every node's sums.
    if ((!order_.empty() || ranks_) && !features_.empty()) {
      std::size_t h = kNoHist;
      if (summed(order_.size())) {
        for (auto r : order_)
          for (std::size_t w = 0; w < W_; ++w) total[w] += stats_[static_cast<std::size_t>(r) * W_ + w];
      } else {
        h = take_hist();
        build(hist(h), 0, order_.size());
        sum_over_ranks(hist(h));
        // Every row is in exactly one used slot of any feature: the first one's sum the node's total.
        const auto f0 = static_cast<std::size_t>(features_[0]);
        for (std::size_t part = 2 * f0; part < 2 * f0 + 2; ++part)
          for (std::size_t i = 0; i < used_[part].second; ++i) total[i % W_] += hist(h)[used_[part].first + i];
      }
      set_stats(0, total.data());
      std::vector<Pending> pending;
      pending.push_back(with_split({0, 0, order_.size(), 0, h}, total.data()));
      std::size_t leaves = 1;
      while (!pending.empty()) {
        if (opt_.max_leaves > 0 && leaves >= static_cast<std::size_t>(opt_.max_leaves)) break;
        // Best-first under a leaf budget (leaf-wise growth); otherwise depth-first.
        std::size_t pick = pending.size() - 1;
        if (opt_.max_leaves > 0)
          for (std::size_t i = 0; i < pending.size(); ++i)
            if (pending[i].split.gain > pending[pick].split.gain) pick = i;
        Pending p = std::move(pending[pick]);
        pending.erase(pending.begin() + static_cast<std::ptrdiff_t>(pick));
        if (p.split.feature < 0) {
          free_hist(p.hist);
          continue;
        }
        split_node(p, pending);
        ++leaves;
      }
      for (auto& p : pending) free_hist(p.hist);
    } else {
      set_stats(0, total.data());
    }
    finish(out);
    return out;
  }

 private:
  double* hist(std::size_t i) { return pool_[i].data(); }
  std::size_t take_hist() {
    if (!free_.empty()) {
      const std::size_t i = free_.back();
      free_.pop_back();
      return i;
    }
    const std::size_t size = layout_.slots() * W_;
    // Buffers left by earlier trees are handed out before new ones are made.
    if (pool_next_ < pool_.size()) {
      pool_[pool_next_].resize(size);
      return pool_next_++;
    }
    pool_.emplace_back(size);
    return pool_next_++;
  }
  void free_hist(std::size_t i) {
    if (i != kNoHist) free_.push_back(i);
  }

  // Whether a node of `rows` rows sums its features from its rows instead of
  // keeping histograms. Never over ranks: a node's rows are spread over them,
  // and its histograms are what the ranks add up.
  bool summed(std::size_t rows) const { return !ranks_ && rows <= summed_rows_; }

  // Over ranks: a histogram of this rank's rows becomes that of every rank's
  // rows. Only the used slots of the features the split search may look at
  // travel; every rank ends with the same bits, so every rank splits alike.
  void sum_over_ranks(double* h) {
    if (!ranks_) return;
    std::vector<double>& packed = workspace_.packed;
    packed.clear();
    for (int f : features_)
      for (std::size_t part = 2 * static_cast<std::size_t>(f); part < 2 * static_cast<std::size_t>(f) + 2; ++part)
        packed.insert(packed.end(), h + used_[part].first, h + used_[part].first + used_[part].second);
    ranks_->sum(std::span<double>(packed));
    const double* from = packed.data();
    for (int f : features_)
      for (std::size_t part = 2 * static_cast<std::size_t>(f); part < 2 * static_cast<std::size_t>(f) + 2; ++part) {
        std::copy(from, from + used_[part].second, h + used_[part].first);
        from += used_[part].second;
      }
    workspace_.bytes_summed += packed.size() * sizeof(double);
    ++workspace_.histograms_summed;
  }

  std::int32_t new_node() {
    nodes_.emplace_back();
    node_stats_.resize(node_stats_.size() + W_, 0.0);
    gain_.push_back(0);
    ranges_.emplace_back(0, order_.size());
    return static_cast<std::int32_t>(nodes_.size() - 1);
  }
  void set_stats(std::int32_t node, const double* s) {
    std::copy(s, s + W_, node_stats_.begin() + static_cast<std::ptrdiff_t>(static_cast<std::size_t>(node) * W_));
  }
  const double* stats_of(std::int32_t node) const { return node_stats_.data() + static_cast<std::size_t>(node) * W_; }

  // Large nodes are cut into fixed blocks of rows, each summed into its own
  // histogram in parallel, then added up in block order: the same sums, in the
  // same order, whatever the thread count.
  void build(double* h, std::size_t begin, std::size_t end) {
    const std::size_t size = layout_.slots() * W_;
    const std::size_t n = end - begin;
    const std::uint32_t* rows = order_.data() + begin;
    const std::size_t blocks = (n + kBlockRows - 1) / kBlockRows;
    // One block of wide rows: its features go to the threads in groups
    // instead (a feature's sums still take the rows in order: the same
    // result). Deep nodes of a wide problem would otherwise run on one thread.
    const int threads = opt_.threads > 0 ? opt_.threads : default_threads();
    const std::size_t groups = n >= kRowsToShareFeatures && !inside_parallel_work()
                                   ? std::min<std::size_t>(static_cast<std::size_t>(threads), data_.features)
                                   : 1;
    if (opt_.sparse) {
      // Sparse features skip their common bin: feature groups of equal work,
      // whatever the rows, then each common bin is the node's total minus the rest.
      std::vector<double>& total = node_total_;
      total.assign(W_, 0.0);
      for (std::size_t i = 0; i < n; ++i)
        for (std::size_t w = 0; w < W_; ++w) total[w] += stats_[static_cast<std::size_t>(rows[i]) * W_ + w];
      const std::vector<std::size_t> bounds = balanced_feature_groups(*opt_.sparse, groups);
      parallel_for(bounds.size() - 1, opt_.threads, [&](std::size_t g) {
        const std::size_t f0 = bounds[g], f1 = bounds[g + 1];
        clear(h, f0, f1);
        accumulate_sparse(static_cast<int>(W_), *opt_.sparse, layout_, rows, n, stats_, h, f0, f1);
        derive_common_bins(static_cast<int>(W_), *opt_.sparse, layout_, total.data(), h, f0, f1);
        // A common bin without rows in this node holds exact zeros, not the
        // rounding left by the subtraction: a cut after an empty bin must tie
        // with the cut before it, as it does when every bin is summed.
        const auto& sparse = opt_.sparse->sparse;
        for (auto f = std::lower_bound(sparse.begin(), sparse.end(), f0); f != sparse.end() && *f < f1; ++f) {
          double* common = h + layout_.slot(*f, opt_.sparse->common[*f]) * W_;
          if (c_.count(common) == 0) std::fill_n(common, W_, 0.0);
        }
      });
      return;
    }
    if (blocks <= 1) {
      const std::size_t shared = data_.features >= kFeaturesToShare ? groups : 1;
      parallel_for(shared, opt_.threads, [&](std::size_t g) {
        const std::size_t f0 = g * data_.features / shared, f1 = (g + 1) * data_.features / shared;
        clear(h, f0, f1);
        accumulate(static_cast<int>(W_), data_, layout_, rows, n, stats_, h, f0, f1);
      });
      return;
    }
    // Blocks are summed kPartials at a time, each wave's partial histograms
    // then added to h in block order: h = block 0 + block 1 + ... as one pass
    // over every block would add them, with a bounded number of partials.
    partial_.resize(std::min(blocks, kPartials) * size);
    for (std::size_t first = 0; first < blocks; first += kPartials) {
      const std::size_t count = std::min(kPartials, blocks - first);
      parallel_for(count, opt_.threads, [&](std::size_t i) {
        double* p = partial_.data() + i * size;
        clear(p);
        const std::size_t from = (first + i) * kBlockRows, to = std::min(n, from + kBlockRows);
        accumulate(static_cast<int>(W_), data_, layout_, rows + from, to - from, stats_, p, 0, data_.features);
      });
      parallel_for(used_.size(), opt_.threads, [&](std::size_t r) {
        const auto [from, length] = used_[r];
        if (first == 0)
          std::copy(partial_.begin() + static_cast<std::ptrdiff_t>(from),
                    partial_.begin() + static_cast<std::ptrdiff_t>(from + length), h + from);
        for (std::size_t i = first == 0 ? 1 : 0; i < count; ++i) {
          const double* p = partial_.data() + i * size;
          for (std::size_t j = from; j < from + length; ++j) h[j] += p[j];
        }
      });
    }
  }

  void clear(double* h) const { clear(h, 0, data_.features); }
  // The used slots of features [f0, f1).
  void clear(double* h, std::size_t f0, std::size_t f1) const {
    for (std::size_t r = 2 * f0; r < 2 * f1; ++r) std::fill_n(h + used_[r].first, used_[r].second, 0.0);
  }

  // How many runs of features the threads share a pass over a node's whole
  // histogram in: one for histograms of few slots, where sharing costs more than it saves.
  std::size_t histogram_runs() const {
    if (layout_.slots() < kSlotsToShare || inside_parallel_work()) return 1;
    const int threads = opt_.threads > 0 ? opt_.threads : default_threads();
    return std::min<std::size_t>(static_cast<std::size_t>(threads), data_.features);
  }

  void search_histogram(int f, const double* h, const double* total, double parent_score, Split& best,
                        SearchScratch& scratch) {
    const FeatureBins& fb = bins_[static_cast<std::size_t>(f)];
    const double* fh = h + layout_.offset[static_cast<std::size_t>(f)] * W_;
    const double* missing = fh + layout_.missing[static_cast<std::size_t>(f)] * W_;
    search_.feature(f, fb, fh, missing, AllBins{fb.bins()}, total, parent_score, best, scratch);
  }

  // Boundaries of `runs` runs of `features` of about equal bins, and a search
  // scratch for each run.
  std::vector<std::size_t> feature_runs(const std::vector<int>& features, std::size_t runs) {
    std::size_t slots = 0;
    for (int f : features) slots += layout_.bins[static_cast<std::size_t>(f)];
    std::vector<std::size_t> bounds{0};
    std::size_t done = 0;
    for (std::size_t i = 0; i < features.size() && bounds.size() < runs; ++i) {
      done += layout_.bins[static_cast<std::size_t>(features[i])];
      if (done * runs >= slots * bounds.size()) bounds.push_back(i + 1);
    }
    while (bounds.size() <= runs) bounds.push_back(features.size());
    bounds.back() = features.size();
    while (searches_.size() < runs) searches_.emplace_back(W_);
    return bounds;
  }

  // Every feature's histogram, searched by the threads in runs of features of
  // about equal bins. Each run keeps its first best cut, and the runs are
  // joined in order, keeping the first best: the split one thread finds.
  void search_histograms(const double* h, const double* total, double parent_score, Split& best) {
    const std::vector<int>& candidates = candidates_;
    std::size_t slots = 0;
    for (int f : candidates) slots += layout_.bins[static_cast<std::size_t>(f)];
    const std::size_t runs = slots >= kSlotsToShare ? histogram_runs() : 1;
    if (runs <= 1) {
      for (int f : candidates) search_histogram(f, h, total, parent_score, best, searches_.front());
      return;
    }
    const std::vector<std::size_t> bounds = feature_runs(candidates, runs);
    std::vector<Split> bests(runs);
    parallel_for(runs, opt_.threads, [&](std::size_t r) {
      for (std::size_t i = bounds[r]; i < bounds[r + 1]; ++i)
        search_histogram(candidates[i], h, total, parent_score, bests[r], searches_[r]);
    });
    for (Split& b : bests)
      if (b.gain > best.gain) best = std::move(b);
  }

  // Whether a node at `depth` with statistics `total` may split at all.
  bool can_split(int depth, const double* total) const {
    return !(opt_.max_depth > 0 && depth >= opt_.max_depth) && c_.count(total) >= 2 * opt_.min_samples_leaf;
  }
  // `h` holds the node's histograms of every feature, or is null for a node
  // whose candidate features are summed from rows[begin, end) on demand.
  // Either way a feature's split search visits its bins in order; a summed
  // node visits only the bins its rows use. Empty bins change no sum, and a
  // cut after one ties with the cut after the last used bin before it, which
  // comes first and wins: both ways find the same split.
  Split best_split(const double* h, const double* total, int depth, std::size_t begin, std::size_t end) {
    Split best;
    if (!can_split(depth, total)) return best;
    const double parent_score = c_.score(total);
    std::vector<int>& candidates = candidates_;  // a member: a deep tree has thousands of nodes
    candidates = features_;
    std::size_t wanted =
        opt_.features_per_split > 0 ? static_cast<std::size_t>(opt_.features_per_split) : candidates.size();
    if (wanted < candidates.size()) rng_.shuffle(std::span(candidates));
    // A node of one class gains from no split (in whole-number weights,
    // exactly 0): a leaf without a search, as scikit-learn's. Its features are
    // still drawn, and extra trees still search (they draw random cuts): every
    // later node draws what it drew before.
    if (c_.pure(total) && !opt_.random_splits) return best;
    wanted = std::min(wanted, candidates.size());
    if (h && wanted == candidates.size() && !opt_.random_splits) {
      search_histograms(h, total, parent_score, best);
    } else if (h) {
      std::size_t tried = 0;
      for (int f : candidates) {
        // Like scikit-learn, keep looking past max_features until some split is valid.
        if (tried++ >= wanted && best.feature >= 0) break;
        search_histogram(f, h, total, parent_score, best, searches_.front());
      }
    } else {
      search_summed(total, parent_score, wanted, begin, end, best);
    }
    if (best.gain <= opt_.min_gain) best.feature = -1;
    return best;
  }

  // The node of rows [begin, end) searched feature by feature, each summed
  // from its rows; a forest's node in lanes of the classes it holds (see
  // class_lanes.hpp), its best split's statistics then put back in every class.
  void search_summed(const double* total, double parent_score, std::size_t wanted, std::size_t begin, std::size_t end,
                     Split& best) {
    if constexpr (std::is_same_v<C, ClassCountCriterion>) {
      lanes_.of(total, W_ - 1);
      sums_.gather(order_.data() + begin, end - begin, candidates_, wanted, &lanes_);
      if (sums_.width() < W_) {
        const C in_lanes = c_.in_lanes(static_cast<int>(lanes_.classes()));
        SplitSearch<C> search(in_lanes, opt_, rng_);
        search_rows(search, lanes_.compact(total).data(), parent_score, wanted, begin, end, best);
        if (best.feature < 0) return;
        lanes_.expand(best.left);
        lanes_.expand(best.right);
        return;
      }
    } else {
      sums_.gather(order_.data() + begin, end - begin, candidates_, wanted);
    }
    search_rows(search_, total, parent_score, wanted, begin, end, best);
  }
  void search_rows(SplitSearch<C>& search, const double* total, double parent_score, std::size_t wanted,
                   std::size_t begin, std::size_t end, Split& best) {
    std::size_t tried = 0;
    for (int f : candidates_) {
      // Like scikit-learn, keep looking past max_features until some split is valid.
      if (tried >= wanted && best.feature >= 0) break;
      const double* fh = sums_.feature(f, tried++, order_.data() + begin, end - begin, present_);
      if (!fh) continue;  // its rows share one bin: no split
      search.feature(f, bins_[static_cast<std::size_t>(f)], fh, fh + std::size_t{kMissingBin} * sums_.width(),
                     std::span<const std::uint8_t>(present_), total, parent_score, best, searches_.front());
      sums_.clear(present_);
    }
  }

  // A node waiting to be split, with its best split. Its histogram is kept
  // only if its children will take theirs from it (one built, the other the
  // parent's minus it); a node that cannot split, or whose children will be
  // leaves at max_depth, gives it back at once: the deepest level's
  // histograms are half of those a tree would otherwise keep.
  Pending with_split(Pending p, const double* total) {
    p.split = best_split(p.hist == kNoHist ? nullptr : hist(p.hist), total, p.depth, p.begin, p.end);
    return keeping_what_it_needs(std::move(p));
  }
  Pending keeping_what_it_needs(Pending p) {
    if (p.split.feature < 0 || (opt_.max_depth > 0 && p.depth + 1 >= opt_.max_depth)) {
      free_hist(p.hist);
      p.hist = kNoHist;
    }
    return p;
  }

  void split_node(Pending& p, std::vector<Pending>& pending) {
    const Split& s = p.split;
    const std::size_t mid =
        p.begin + partition_rows(std::span(order_).subspan(p.begin, p.end - p.begin),
                                 std::span(scratch_).subspan(p.begin), data_, s, kBlockRows, opt_.threads);

    const std::int32_t left = new_node(), right = new_node();
    Node& n = nodes_[static_cast<std::size_t>(p.node)];
    n.left = left;
    n.feature = static_cast<std::uint16_t>(s.feature);
    n.threshold = s.threshold;
    n.cut = s.categorical ? 0.0 : bins_[static_cast<std::size_t>(s.feature)].upper_edge(s.threshold);
    n.flags =
        static_cast<std::uint8_t>((s.missing_left ? Node::kMissingLeft : 0) | (s.categorical ? Node::kCategorical : 0));
    if (s.categorical) {
      n.payload = static_cast<std::uint32_t>(bitsets_.size());
      bitsets_.insert(bitsets_.end(), s.bitset.begin(), s.bitset.end());
    }
    gain_[static_cast<std::size_t>(p.node)] = s.gain;
    set_stats(left, s.left.data());
    set_stats(right, s.right.data());
    ranges_[static_cast<std::size_t>(left)] = {p.begin, mid};
    ranges_[static_cast<std::size_t>(right)] = {mid, p.end};

    // Children that can never split (at max_depth, or too small for two leaves)
    // need no histograms at all: at depth 6 that is an eighth of the work.
    const int depth = p.depth + 1;
    const bool at_limit = opt_.max_depth > 0 && depth >= opt_.max_depth;
    const bool too_small =
        c_.count(s.left.data()) < 2 * opt_.min_samples_leaf && c_.count(s.right.data()) < 2 * opt_.min_samples_leaf;
    if (at_limit || too_small) {
      free_hist(p.hist);
      return;  // both stay leaves; their statistics are already set
    }
    if (summed(std::max(mid - p.begin, p.end - mid))) {
      free_hist(p.hist);
      pending.push_back({left, p.begin, mid, depth, kNoHist, best_split(nullptr, s.left.data(), depth, p.begin, mid)});
      pending.push_back({right, mid, p.end, depth, kNoHist, best_split(nullptr, s.right.data(), depth, mid, p.end)});
      return;
    }
    // Build the smaller child's histogram; the larger one is the parent's minus
    // it. Over ranks "smaller" counts every rank's rows, so all ranks build the same child.
    const bool left_small = ranks_ ? c_.count(s.left.data()) <= c_.count(s.right.data()) : mid - p.begin <= p.end - mid;
    const std::size_t small = take_hist(), large = p.hist;
    if (left_small) build(hist(small), p.begin, mid);
    else build(hist(small), mid, p.end);
    sum_over_ranks(hist(small));
    double* hl = hist(large);
    const double* hs = hist(small);
    const std::size_t lh = left_small ? small : large, rh = left_small ? large : small;
    const auto subtract = [&](std::size_t f) {
      for (std::size_t part = 2 * f; part < 2 * f + 2; ++part)
        for (std::size_t i = used_[part].first; i < used_[part].first + used_[part].second; ++i) hl[i] -= hs[i];
    };
    const std::size_t runs = histogram_runs();
    if (runs > 1 && every_feature_searched_) {
      // Wide nodes: each thread subtracts a run of features and searches both
      // children in them while their histograms are still in its cache, where
      // searching afterwards would read them all back from memory.
      Pending l{left, p.begin, mid, depth, lh}, r{right, mid, p.end, depth, rh};
      const bool search_l = can_split(depth, s.left.data()), search_r = can_split(depth, s.right.data());
      const double score_l = c_.score(s.left.data()), score_r = c_.score(s.right.data());
      const std::vector<std::size_t> bounds = feature_runs(features_, runs);
      std::vector<Split> lefts(runs), rights(runs);
      parallel_for(runs, opt_.threads, [&](std::size_t run) {
        for (std::size_t i = bounds[run]; i < bounds[run + 1]; ++i) {
          const int f = features_[i];
          subtract(static_cast<std::size_t>(f));
          if (search_l) search_histogram(f, hist(lh), s.left.data(), score_l, lefts[run], searches_[run]);
          if (search_r) search_histogram(f, hist(rh), s.right.data(), score_r, rights[run], searches_[run]);
        }
      });
      for (std::size_t run = 0; run < runs; ++run) {
        if (lefts[run].gain > l.split.gain) l.split = std::move(lefts[run]);
        if (rights[run].gain > r.split.gain) r.split = std::move(rights[run]);
      }
      for (Split* split : {&l.split, &r.split})
        if (split->gain <= opt_.min_gain) split->feature = -1;
      pending.push_back(keeping_what_it_needs(std::move(l)));
      pending.push_back(keeping_what_it_needs(std::move(r)));
      return;
    }
    parallel_for(runs, opt_.threads, [&](std::size_t r) {
      for (std::size_t f = r * data_.features / runs; f < (r + 1) * data_.features / runs; ++f) subtract(f);
    });
    pending.push_back(with_split({left, p.begin, mid, depth, lh}, s.left.data()));
    pending.push_back(with_split({right, mid, p.end, depth, rh}, s.right.data()));
  }

  void finish(GrownTree& out) {
    HistTree& t = out.tree;
    t.nodes = std::move(nodes_);
    t.bitsets = std::move(bitsets_);
    t.gain = std::move(gain_);
    t.cover.resize(t.nodes.size());
    std::vector<double> value(static_cast<std::size_t>(t.value_width));
    const auto leaves = static_cast<std::size_t>(
        std::count_if(t.nodes.begin(), t.nodes.end(), [](const Node& n) { return n.left < 0; }));
    t.values.reserve(leaves * value.size());
    out.leaves.reserve(leaves);
    for (std::size_t i = 0; i < t.nodes.size(); ++i) {
      const double* s = stats_of(static_cast<std::int32_t>(i));
      t.cover[i] = c_.weight(s);
      if (t.nodes[i].left >= 0) continue;
      t.nodes[i].payload = static_cast<std::uint32_t>(t.values.size() / value.size());
      c_.leaf(s, value.data());
      t.values.insert(t.values.end(), value.begin(), value.end());
      out.leaves.push_back({static_cast<std::int32_t>(i), ranges_[i].first, ranges_[i].second});
    }
    out.order = std::move(order_);
  }

  const BinnedRows& data_;
  const std::vector<FeatureBins>& bins_;
  std::vector<std::pair<std::size_t, std::size_t>> used_;  // (offset, length) in a histogram, 2 per feature
  const float* stats_;
  const C& c_;
  const GrowerOptions& opt_;
  Random& rng_;
  std::size_t W_;
  const HistogramLayout layout_;
  std::vector<std::uint32_t> order_;
  std::vector<HistogramBuffer>& pool_;
  std::vector<std::uint32_t>& scratch_;
  HistogramBuffer& partial_;
  GrowerWorkspace& workspace_;
  Communicator* ranks_;        // null unless the rows are spread over more than one rank
  std::size_t pool_next_ = 0;  // pool_[0, pool_next_) are in use by this tree or on free_
  std::vector<int> features_;
  std::vector<std::size_t> free_;
  std::vector<Node> nodes_;
  std::vector<std::uint32_t> bitsets_;
  std::vector<double>& node_stats_;  // the workspace's, as ranges_: reused from tree to tree
  std::vector<double> gain_;
  std::vector<std::pair<std::size_t, std::size_t>>& ranges_;
  std::vector<SearchScratch> searches_;  // one per thread searching a node's histograms
  std::vector<double> node_total_;       // a sparse build's sums over the node's rows
  NodeSums& sums_;                       // a summed node's features, one at a time (the workspace's)
  ClassLanes lanes_;                     // a forest node's classes (see class_lanes.hpp)
  SplitSearch<C> search_;
  std::vector<std::uint8_t> present_;  // the bins a summed node's rows use
  // Scratch of the split search, kept to spare an allocation per node.
  std::vector<int> candidates_;
  bool every_feature_searched_ = false;  // each node's search looks at every feature, in order, in its histogram
  std::size_t summed_rows_ = 0;          // nodes this small sum features from their rows
  static constexpr std::size_t kNoHist = static_cast<std::size_t>(-1);
};

}  // namespace

GrownTree grow_tree(const BinnedRows& data, const std::vector<FeatureBins>& bins, std::span<const float> stats,
                    std::vector<std::uint32_t> rows, const std::vector<int>& allowed, const Criterion& criterion,
                    const GrowerOptions& options, Random& rng, GrowerWorkspace* workspace) {
  GrowerWorkspace local;
  GrowerWorkspace& ws = workspace ? *workspace : local;
  if (const auto* c = dynamic_cast<const BoostingCriterion*>(&criterion))
    return Grower<BoostingCriterion>(data, bins, stats, std::move(rows), allowed, *c, options, rng, ws).run();
  if (const auto* c = dynamic_cast<const ClassCountCriterion*>(&criterion))
    return Grower<ClassCountCriterion>(data, bins, stats, std::move(rows), allowed, *c, options, rng, ws).run();
  if (const auto* c = dynamic_cast<const VarianceCriterion*>(&criterion))
    return Grower<VarianceCriterion>(data, bins, stats, std::move(rows), allowed, *c, options, rng, ws).run();
  return Grower<Criterion>(data, bins, stats, std::move(rows), allowed, criterion, options, rng, ws).run();
}

}  // namespace shipml::hist
