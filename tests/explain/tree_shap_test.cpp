// TreeSHAP against brute force: on small trees (depth 3, 5 input columns) the
// contributions equal the Shapley values computed by enumerating all 2^5
// coalitions, where a coalition's value is the path-dependent conditional
// expectation of the trees: at a split on a known column the row's branch, at
// any other both branches weighted by their training cover. The trees are
// read from dump_trees(), in the user's terms (thresholds, category names,
// missing directions), so this shares no code with the walker it checks.
// Rows are explained as a batch (with per-leaf tables) and one at a time
// (without): both must be the Shapley values.
#include <gtest/gtest.h>

#include <bit>
#include <iostream>
#include <map>

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
        // Alone, a row is explained without the per-leaf tables a batch builds.
        const std::size_t only[] = {i};
        const Contributions alone = m.contributions(rows.take(only));
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
            const double got = c.values[o](static_cast<Eigen::Index>(i), j), got_alone = alone.values[o](0, j);
            worst = std::max({worst, std::abs(got - shapley), std::abs(got_alone - shapley)});
            ASSERT_NEAR(got, shapley, 1e-10) << "row " << i << " output " << o << " column " << names[j];
            ASSERT_NEAR(got_alone, shapley, 1e-10) << "row " << i << " alone, output " << o << " column " << names[j];
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

}  // namespace
}  // namespace shipml
