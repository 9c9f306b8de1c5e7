#include "ensemble.hpp"

#include <algorithm>

#include "shipml/core/parallel.hpp"

namespace shipml::hist {

void Ensemble::finish() {
  depths.clear();
  for (const auto& t : trees) depths.push_back(t.depth());
}

namespace {

// One step down for a row at `node`; a leaf stays where it is.
inline std::int32_t step(const HistTree& tree, std::int32_t node, const double* const* columns, std::size_t row,
                         const std::vector<FeatureBins>& bins) {
  const Node& n = tree.nodes[static_cast<std::size_t>(node)];
  if (n.left < 0) return node;
  return n.left + (tree.goes_left(n, columns[n.feature][row], bins) ? 0 : 1);
}

}  // namespace

void Ensemble::accumulate(const FeatureMatrix& X, std::size_t stride, std::size_t offset, std::size_t width,
                          double* out) const {
  constexpr std::size_t kBlock = 256;  // rows that stay in cache while every tree visits them
  constexpr std::size_t kLanes = 16;   // rows walked down a tree side by side
  const std::size_t blocks = (X.rows() + kBlock - 1) / kBlock;
  const auto& bins = binner.features();
  std::vector<const double*> columns(X.cols());
  for (std::size_t j = 0; j < X.cols(); ++j) columns[j] = X.column(j);
  parallel_for(blocks, 0, [&](std::size_t b) {
    const std::size_t begin = b * kBlock, end = std::min(X.rows(), begin + kBlock);
    const std::size_t full_end = begin + (end - begin) / kLanes * kLanes;
    for (std::size_t t = offset; t < trees.size() && begin < full_end; t += stride) {
      const HistTree& tree = trees[t];
      const int depth = t < depths.size() ? depths[t] : tree.depth();
      for (std::size_t r0 = begin; r0 < full_end; r0 += kLanes) {
        std::int32_t node[kLanes] = {};
        // Until the deepest row of the group is at its leaf, not the tree's full depth.
        for (int level = 0; level < depth; ++level) {
          bool moved = false;
          for (std::size_t j = 0; j < kLanes; ++j) {
            const std::int32_t next = step(tree, node[j], columns.data(), r0 + j, bins);
            moved |= next != node[j];
            node[j] = next;
          }
          if (!moved) break;
        }
        for (std::size_t j = 0; j < kLanes; ++j) {
          const Node& leaf = tree.nodes[static_cast<std::size_t>(node[j])];
          const double* v = tree.values.data() + static_cast<std::size_t>(leaf.payload) * width;
          double* o = out + (r0 + j) * width;
          for (std::size_t k = 0; k < width; ++k) o[k] += v[k];
        }
      }
    }
    // The last few rows (a single-row request, say): one row walks several trees
    // side by side instead, so their memory loads overlap. Leaves are added in
    // tree order, as above, so the sums are the same to the last bit.
    constexpr std::size_t kTreeLanes = 8;
    for (std::size_t r = full_end; r < end; ++r) {
      double* o = out + r * width;
      for (std::size_t t0 = offset; t0 < trees.size(); t0 += kTreeLanes * stride) {
        const HistTree* lane[kTreeLanes];
        std::int32_t node[kTreeLanes] = {};
        std::size_t lanes = 0;
        for (std::size_t t = t0; t < trees.size() && lanes < kTreeLanes; t += stride) lane[lanes++] = &trees[t];
        for (bool moved = true; moved;) {
          moved = false;
          for (std::size_t k = 0; k < lanes; ++k) {
            const std::int32_t next = step(*lane[k], node[k], columns.data(), r, bins);
            moved |= next != node[k];
            node[k] = next;
          }
        }
        for (std::size_t k = 0; k < lanes; ++k) {
          const HistTree& tree = *lane[k];
          const double* v =
              tree.values.data() + static_cast<std::size_t>(tree.nodes[static_cast<std::size_t>(node[k])].payload) * width;
          for (std::size_t c = 0; c < width; ++c) o[c] += v[c];
        }
      }
    }
  });
}

nlohmann::json Ensemble::importances(const std::vector<std::string>& names) const {
  std::vector<double> gain(names.size(), 0.0), splits(names.size(), 0.0);
  for (const auto& t : trees)
    for (std::size_t i = 0; i < t.nodes.size(); ++i)
      if (t.nodes[i].left >= 0 && t.nodes[i].feature < names.size()) {
        gain[t.nodes[i].feature] += t.gain[i];
        splits[t.nodes[i].feature] += 1;
      }
  double total = 0;
  for (double g : gain) total += g;
  nlohmann::json by_gain = nlohmann::json::object(), by_splits = nlohmann::json::object();
  for (std::size_t j = 0; j < names.size(); ++j) {
    by_gain[names[j]] = total > 0 ? gain[j] / total : 0.0;
    by_splits[names[j]] = splits[j];
  }
  return {{"feature_importances_gain", by_gain}, {"feature_importances_splits", by_splits}};
}

nlohmann::json Ensemble::dump(const std::vector<std::string>& names) const {
  nlohmann::json out = nlohmann::json::array();
  for (const auto& t : trees) out.push_back(t.dump(binner.features(), names));
  return out;
}

void Ensemble::save(BinaryWriter& out) const {
  binner.save(out);
  out.u64(trees.size());
  for (const auto& t : trees) t.save(out);
}

void Ensemble::load(BinaryReader& in, std::size_t features) {
  binner.load(in);
  if (binner.features().size() != features) BinaryReader::fail("the binning does not match the features");
  trees.assign(in.count(40), {});
  for (auto& t : trees) t.load(in, features);
  finish();
}

}  // namespace shipml::hist
