// TreeSHAP against brute force: on small trees (depth 3, 5 input columns) the
// contributions equal the Shapley values computed by enumerating all 2^5
// coalitions, where a coalition's value is the path-dependent conditional
// expectation of the trees: at a split on a known column the row's branch, at
// any other both branches weighted by their training cover. The trees are
// read from dump_trees(), in the user's terms (thresholds, category names,
// missing directions), so this shares no code with the walker it checks.
// Such small trees are explained through per-leaf tables over the subsets of
// each path; paths of more than 16 distinct columns are checked below.
#include <gtest/gtest.h>

#include <bit>
#include <iostream>
#include <map>
#include <set>

#include "explain_support.hpp"

namespace shipml {
namespace {

using nlohmann::json;
using test::Kind;

constexpr unsigned kColumns = 5;

// explain_data with two more numbers: x3, noise; x4, close to x1 (so trees split
// on one column more than once on a path, which TreeSHAP must unwind).
Dataset five_columns(Kind kind) {
  const Dataset d = test::explain_data(kind, 300);
  Random rng(21);
  std::vector<double> x3, x4;
  for (double v : d.frame.column("x1").values()) x3.push_back(rng.uniform()), x4.push_back(v + 0.3 * rng.uniform());
  Frame f = d.frame.without("y");
  f.add(Column::numeric("x3", x3));
  f.add(Column::numeric("x4", x4));
  f.add(d.frame.column("y"));
  return {f, "y", "five columns"};
}

struct BruteForce {
  const Frame& rows;
  const std::vector<std::string>& names;
  std::size_t row = 0;
  bool repeated = false, category_subset = false;

  std::size_t column(const json& node) const {
    return static_cast<std::size_t>(std::find(names.begin(), names.end(), node["feature"]) - names.begin());
  }

  bool goes_left(const json& node) {
    const Column& c = rows[column(node)];
    if (node.contains("left_categories")) {  // a category-subset split, by name
      category_subset = true;
      const auto code = c.codes()[row];
      if (code == kMissingCode) return node["missing_goes"] == "left";
      const auto& left = node["left_categories"];
      return std::find(left.begin(), left.end(), c.categories()[static_cast<std::size_t>(code)]) != left.end();
    }
    // A number, or (decision_tree) a category's code compared with a threshold.
    const double x = c.is_numeric()                   ? c.values()[row]
                     : c.codes()[row] == kMissingCode ? NAN
                                                      : static_cast<double>(c.codes()[row]);
    return std::isnan(x) ? node["missing_goes"] == "left" : x <= node["threshold"].get<double>();
  }

