#include "tree_shap.hpp"

#include <algorithm>

#include "leaf_paths.hpp"
#include "shipml/core/error.hpp"
#include "shipml/core/interrupt.hpp"
#include "shipml/core/parallel.hpp"
#include "shipml/core/progress.hpp"

namespace shipml::explain {
namespace {

// Numbers all the trees' leaf tables may hold between them: 64 MB.
constexpr std::size_t kTableBudget = std::size_t{1} << 23;

}  // namespace

std::vector<int> explained_values(int classes) {
  if (classes == 0) return {0};
  if (classes == 2) return {1};
  std::vector<int> all(static_cast<std::size_t>(classes));
  for (int k = 0; k < classes; ++k) all[static_cast<std::size_t>(k)] = k;
  return all;
}

void ShapTree::finish() {
  const std::size_t n = left.size();
  if (n == 0 || right.size() != n || feature.size() != n || cover.size() != n ||
      value.size() != n * static_cast<std::size_t>(width))
    throw ModelError("a tree to explain has arrays of different sizes");
  std::vector<int> level(n, 0);
  depth = 0;
  for (std::size_t i = 0; i < n; ++i) {
    depth = std::max(depth, level[i]);
    if (leaf(i)) continue;
    for (const std::int32_t child : {left[i], right[i]}) {
      if (child <= static_cast<std::int32_t>(i) || static_cast<std::size_t>(child) >= n)
        throw ModelError("a tree to explain has a child before its parent");
      level[static_cast<std::size_t>(child)] = level[i] + 1;
    }
  }
}

void add_expected_value(const ShapTree& t, double scale, double* expected) {
  // The share of the root's cover reaching each node; children come after their parent.
  std::vector<double> reach(t.left.size(), 0.0);
  reach[0] = 1;
  for (std::size_t i = 0; i < reach.size(); ++i) {
    if (!t.leaf(i)) {
      reach[static_cast<std::size_t>(t.left[i])] = reach[i] * t.share(i, t.left[i]);
      reach[static_cast<std::size_t>(t.right[i])] = reach[i] * t.share(i, t.right[i]);
      continue;
    }
    const double* v = t.value.data() + i * static_cast<std::size_t>(t.width);
    for (int k = 0; k < t.width; ++k) expected[t.first_output + static_cast<std::size_t>(k)] += scale * reach[i] * v[k];
  }
}

double ShapTree::share(std::size_t node, std::int32_t child) const {
  const double total = cover[static_cast<std::size_t>(left[node])] + cover[static_cast<std::size_t>(right[node])];
  return total > 0 ? cover[static_cast<std::size_t>(child)] / total : 0.5;
}

TreeExplainer::TreeExplainer(std::vector<ShapTree> trees, double scale, std::vector<double> base)
    : trees_(std::move(trees)), scale_(scale), expected_(std::move(base)) {
  std::size_t budget = kTableBudget;
  paths_.reserve(trees_.size());
  for (const auto& t : trees_) {
    add_expected_value(t, scale_, expected_.data());
    nodes_ = std::max(nodes_, t.left.size());
    paths_.emplace_back(t).tabulate(budget);
  }
}

FeatureContributions TreeExplainer::explain(const FeatureMatrix& X, const ContributionRequest& request,
                                            const Route& route) const {
  const std::size_t outputs = expected_.size(), features = X.cols(), rows = X.rows();
  const std::size_t groups = request.group_of.empty() ? features : request.groups;
  FeatureContributions out;
  out.method = "tree_shap";
  out.expected = expected_;
  out.values.assign(outputs, Matrix::Zero(static_cast<Eigen::Index>(rows), static_cast<Eigen::Index>(groups)));
  constexpr std::size_t kBlock = 16;
  const std::size_t blocks = (rows + kBlock - 1) / kBlock;
  Progress progress("explaining", blocks);
  parallel_for(blocks, 0, [&](std::size_t b) {
    throw_if_stopped("explaining");
    std::vector<std::uint8_t> goes_left(nodes_);
    std::vector<double> phi(features * outputs);
    for (std::size_t i = b * kBlock; i < std::min(rows, (b + 1) * kBlock); ++i) {
      std::fill(phi.begin(), phi.end(), 0.0);
      for (std::size_t t = 0; t < trees_.size(); ++t) {
        route(t, i, goes_left);
        paths_[t].add(goes_left, scale_, phi.data(), outputs);
      }
      for (std::size_t f = 0; f < features; ++f)
        for (std::size_t o = 0; o < outputs; ++o)
          out.values[o](static_cast<Eigen::Index>(i), static_cast<Eigen::Index>(request.group(f))) +=
              phi[f * outputs + o];
    }
    progress.tick();
  });
  return out;
}

std::shared_ptr<const TreeExplainer> TreeExplainerCache::get(
    const std::function<std::unique_ptr<TreeExplainer>()>& build) const {
  const std::lock_guard lock(mutex_);
  if (!explainer_) explainer_ = build();
  return explainer_;
}

void TreeExplainerCache::reset() {
  const std::lock_guard lock(mutex_);
  explainer_.reset();
}

}  // namespace shipml::explain
