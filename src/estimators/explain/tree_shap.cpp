#include "tree_shap.hpp"

#include <algorithm>

#include "shipml/core/error.hpp"
#include "shipml/core/interrupt.hpp"
#include "shipml/core/parallel.hpp"
#include "shipml/core/progress.hpp"

namespace shipml::explain {
namespace {

// One unique feature on the path from the root, as Algorithm 2 keeps it: the
// share of the cover that follows the path through its splits (zero: the
// feature unknown), whether the row follows it (one), and the weight of the
// coalitions of this element's size.
struct PathElement {
  std::int32_t feature = -1;
  double zero = 0, one = 0, weight = 0;
};

// A split's branch shares: each child's cover over both children's. Over both
// children, not the node's own cover, so the shares sum to 1 even where a
// cover is a float sum (hessians) that its children's do not add up to
// exactly: the contributions then sum to the prediction minus the expected
// value to rounding.
double share(const ShapTree& t, std::size_t node, std::int32_t child) {
  const double total =
      t.cover[static_cast<std::size_t>(t.left[node])] + t.cover[static_cast<std::size_t>(t.right[node])];
  return total > 0 ? t.cover[static_cast<std::size_t>(child)] / total : 0.5;
}

// EXTEND: a new unique feature, followed by shares `zero` and `one`.
void extend(PathElement* path, std::size_t depth, double zero, double one, std::int32_t feature) {
  path[depth] = {feature, zero, one, depth == 0 ? 1.0 : 0.0};
  const double size = static_cast<double>(depth + 1);
  for (std::size_t i = depth; i-- > 0;) {
    path[i + 1].weight += one * path[i].weight * static_cast<double>(i + 1) / size;
    path[i].weight = zero * path[i].weight * static_cast<double>(depth - i) / size;
  }
}

// UNWIND: element `index` taken out again (its feature splits once more below).
void unwind(PathElement* path, std::size_t depth, std::size_t index) {
  const double one = path[index].one, zero = path[index].zero, size = static_cast<double>(depth + 1);
  double next = path[depth].weight;
  for (std::size_t i = depth; i-- > 0;) {
    if (one != 0) {
      const double kept = path[i].weight;
      path[i].weight = next * size / (static_cast<double>(i + 1) * one);
      next = kept - path[i].weight * zero * static_cast<double>(depth - i) / size;
    } else {
      path[i].weight = path[i].weight * size / (zero * static_cast<double>(depth - i));
    }
  }
  for (std::size_t i = index; i < depth; ++i) {
    path[i].feature = path[i + 1].feature;
    path[i].zero = path[i + 1].zero;
    path[i].one = path[i + 1].one;
  }
}

// The total weight of the path with element `index` unwound, without changing it.
double unwound_sum(const PathElement* path, std::size_t depth, std::size_t index) {
  const double one = path[index].one, zero = path[index].zero, size = static_cast<double>(depth + 1);
  double next = path[depth].weight, total = 0;
  for (std::size_t i = depth; i-- > 0;) {
    if (one != 0) {
      const double w = next * size / (static_cast<double>(i + 1) * one);
      total += w;
      next = path[i].weight - w * zero * static_cast<double>(depth - i) / size;
    } else {
      total += path[i].weight / zero * size / static_cast<double>(depth - i);
    }
  }
  return total;
}

struct Walker {
  const ShapTree& t;
  const std::vector<std::uint8_t>& goes_left;
  double scale;
  double* phi;
  std::size_t stride;