  // The tree's expected leaf values when the columns in `known` are the row's.
  std::vector<double> expect(const json& node, unsigned known, unsigned on_path = 0) {
    if (node.contains("leaf"))
      return node["leaf"].is_array() ? node["leaf"].get<std::vector<double>>()
                                     : std::vector<double>{node["leaf"].get<double>()};
    const unsigned bit = 1u << column(node);
    repeated = repeated || (on_path & bit);
    if (known & bit) return expect(node[goes_left(node) ? "left" : "right"], known, on_path | bit);
    const double l = node["left"]["cover"].get<double>(), r = node["right"]["cover"].get<double>();
    std::vector<double> a = expect(node["left"], known, on_path | bit), b = expect(node["right"], known, on_path | bit);
    for (std::size_t k = 0; k < a.size(); ++k) a[k] = (l * a[k] + r * b[k]) / (l + r);
    return a;
  }
};

TEST(TreeShap, EqualsBruteForceShapleyValuesOnSmallTrees) {
  const std::vector<std::pair<std::string, std::map<std::string, std::string>>> learners = {
      {"decision_tree", {{"max_depth", "3"}}},
      {"random_forest", {{"n_estimators", "4"}, {"max_depth", "3"}, {"max_features", "all"}}},
      {"extra_trees", {{"n_estimators", "4"}, {"max_depth", "3"}}},
      {"hist_gbdt", {{"n_estimators", "3"}, {"max_depth", "3"}, {"min_samples_leaf", "5"}}},
  };
  double worst = 0;
  bool repeated = false, category_subset = false;
  for (const auto& [estimator, params] : learners)
    for (const Kind kind : {Kind::binary, Kind::multiclass, Kind::regression}) {
      SCOPED_TRACE(estimator + " " + test::name(kind));
      const Dataset d = five_columns(kind);
      Model m(estimator, params);
      m.fit(d);
      const Frame rows = test::first_rows(d.features(), 30);
      const Contributions c = m.contributions(rows);
      const Matrix raw = m.raw_output(rows);
      const json trees = m.dump_trees();
      const std::vector<std::string> names = m.schema().names();
      ASSERT_EQ(names.size(), kColumns);
      const int classes = static_cast<int>(m.classes().size());
      const std::size_t outputs = c.values.size();
      // Which outputs each tree's leaf values add to, and how much of them.
      const bool boosted = estimator == "hist_gbdt";
      const double scale = boosted ? 1.0 : 1.0 / static_cast<double>(trees.size());
      BruteForce brute{rows, names};
      for (std::size_t i = 0; i < rows.rows(); ++i) {
        brute.row = i;
        std::vector<std::vector<double>> v(1u << kColumns, std::vector<double>(outputs, 0.0));
        for (unsigned s = 0; s < v.size(); ++s)
          for (std::size_t t = 0; t < trees.size(); ++t) {
            const std::vector<double> leaf = brute.expect(trees[t], s);
            if (boosted) v[s][t % outputs] += leaf[0];
            else if (classes == 2) v[s][0] += scale * leaf[1];  // the second class's probability
            else
              for (std::size_t o = 0; o < outputs; ++o) v[s][o] += scale * leaf[o];
          }
        for (std::size_t o = 0; o < outputs; ++o) {
          // What the trees do not hold (boosting's baseline) is the raw output beyond them.
          const double base = raw(static_cast<Eigen::Index>(i), static_cast<Eigen::Index>(o)) - v.back()[o];
          EXPECT_NEAR(c.expected[o], base + v[0][o], 1e-10);
          for (unsigned j = 0; j < kColumns; ++j) {
            double shapley = 0;
            for (unsigned s = 0; s < v.size(); ++s) {
              if (s >> j & 1u) continue;
              const int size = std::popcount(s);
              // |S|! (n - |S| - 1)! / n!
              double w = 1.0 / kColumns;
              for (int k = 1; k <= size; ++k) w *= static_cast<double>(k) / static_cast<double>(kColumns - k);
              shapley += w * (v[s | 1u << j][o] - v[s][o]);
            }
            const double got = c.values[o](static_cast<Eigen::Index>(i), j);
            worst = std::max(worst, std::abs(got - shapley));
            ASSERT_NEAR(got, shapley, 1e-10) << "row " << i << " output " << o << " column " << names[j];
          }
        }
      }
      repeated = repeated || brute.repeated;
      category_subset = category_subset || brute.category_subset;
    }
  // The cases TreeSHAP handles apart from plain paths were met.
  EXPECT_TRUE(repeated) << "no tree split on one column twice on a path";
  EXPECT_TRUE(category_subset) << "no tree split on a subset of categories";
  std::cout << "TreeSHAP vs brute force: largest difference " << worst << '\n';
}

// Lundberg et al.'s Algorithm 2 as the paper writes it (EXTEND, UNWIND, the
// recursion), on dump_trees(): a second implementation, for trees too wide
// for brute force.
struct Algorithm2 {
  struct Element {
    int feature;
    double zero, one, weight;
  };
  BruteForce& routes;
  std::vector<double>& phi;

