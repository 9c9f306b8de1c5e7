// CART decision tree for classification (gini, entropy) and regression (squared
// error). Exact splits over sorted values; missing values are routed to whichever
// side gives the better split, and unseen-at-training missing values follow the
// larger child. Weights as scikit-learn's: impurities and leaf values are
// weighted, min_samples_leaf and min_samples_split count rows, and rows of
// weight 0 take no part.
#include <algorithm>
#include <cmath>
#include <numeric>

#include "builtin.hpp"
#include "shipml/core/error.hpp"
#include "shipml/core/interrupt.hpp"
#include "shipml/core/random.hpp"
#include "tree.hpp"
#include "tree_params.hpp"

namespace shipml::builtin {
namespace {

enum class Criterion { gini, entropy, squared_error };

// Sufficient statistics of a set of rows: class weights, or weight/sum/sum of
// squares (weighted), and the number of rows.
struct Stats {
  std::vector<double> counts;  // classification: the weight of each class
  double n = 0, sum = 0, sum_sq = 0;
  double rows = 0;

  explicit Stats(int n_classes = 0) : counts(static_cast<std::size_t>(n_classes), 0.0) {}
  void add(double y, double w, double sign = 1) {
    n += sign * w;
    rows += sign;
    if (!counts.empty()) counts[static_cast<std::size_t>(y)] += sign * w;
    else sum += sign * w * y, sum_sq += sign * w * y * y;
  }
  void merge(const Stats& o, double sign = 1) {
    n += sign * o.n;
    rows += sign * o.rows;
    sum += sign * o.sum;
    sum_sq += sign * o.sum_sq;
    for (std::size_t c = 0; c < counts.size(); ++c) counts[c] += sign * o.counts[c];
  }
  /// n × impurity of these rows plus `extra` (if given): the quantity a split
  /// minimises across its children. Adding `extra` here avoids copying counts.
  double weighted_impurity(Criterion criterion, const Stats* extra = nullptr) const {
    const double total = n + (extra ? extra->n : 0);
    if (total <= 0) return 0;
    auto count = [&](std::size_t c) { return counts[c] + (extra ? extra->counts[c] : 0); };
    switch (criterion) {
      case Criterion::gini: {
        double sq = 0;
        for (std::size_t c = 0; c < counts.size(); ++c) sq += count(c) * count(c);
        return total - sq / total;
      }
      case Criterion::entropy: {
        double h = 0;
        for (std::size_t c = 0; c < counts.size(); ++c)
          if (count(c) > 0) h -= count(c) * std::log2(count(c) / total);
        return h;
      }
      case Criterion::squared_error: {
        const double s = sum + (extra ? extra->sum : 0), sq = sum_sq + (extra ? extra->sum_sq : 0);
        return std::max(0.0, sq - s * s / total);
      }
    }
    return 0;
  }
};

struct Split {
  int feature = -1;
  double threshold = 0;
  bool missing_left = false;
  double children_impurity = std::numeric_limits<double>::infinity();
};

class DecisionTree final : public Estimator {
 public:
  explicit DecisionTree(const Params& p)
      : criterion_name_(p.text("criterion")), max_depth_(p.integer("max_depth")),
        min_samples_split_(p.integer("min_samples_split")), min_samples_leaf_(p.integer("min_samples_leaf")),
        max_features_(p.text("max_features")), seed_(static_cast<std::uint64_t>(p.integer("seed"))) {}

  void fit(const FeatureMatrix& X, std::span<const double> y, int n_classes, std::span<const double> weights) override {
    explainer_.reset();
    n_classes_ = n_classes;
    n_features_ = X.cols();
    const std::string criterion = resolve_criterion("decision_tree", criterion_name_, n_classes);
    criterion_ = criterion == "gini"      ? Criterion::gini
                 : criterion == "entropy" ? Criterion::entropy
                                          : Criterion::squared_error;
    Builder(*this, X, y, weights).build();
  }

