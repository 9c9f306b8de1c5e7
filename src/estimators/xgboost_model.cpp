#include "xgboost_model.hpp"

#include <charconv>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <vector>

#include "shipml/core/binary.hpp"

namespace shipml::builtin {
namespace {

using nlohmann::json;

[[noreturn]] void refuse(const std::string& what) { BinaryReader::fail("xgboost: " + what); }

// libxgboost keeps categories as floats: it never splits on one from 2^24 on.
constexpr std::int64_t kCategoryLimit = std::int64_t{1} << 24;
// libxgboost expands each categorical split into a bitset up to its largest
// category (2 MiB for the largest): a few bytes of JSON could otherwise ask for
// gigabytes. No model trained on real data comes near this.
constexpr std::int64_t kCategoryWordBudget = std::int64_t{16} << 20;  // 64 MiB of 32-bit words

// XGBoost's models nest a handful of levels; libxgboost parses recursively.
constexpr int kMaxNesting = 16;

// The text as nlohmann reads it, checked to read the same in libxgboost.
// XGBoost writes NaN and ±Infinity as bare words, which strict JSON has not:
// they stand for numbers these checks never read, so null does for them.
// libxgboost keeps \u escapes as they are where nlohmann decodes them, so a
// key could be two keys to one and one key to the other: none is accepted.
// And it parses nested values recursively: deep nesting would overflow its stack.
std::string strict_json(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  bool in_string = false;
  int depth = 0;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (in_string) {
      out += c;
      if (c == '\\' && i + 1 < text.size()) {
        if (text[i + 1] == 'u') refuse("the stored model escapes a character as \\u, which libxgboost reads otherwise");
        out += text[++i];
      } else if (c == '"') {
        in_string = false;
      }
      continue;
    }
    in_string = c == '"';
    depth += c == '{' || c == '[' ? 1 : c == '}' || c == ']' ? -1 : 0;
    if (depth > kMaxNesting) refuse("the stored model nests deeper than XGBoost's JSON");
    std::size_t word = 0;
    for (std::string_view w : {"NaN", "Infinity", "-Infinity"})
      if (text.substr(i, w.size()) == w) word = w.size();
    if (word) {
      out += "null";
      i += word - 1;
    } else {
      out += c;
    }
  }
  return out;
}

const json& member(const json& object, const char* key, const std::string& where) {
  if (!object.is_object() || !object.contains(key)) refuse(where + " has no " + key);
  return object.at(key);
}

// An array of exactly `n` entries (XGBoost reads n of them, whatever the size).
const json& array_of(const json& object, const char* key, std::size_t n, const std::string& where) {
  const json& a = member(object, key, where);
  if (!a.is_array() || a.size() != n) refuse(where + ": " + key + " does not have " + std::to_string(n) + " entries");
  return a;
}

// An integer in [low, high): XGBoost casts what it reads to 32 bits, so the
// range is checked on the number as written.
std::int64_t integer_in(const json& v, std::int64_t low, std::int64_t high, const std::string& what) {
  const bool fits = v.is_number_unsigned() ? v.get<std::uint64_t>() < static_cast<std::uint64_t>(high)
                                           : v.is_number_integer() && v.get<std::int64_t>() < high;
  if (!fits || v.get<std::int64_t>() < low) refuse(what + " is out of range");
  return v.get<std::int64_t>();
}

// XGBoost's parameters are numbers written as text ("num_feature": "19").
std::int64_t count_text(const json& object, const char* key, const std::string& where) {
  const json& v = member(object, key, where);
  std::int64_t n = -1;
  const std::string text = v.is_string() ? v.get<std::string>() : "";
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), n);
  if (ec != std::errc() || end != text.data() + text.size() || n < 0 || n >= std::numeric_limits<std::int32_t>::max())
    refuse(where + ": " + key + " is not a count");
  return n;
}

struct Limits {
  std::int64_t features = 0;
  std::int64_t groups = 1;
  std::int64_t category_words = 0;  // bitset words libxgboost will make, over all trees
};

// The nodes of categorical splits own categories[segment, segment + size). XGBoost
// walks categories_nodes in node order, so it must ascend; it then makes one
// bitset per node, which must stay in the budget.
std::vector<bool> check_categories(const json& tree, std::int64_t n, Limits& limits, const std::string& where) {
  const json& nodes = member(tree, "categories_nodes", where);
  if (!nodes.is_array()) refuse(where + ": categories_nodes is not a list");
  const json& segments = array_of(tree, "categories_segments", nodes.size(), where);
  const json& sizes = array_of(tree, "categories_sizes", nodes.size(), where);
  const json& categories = member(tree, "categories", where);
  if (!categories.is_array()) refuse(where + ": categories is not a list");
  const auto total = static_cast<std::int64_t>(categories.size());
  std::vector<bool> listed(static_cast<std::size_t>(n), false);
  std::int64_t previous = -1;
  for (std::size_t k = 0; k < nodes.size(); ++k) {
    const std::int64_t node =
        integer_in(nodes[k], previous + 1, n, where + ": categories_nodes[" + std::to_string(k) + "]");
    const std::int64_t begin = integer_in(segments[k], 0, total, where + ": a category segment");
    const std::int64_t size = integer_in(sizes[k], 1, total - begin + 1, where + ": a category segment's size");
    std::int64_t largest = 0;
    for (std::int64_t j = begin; j < begin + size; ++j)
      largest = std::max(
          largest, integer_in(categories[static_cast<std::size_t>(j)], 0, kCategoryLimit, where + ": a category"));
    limits.category_words += largest / 32 + 1;
    if (limits.category_words > kCategoryWordBudget) refuse("its categorical splits would take more than 64 MiB");
    listed[static_cast<std::size_t>(node)] = true;
    previous = node;
  }
  return listed;
}