  void recurse(std::size_t node, PathElement* parent, std::size_t depth, double zero, double one,
               std::int32_t feature) const {
    PathElement* path = parent + depth + 1;
    std::copy(parent, parent + depth + 1, path);
    extend(path, depth, zero, one, feature);
    if (t.leaf(node)) {
      const double* v = t.value.data() + node * static_cast<std::size_t>(t.width);
      for (std::size_t i = 1; i <= depth; ++i) {
        const PathElement& e = path[i];
        const double w = scale * unwound_sum(path, depth, i) * (e.one - e.zero);
        double* out = phi + static_cast<std::size_t>(e.feature) * stride + t.first_output;
        for (int k = 0; k < t.width; ++k) out[k] += w * v[k];
      }
      return;
    }
    const std::int32_t hot = goes_left[node] ? t.left[node] : t.right[node];
    const std::int32_t cold = goes_left[node] ? t.right[node] : t.left[node];
    double incoming_zero = 1, incoming_one = 1;
    // A feature already on the path is unwound, and split again here with both shares.
    std::size_t index = 0;
    while (index <= depth && path[index].feature != t.feature[node]) ++index;
    if (index <= depth) {
      incoming_zero = path[index].zero;
      incoming_one = path[index].one;
      unwind(path, depth, index);
      --depth;
    }
    recurse(static_cast<std::size_t>(hot), path, depth + 1, share(t, node, hot) * incoming_zero, incoming_one,
            t.feature[node]);
    // A branch no training weight reached, and the row does not take, adds nothing.
    const double cold_zero = share(t, node, cold) * incoming_zero;
    if (cold_zero > 0) recurse(static_cast<std::size_t>(cold), path, depth + 1, cold_zero, 0, t.feature[node]);
  }
};

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
      reach[static_cast<std::size_t>(t.left[i])] = reach[i] * share(t, i, t.left[i]);
      reach[static_cast<std::size_t>(t.right[i])] = reach[i] * share(t, i, t.right[i]);
      continue;
    }
    const double* v = t.value.data() + i * static_cast<std::size_t>(t.width);
    for (int k = 0; k < t.width; ++k) expected[t.first_output + static_cast<std::size_t>(k)] += scale * reach[i] * v[k];
  }
}

void add_tree_shap(const ShapTree& tree, const std::vector<std::uint8_t>& goes_left, double scale, double* phi,
                   std::size_t stride) {
  // Each level's path is a copy of its parent's, one element longer, laid out one after another.
  const auto d = static_cast<std::size_t>(tree.depth);
  thread_local std::vector<PathElement> paths;
  paths.assign((d + 2) * (d + 3) / 2 + 1, PathElement{});
  Walker{tree, goes_left, scale, phi, stride}.recurse(0, paths.data(), 0, 1, 1, -1);
}

FeatureContributions tree_shap(const std::vector<ShapTree>& trees, double scale, const std::vector<double>& base,
                               const FeatureMatrix& X, const ContributionRequest& request, const Route& route) {
  const std::size_t outputs = base.size(), features = X.cols(), rows = X.rows();
  const std::size_t groups = request.group_of.empty() ? features : request.groups;
  FeatureContributions out;
  out.method = "tree_shap";
  out.expected = base;
  for (const auto& t : trees) add_expected_value(t, scale, out.expected.data());
  out.values.assign(outputs, Matrix::Zero(static_cast<Eigen::Index>(rows), static_cast<Eigen::Index>(groups)));
  std::size_t nodes = 0;
  for (const auto& t : trees) nodes = std::max(nodes, t.left.size());
  constexpr std::size_t kBlock = 16;
  const std::size_t blocks = (rows + kBlock - 1) / kBlock;
  Progress progress("explaining", blocks);
  parallel_for(blocks, 0, [&](std::size_t b) {
    throw_if_stopped("explaining");
    std::vector<std::uint8_t> goes_left(nodes);
    std::vector<double> phi(features * outputs);
    for (std::size_t i = b * kBlock; i < std::min(rows, (b + 1) * kBlock); ++i) {
      std::fill(phi.begin(), phi.end(), 0.0);
      for (std::size_t t = 0; t < trees.size(); ++t) {
        route(t, i, goes_left);
        add_tree_shap(trees[t], goes_left, scale, phi.data(), outputs);
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

}  // namespace shipml::explain