  Matrix predict_proba(const FeatureMatrix& X) const override {
    if (!n_classes_) return Estimator::predict_proba(X);
    check(X);
    Matrix P(static_cast<Eigen::Index>(X.rows()), n_classes_);
    for (std::size_t i = 0; i < X.rows(); ++i) {
      const double* v = tree_.leaf_value(tree_.leaf(X, i));
      for (int c = 0; c < n_classes_; ++c) P(static_cast<Eigen::Index>(i), c) = v[c];
    }
    return P;
  }

  std::vector<double> predict(const FeatureMatrix& X) const override {
    if (n_classes_) return Estimator::predict(X);
    check(X);
    std::vector<double> out(X.rows());
    for (std::size_t i = 0; i < X.rows(); ++i) out[i] = *tree_.leaf_value(tree_.leaf(X, i));
    return out;
  }

  void save(BinaryWriter& out) const override {
    out.u32(static_cast<std::uint32_t>(n_classes_));
    out.u64(static_cast<std::uint64_t>(n_features_));
    tree_.save(out);
  }

  void load(BinaryReader& in) override {
    n_classes_ = stored_class_count(in.u32(), "decision_tree");
    n_features_ = static_cast<std::size_t>(in.u64());
    explainer_.reset();
    tree_.load(in, n_features_);
    if (tree_.value_width != std::max(1, n_classes_)) BinaryReader::fail("tree leaf width does not match its classes");
  }

  EstimatorShape shape() const override { return {n_features_, static_cast<std::size_t>(n_classes_)}; }

  nlohmann::json dump_trees(const std::vector<std::string>& names) const override { return tree_.dump(names); }

  // Path-dependent TreeSHAP of the probabilities or the value (the leaf values).
  std::optional<FeatureContributions> contributions(const FeatureMatrix& X,
                                                    const ContributionRequest& request) const override {
    check(X);
    const auto explainer = explainer_.get([&] {
      const std::vector<int> columns = explain::explained_values(n_classes_);
      return std::make_unique<explain::TreeExplainer>(std::vector{tree_.shap_tree(columns)}, 1.0,
                                                      std::vector<double>(columns.size(), 0.0));
    });
    return explainer->explain(X, request, [&](std::size_t, std::size_t row, std::vector<std::uint8_t>& goes_left) {
      tree_.route(X, row, goes_left);
    });
  }

  nlohmann::json inspect(const std::vector<std::string>& names, const std::vector<std::string>&) const override {
    std::vector<double> importance(n_features_, 0.0);
    std::size_t leaves = 0;
    for (std::size_t i = 0; i < tree_.size(); ++i) {
      if (tree_.feature[i] == Tree::kLeaf) ++leaves;
      else importance[static_cast<std::size_t>(tree_.feature[i])] += tree_.gain[i];
    }
    const double total = std::accumulate(importance.begin(), importance.end(), 0.0);
    nlohmann::json imp = nlohmann::json::object();
    for (std::size_t j = 0; j < importance.size(); ++j)
      imp[j < names.size() ? names[j] : std::to_string(j)] = total > 0 ? importance[j] / total : 0.0;
    return {{"nodes", tree_.size()}, {"leaves", leaves}, {"depth", depth()}, {"feature_importances", imp}};
  }

 private:
  void check(const FeatureMatrix& X) const {
    if (X.cols() != n_features_)
      throw ModelError("decision_tree: expected " + std::to_string(n_features_) + " encoded features");
  }

  int depth() const {
    std::vector<int> level(tree_.size(), 0);
    int deepest = 0;
    for (std::size_t i = 0; i < tree_.size(); ++i) {
      deepest = std::max(deepest, level[i]);
      if (tree_.feature[i] != Tree::kLeaf) level[tree_.left[i]] = level[tree_.right[i]] = level[i] + 1;
    }
    return deepest;
  }