// Every node of a categorical split type must own categories: libxgboost
// otherwise points it past its bitsets (saving the model does, for any node).
void check_split_types(const json& tree, std::int64_t n, Limits& limits, const std::string& where) {
  if (!tree.contains("split_type")) return;  // XGBoost then takes every split as numeric
  const json& types = array_of(tree, "split_type", static_cast<std::size_t>(n), where);
  const std::vector<bool> listed = check_categories(tree, n, limits, where);
  for (std::size_t i = 0; i < types.size(); ++i)
    if (integer_in(types[i], 0, 2, where + ": a split type") == 1 && !listed[i])
      refuse(where + ": node " + std::to_string(i) + " splits on categories it does not list");
}

// From the root, each node once (a cycle would never end a prediction), and each
// split on a feature the booster has. XGBoost's predictor takes a numeric
// split's right child to be left + 1, so the file must say so too.
void check_paths(const json& left, const json& right, const json& features, const Limits& limits,
                 const std::string& where) {
  const auto n = static_cast<std::int64_t>(left.size());
  std::vector<bool> reached(left.size(), false);
  std::vector<std::int64_t> pending{0};
  while (!pending.empty()) {
    const auto i = static_cast<std::size_t>(pending.back());
    pending.pop_back();
    const std::string node = where + ": node " + std::to_string(i);
    if (reached[i]) refuse(node + " is reached twice (a cycle)");
    reached[i] = true;
    if (left[i].is_number_integer() && left[i].get<std::int64_t>() == -1) continue;  // a leaf
    const std::int64_t l = integer_in(left[i], 0, n - 1, node + "'s left child");
    if (integer_in(right[i], 0, n, node + "'s right child") != l + 1) refuse(node + "'s children are not side by side");
    integer_in(features[i], 0, limits.features, node + "'s feature");
    pending.push_back(l);
    pending.push_back(l + 1);
  }
}

// One tree: its id its position, every array as long as the tree, parents
// inside it (libxgboost follows them as it loads), then its paths and splits.
void check_tree(const json& tree, std::size_t index, Limits& limits) {
  const std::string where = "tree " + std::to_string(index);
  if (integer_in(member(tree, "id", where), 0, std::numeric_limits<std::int32_t>::max(), where + ": its id") !=
      static_cast<std::int64_t>(index))
    refuse(where + ": its id is not its position");
  const std::int64_t n = count_text(member(tree, "tree_param", where), "num_nodes", where);
  if (n < 1) refuse(where + " has no nodes");
  const auto size = static_cast<std::size_t>(n);
  const json& parents = array_of(tree, "parents", size, where);
  for (std::size_t i = 1; i < size; ++i) integer_in(parents[i], 0, n, where + ": a parent");
  check_split_types(tree, n, limits, where);
  check_paths(array_of(tree, "left_children", size, where), array_of(tree, "right_children", size, where),
              array_of(tree, "split_indices", size, where), limits, where);
}

// Shipml trains one gbtree, one tree per round and output group.
void check_trees(const json& booster, Limits& limits) {
  if (member(booster, "name", "the booster") != "gbtree") refuse("the booster is not a gbtree");
  const json& model = member(booster, "model", "the booster");
  const json& param = member(model, "gbtree_model_param", "the booster");
  if (count_text(param, "num_parallel_tree", "the booster") != 1) refuse("the booster grows parallel trees");
  const auto n = static_cast<std::size_t>(count_text(param, "num_trees", "the booster"));
  const json& trees = array_of(model, "trees", n, "the booster");
  const json& groups = array_of(model, "tree_info", n, "the booster");
  for (std::size_t t = 0; t < n; ++t) {
    integer_in(groups[t], 0, limits.groups, "the output group of tree " + std::to_string(t));
    check_tree(trees[t], t, limits);
  }
}

}  // namespace

BoosterModel check_booster_json(std::string_view text) {
  // libxgboost reads JSON only when the text starts with '{' (other bytes: its old binary format).
  const json j =
      text.starts_with('{') ? json::parse(strict_json(text), nullptr, false) : json(json::value_t::discarded);
  if (j.is_discarded()) refuse("the stored model is not XGBoost's JSON");
  const json& learner = member(j, "learner", "the model");
  const json& param = member(learner, "learner_model_param", "the learner");
  if (param.contains("num_target") && count_text(param, "num_target", "the learner") != 1)
    refuse("the booster predicts several targets");
  BoosterModel out;
  out.features = static_cast<std::size_t>(count_text(param, "num_feature", "the learner"));
  out.num_class = static_cast<std::size_t>(count_text(param, "num_class", "the learner"));
  const json& objective = member(learner, "objective", "the learner");
  const json& name = member(objective, "name", "the objective");
  out.objective = name.is_string() ? name.get<std::string>() : "";
  // softprob reshapes the predictions by its own class count: it must be the learner's.
  if (out.objective == "multi:softprob" &&
      count_text(member(objective, "softmax_multiclass_param", "the objective"), "num_class", "the objective") !=
          static_cast<std::int64_t>(out.num_class))
    refuse("the objective and the learner disagree on the number of classes");
  Limits limits{.features = static_cast<std::int64_t>(out.features),
                .groups = std::max<std::int64_t>(1, static_cast<std::int64_t>(out.num_class))};
  check_trees(member(learner, "gradient_booster", "the learner"), limits);
  return out;
}

}  // namespace shipml::builtin