  static void extend(std::vector<Element>& m, double zero, double one, int feature) {
    const std::size_t l = m.size();
    m.push_back({feature, zero, one, l == 0 ? 1.0 : 0.0});
    for (std::size_t i = l; i-- > 0;) {
      m[i + 1].weight += one * m[i].weight * static_cast<double>(i + 1) / static_cast<double>(l + 1);
      m[i].weight = zero * m[i].weight * static_cast<double>(l - i) / static_cast<double>(l + 1);
    }
  }
  static std::vector<Element> unwind(std::vector<Element> m, std::size_t i) {
    const std::size_t l = m.size() - 1;
    const double one = m[i].one, zero = m[i].zero;
    double next = m[l].weight;
    for (std::size_t j = l; j-- > 0;) {
      if (one != 0) {
        const double kept = m[j].weight;
        m[j].weight = next * static_cast<double>(l + 1) / (static_cast<double>(j + 1) * one);
        next = kept - m[j].weight * zero * static_cast<double>(l - j) / static_cast<double>(l + 1);
      } else {
        m[j].weight = m[j].weight * static_cast<double>(l + 1) / (zero * static_cast<double>(l - j));
      }
    }
    for (std::size_t j = i; j < l; ++j) m[j] = {m[j + 1].feature, m[j + 1].zero, m[j + 1].one, m[j].weight};
    m.pop_back();
    return m;
  }
  void recurse(const json& node, std::vector<Element> m, double zero, double one, int feature) {
    extend(m, zero, one, feature);
    if (node.contains("leaf")) {
      const double v = node["leaf"].get<double>();
      for (std::size_t i = 1; i < m.size(); ++i) {
        double w = 0;
        for (const Element& e : unwind(m, i)) w += e.weight;
        phi[static_cast<std::size_t>(m[i].feature)] += w * (m[i].one - m[i].zero) * v;
      }
      return;
    }
    const int f = static_cast<int>(routes.column(node));
    const bool left = routes.goes_left(node);
    const json &hot = node[left ? "left" : "right"], &cold = node[left ? "right" : "left"];
    double in_zero = 1, in_one = 1;
    for (std::size_t k = 1; k < m.size(); ++k)
      if (m[k].feature == f) {
        in_zero = m[k].zero, in_one = m[k].one;
        m = unwind(m, k);
        break;
      }
    const double cover = hot["cover"].get<double>() + cold["cover"].get<double>();
    recurse(hot, m, in_zero * hot["cover"].get<double>() / cover, in_one, f);
    recurse(cold, m, in_zero * cold["cover"].get<double>() / cover, 0, f);
  }
};

// The most distinct columns split on along any path of the tree.
std::size_t widest_path(const json& node, std::set<std::string> on_path = {}) {
  if (node.contains("leaf")) return on_path.size();
  on_path.insert(node["feature"].get<std::string>());
  return std::max(widest_path(node["left"], on_path), widest_path(node["right"], on_path));
}

TEST(TreeShap, PathsOfMoreThanSixteenColumnsEqualAlgorithm2) {
  // 24 columns that all matter a little, and a tree grown to purity: paths
  // split on more distinct columns than a leaf tabulates (16).
  constexpr std::size_t kWide = 24, kRows = 3000;
  Random rng(5);
  std::vector<std::vector<double>> x(kWide, std::vector<double>(kRows));
  std::vector<double> y(kRows, 0.0);
  for (std::size_t j = 0; j < kWide; ++j)
    for (std::size_t i = 0; i < kRows; ++i) x[j][i] = rng.uniform(), y[i] += x[j][i] * (1.0 + 0.1 * double(j));
  Frame f;
  for (std::size_t j = 0; j < kWide; ++j) f.add(Column::numeric("x" + std::to_string(j), x[j]));
  f.add(Column::numeric("y", y));
  const Dataset d{f, "y", "24 columns"};
  Model m("decision_tree", {{"max_depth", "40"}});
  m.fit(d);
  const json tree = m.dump_trees()[0];
  ASSERT_GT(widest_path(tree), 16u);
  const Frame rows = test::first_rows(d.features(), 20);
  const Contributions c = m.contributions(rows);
  const std::vector<std::string> names = m.schema().names();
  double worst = 0;
  BruteForce routes{rows, names};
  for (std::size_t i = 0; i < rows.rows(); ++i) {
    routes.row = i;
    std::vector<double> phi(kWide, 0.0);
    Algorithm2{routes, phi}.recurse(tree, {}, 1, 1, -1);
    for (std::size_t j = 0; j < kWide; ++j) {
      const double got = c.values[0](static_cast<Eigen::Index>(i), static_cast<Eigen::Index>(j));
      worst = std::max(worst, std::abs(got - phi[j]));
      ASSERT_NEAR(got, phi[j], 1e-9) << "row " << i << " column " << names[j];
    }
  }
  std::cout << "TreeSHAP vs Algorithm 2 on paths of up to " << widest_path(tree) << " columns: largest difference "
            << worst << '\n';
}

}  // namespace
}  // namespace shipml