  // Grows the tree depth first; rows of a node are a contiguous range of `rows_`.
  class Builder {
   public:
    Builder(DecisionTree& owner, const FeatureMatrix& X, std::span<const double> y, std::span<const double> weights)
        : t_(owner), X_(X), y_(y), w_(weights), rng_(owner.seed_) {
      for (std::size_t i = 0; i < X.rows(); ++i)
        if (w_.empty() || w_[i] > 0) rows_.push_back(static_cast<std::uint32_t>(i));
      features_.resize(static_cast<std::size_t>(X.cols()));
      std::iota(features_.begin(), features_.end(), 0);
      n_try_ = features_to_try(t_.max_features_, static_cast<int>(X.cols()));
    }

    void build() {
      Tree& tree = t_.tree_;
      tree = Tree{};
      tree.value_width = std::max(1, t_.n_classes_);
      struct Pending {
        std::size_t node, begin, end;
        std::int64_t depth;
      };
      std::vector<Pending> stack{{new_node(0, rows_.size()), 0, rows_.size(), 0}};
      while (!stack.empty()) {
        throw_if_stopped("decision_tree training");
        const Pending p = stack.back();
        stack.pop_back();
        const std::size_t n = p.end - p.begin;  // rows, whatever their weights
        const Stats stats = stats_of(p.begin, p.end);
        const double impurity = stats.weighted_impurity(t_.criterion_);
        if ((t_.max_depth_ > 0 && p.depth >= t_.max_depth_) || static_cast<std::int64_t>(n) < t_.min_samples_split_ ||
            static_cast<std::int64_t>(n) < 2 * t_.min_samples_leaf_ || impurity <= 1e-12 * std::max(1.0, stats.n))
          continue;
        const Split best = find_split(p.begin, p.end, stats);
        if (best.feature < 0 || impurity - best.children_impurity <= 1e-12 * std::max(1.0, impurity)) continue;
        const std::size_t mid = partition(p.begin, p.end, best);
        const std::size_t l = new_node(p.begin, mid), r = new_node(mid, p.end);
        tree.feature[p.node] = best.feature;
        tree.threshold[p.node] = best.threshold;
        tree.missing_left[p.node] = best.missing_left;
        tree.left[p.node] = static_cast<std::int32_t>(l);
        tree.right[p.node] = static_cast<std::int32_t>(r);
        tree.gain[p.node] = impurity - best.children_impurity;
        stack.push_back({r, mid, p.end, p.depth + 1});
        stack.push_back({l, p.begin, mid, p.depth + 1});
      }
    }

   private:
    Stats stats_of(std::size_t begin, std::size_t end) const {
      Stats s(t_.n_classes_);
      for (std::size_t i = begin; i < end; ++i) s.add(y_[rows_[i]], weight(rows_[i]));
      return s;
    }

    std::size_t new_node(std::size_t begin, std::size_t end) {
      Tree& tree = t_.tree_;
      const Stats s = stats_of(begin, end);
      tree.feature.push_back(Tree::kLeaf);
      tree.threshold.push_back(0);
      tree.left.push_back(-1);
      tree.right.push_back(-1);
      tree.missing_left.push_back(0);
      tree.gain.push_back(0);
      tree.samples.push_back(s.n);
      if (t_.n_classes_)
        for (double c : s.counts) tree.value.push_back(s.n > 0 ? c / s.n : 0);
      else tree.value.push_back(s.n > 0 ? s.sum / s.n : 0);
      return tree.size() - 1;
    }

