#pragma once
// A tree over binned features, stored flat: the two children of a node are
// adjacent, so a path through the tree touches few cache lines. A numeric split
// keeps both its bin (for training, on binned rows) and that bin's upper edge
// (for prediction on raw values, with no binning): bin(x) <= b exactly when
// x <= edge(b), so both paths always agree.
#include <cstdint>
#include <nlohmann/json.hpp>
#include <vector>

#include "binning.hpp"
#include "shipml/core/binary.hpp"

namespace shipml::hist {

struct Node {
  static constexpr std::uint8_t kMissingLeft = 1, kCategorical = 2;
  std::int32_t left = -1;     // left child (right = left + 1), or -1 for a leaf
  std::uint32_t payload = 0;  // leaf: index of its value; categorical split: offset of its bitset
  double cut = 0;             // numeric split: values <= cut go left
  std::uint16_t feature = 0;
  std::uint8_t threshold = 0;  // numeric split: bins <= threshold go left
  std::uint8_t flags = 0;
  // Nodes are saved as their bytes: the four a compiler would leave as padding
  // are a member, so a file never carries leftover memory.
  std::uint32_t unused = 0;
};
static_assert(sizeof(Node) == 24, "the model file stores 24-byte nodes");

struct HistTree {
  std::vector<Node> nodes;
  std::vector<std::uint32_t> bitsets;  // 8 words (256 bins) per categorical split; a set bit goes left
  std::vector<double> values;          // value_width per leaf
  std::vector<double> gain, cover;     // per node: split gain, training weight reaching it
  int value_width = 1;

  /// The leaf values a binned row reaches.
  const double* predict(const std::uint8_t* row) const {
    return predict_with([row](std::size_t f) { return row[f]; });
  }
  /// The leaf values reached by the row whose bin of feature f is bin_of(f).
  template <class BinOf>
  const double* predict_with(const BinOf& bin_of) const {
    const Node* n = nodes.data();
    while (n->left >= 0) {
      const std::uint8_t b = bin_of(n->feature);
      bool left;
      if (n->flags & Node::kCategorical) left = (bitsets[n->payload + (b >> 5)] >> (b & 31)) & 1u;
      else left = b == kMissingBin ? (n->flags & Node::kMissingLeft) : b <= n->threshold;
      n = nodes.data() + n->left + (left ? 0 : 1);
    }
    return values.data() + static_cast<std::size_t>(n->payload) * static_cast<std::size_t>(value_width);
  }

  std::size_t leaves() const;
  int depth() const;
  void save(BinaryWriter& out) const;
  /// Loads and checks every index against the feature count and the arrays.
  void load(BinaryReader& in, std::size_t features);
  /// Nested JSON with thresholds and categories in the user's terms.
  nlohmann::json dump(const std::vector<FeatureBins>& bins, const std::vector<std::string>& names) const;
};

}  // namespace shipml::hist
