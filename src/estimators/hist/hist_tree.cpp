#include "hist_tree.hpp"

#include <functional>

namespace shipml::hist {

std::size_t HistTree::leaves() const {
  std::size_t n = 0;
  for (const auto& node : nodes) n += node.left < 0;
  return n;
}

int HistTree::depth() const {
  std::vector<int> level(nodes.size(), 0);
  int deepest = 0;
  for (std::size_t i = 0; i < nodes.size(); ++i) {
    deepest = std::max(deepest, level[i]);
    if (nodes[i].left >= 0) level[nodes[i].left] = level[nodes[i].left + 1] = level[i] + 1;
  }
  return deepest;
}

void HistTree::save(BinaryWriter& out) const {
  out.u32(static_cast<std::uint32_t>(value_width));
  out.array(nodes);
  out.array(bitsets);
  out.array(values);
  out.array(gain);
  out.array(cover);
}

void HistTree::load(BinaryReader& in, std::size_t features) {
  value_width = static_cast<int>(in.u32());
  nodes = in.array<Node>();
  bitsets = in.array<std::uint32_t>();
  values = in.array<double>();
  gain = in.array<double>();
  cover = in.array<double>();
  const std::size_t n = nodes.size();
  if (n == 0 || value_width < 1 || gain.size() != n || cover.size() != n)
    BinaryReader::fail("tree arrays have inconsistent sizes");
  for (std::size_t i = 0; i < n; ++i) {
    const Node& node = nodes[i];
    if (node.left < 0) {
      if ((static_cast<std::size_t>(node.payload) + 1) * static_cast<std::size_t>(value_width) > values.size())
        BinaryReader::fail("a leaf points past the leaf values");
      continue;
    }
    // Children come after their parent (no cycles) and inside the tree.
    if (static_cast<std::size_t>(node.left) <= i || static_cast<std::size_t>(node.left) + 1 >= n ||
        node.feature >= features ||
        ((node.flags & Node::kCategorical) && static_cast<std::size_t>(node.payload) + 8 > bitsets.size()))
      BinaryReader::fail("tree node " + std::to_string(i) + " points outside the tree");
  }
}

nlohmann::json HistTree::dump(const std::vector<FeatureBins>& bins, const std::vector<std::string>& names) const {
  std::function<nlohmann::json(std::size_t)> at = [&](std::size_t i) -> nlohmann::json {
    const Node& node = nodes[i];
    if (node.left < 0) {
      const double* v = values.data() + static_cast<std::size_t>(node.payload) * static_cast<std::size_t>(value_width);
      return {
          {"leaf", value_width == 1 ? nlohmann::json(v[0]) : nlohmann::json(std::vector<double>(v, v + value_width))},
          {"cover", cover[i]}};
    }
    const FeatureBins& f = bins[node.feature];
    nlohmann::json j = {{"feature", node.feature < names.size() ? names[node.feature] : std::to_string(node.feature)},
                        {"gain", gain[i]},
                        {"cover", cover[i]}};
    if (node.flags & Node::kCategorical) {
      std::vector<std::int32_t> left_codes;
      for (std::size_t b = 0; b < f.bin_to_code.size(); ++b)
        if ((bitsets[node.payload + (b >> 5)] >> (b & 31)) & 1u) left_codes.push_back(f.bin_to_code[b]);
      j["left_category_codes"] = left_codes;
      j["missing_goes"] = (bitsets[node.payload + 7] >> 31) & 1u ? "left" : "right";
    } else {
      j["threshold"] = node.cut;
      j["missing_goes"] = node.flags & Node::kMissingLeft ? "left" : "right";
    }
    j["left"] = at(static_cast<std::size_t>(node.left));
    j["right"] = at(static_cast<std::size_t>(node.left) + 1);
    return j;
  };
  return at(0);
}

}  // namespace shipml::hist