    Split find_split(std::size_t begin, std::size_t end, const Stats& total) {
      if (n_try_ < static_cast<int>(features_.size()))  // partial Fisher-Yates: the first n_try_ are a sample
        for (int i = 0; i < n_try_; ++i)
          std::swap(features_[static_cast<std::size_t>(i)], features_[i + rng_.below(features_.size() - i)]);
      Split best;
      const double min_leaf = static_cast<double>(t_.min_samples_leaf_);
      for (int k = 0; k < n_try_; ++k) {
        const int f = features_[static_cast<std::size_t>(k)];
        sorted_.clear();
        Stats missing(t_.n_classes_);
        for (std::size_t i = begin; i < end; ++i) {
          const double x = X_(rows_[i], f);
          if (std::isnan(x)) missing.add(y_[rows_[i]], weight(rows_[i]));
          else sorted_.emplace_back(x, rows_[i]);
        }
        if (sorted_.size() < 2) continue;
        std::sort(sorted_.begin(), sorted_.end());
        Stats left(t_.n_classes_), right = total;
        right.merge(missing, -1);
        for (std::size_t i = 0; i + 1 < sorted_.size(); ++i) {
          const double yi = y_[sorted_[i].second], wi = weight(sorted_[i].second);
          left.add(yi, wi);
          right.add(yi, wi, -1);
          if (sorted_[i].first == sorted_[i + 1].first) continue;
          for (int side = 0; side < (missing.rows > 0 ? 2 : 1); ++side) {
            const Stats* to_left = side == 1 ? &missing : nullptr;
            const Stats* to_right = side == 0 && missing.rows > 0 ? &missing : nullptr;
            const double rows_left = left.rows + (to_left ? missing.rows : 0),
                         rows_right = right.rows + (to_right ? missing.rows : 0);
            if (rows_left < min_leaf || rows_right < min_leaf) continue;
            const double n_left = left.n + (to_left ? missing.n : 0), n_right = right.n + (to_right ? missing.n : 0);
            const double children =
                left.weighted_impurity(t_.criterion_, to_left) + right.weighted_impurity(t_.criterion_, to_right);
            if (children < best.children_impurity) {
              double threshold = 0.5 * (sorted_[i].first + sorted_[i + 1].first);
              if (threshold >= sorted_[i + 1].first) threshold = sorted_[i].first;  // rounding between neighbours
              // No missing values seen here: send future ones to the larger child.
              const bool missing_left = missing.rows > 0 ? side == 1 : n_left >= n_right;
              best = {f, threshold, missing_left, children};
            }
          }
        }
      }
      return best;
    }

    std::size_t partition(std::size_t begin, std::size_t end, const Split& s) {
      auto goes_left = [&](std::uint32_t row) {
        const double x = X_(row, s.feature);
        return std::isnan(x) ? s.missing_left : x <= s.threshold;
      };
      auto mid = std::stable_partition(rows_.begin() + static_cast<std::ptrdiff_t>(begin),
                                       rows_.begin() + static_cast<std::ptrdiff_t>(end), goes_left);
      return static_cast<std::size_t>(mid - rows_.begin());
    }

    DecisionTree& t_;
    // A row's weight: 1 when the fit has none.
    double weight(std::uint32_t row) const { return w_.empty() ? 1.0 : w_[row]; }

    const FeatureMatrix& X_;
    std::span<const double> y_, w_;
    Random rng_;
    std::vector<std::uint32_t> rows_;
    std::vector<int> features_;
    int n_try_ = 0;
    std::vector<std::pair<double, std::uint32_t>> sorted_;
  };

  std::string criterion_name_;
  std::int64_t max_depth_, min_samples_split_, min_samples_leaf_;
  std::string max_features_;
  std::uint64_t seed_;
  Criterion criterion_ = Criterion::gini;
  int n_classes_ = 0;
  std::size_t n_features_ = 0;
  Tree tree_;
  explain::TreeExplainerCache explainer_;  // built on the first explanation
};

}  // namespace

EstimatorInfo decision_tree_info() {
  return {
      .name = "decision_tree",
      .summary = "CART decision tree (gini/entropy or squared error) with native missing values",
      .tasks = {Task::classification, Task::regression},
      .encoding = InputEncoding::ordinal,
      .params =
          {
              criterion_param(),
              int_param("max_depth", 0, 0, "deepest level a node may reach (0 = unlimited)"),
              int_param("min_samples_split", 2, 2, "fewest samples a node needs to be split"),
              int_param("min_samples_leaf", 1, 1, "fewest samples each leaf keeps"),
              max_features_param("all", "features tried at each split"),
              int_param("seed", 0, 0, "seed for the feature sampling"),
          },
      .create = [](const Params& p, Task) { return std::make_unique<DecisionTree>(p); },
  };
}

}  // namespace shipml::builtin
