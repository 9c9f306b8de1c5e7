// The contribution charts (summary, dependence, waterfall) from contributions
// made by hand, so they are checked apart from the engine that computes them:
// the order of the columns, where each dot sits and what colours it, and that
// a waterfall adds up from the expected value to the output.
#include <gtest/gtest.h>

#include <cmath>
#include <numeric>
#include <set>

#include "chart_files.hpp"
#include "shipml/plot/charts.hpp"
#include "support.hpp"

namespace shipml::test {
namespace {

// Rows with a large-contributing number (income), a small one (age, with
// missing values) and a categorical column between them (city); each
// contribution follows its column's value, as real ones would.
struct Explained {
  Frame data;
  Contributions contributions;
};

Explained explained(std::size_t n = 300, std::vector<std::string> outputs = {""}) {
  Random rng(3);
  std::vector<double> income(n), age(n);
  std::vector<std::string> city(n);
  const char* cities[] = {"Lima", "Oslo", "Pune"};
  for (std::size_t i = 0; i < n; ++i) {
    income[i] = 20 + 80 * rng.uniform();
    age[i] = i % 17 == 0 ? NAN : 18 + std::floor(60 * rng.uniform());
    city[i] = cities[rng.below(3)];
  }
  Frame data;
  data.add(Column::numeric("income", income));
  data.add(Column::numeric("age", age));
  data.add(Column::from_strings("city", city));
  Contributions c{.columns = {"income", "age", "city"}, .outputs = outputs, .method = "tree_shap"};
  for (std::size_t k = 0; k < outputs.size(); ++k) {
    // Each class its own scale, so the ranking differs between classes.
    const double scale = 1.0 + static_cast<double>(k);
    Matrix m(static_cast<Eigen::Index>(n), 3);
    for (std::size_t i = 0; i < n; ++i) {
      const auto r = static_cast<Eigen::Index>(i);
      m(r, 0) = 0.02 * (income[i] - 60) / scale;
      m(r, 1) = std::isnan(age[i]) ? 0 : 0.004 * (age[i] - 48) * scale * scale;
      m(r, 2) = city[i] == "Oslo" ? 0.25 : city[i] == "Lima" ? -0.2 : 0.05;
    }
    c.values.push_back(m);
    c.expected.push_back(0.4 + 0.1 * static_cast<double>(k));
  }
  return {data, c};
}

double mean_abs(const Matrix& m, Eigen::Index col) { return m.col(col).cwiseAbs().mean(); }

TEST(ContributionCharts, SummaryOrdersColumnsByMeanAbsoluteContribution) {
  const auto [data, c] = explained();
  const Matrix& m = c.values[0];
  ASSERT_GT(mean_abs(m, 0), mean_abs(m, 2));
  ASSERT_GT(mean_abs(m, 2), mean_abs(m, 1));
  EXPECT_EQ(contribution_ranking(c), (std::vector<std::string>{"income", "city", "age"}));
  const Chart s = contributions_summary(c, data);
  // From the bottom up: the largest mean |contribution| is the top row.
  EXPECT_EQ(s.y_categories, (std::vector<std::string>{"age", "city", "income"}));
  ASSERT_EQ(s.series.size(), 4u);  // the zero line, then a row per column from the top down
  EXPECT_TRUE(s.series[0].reference);
  const Series& income = s.series[1];
  ASSERT_EQ(income.x.size(), 300u);
  for (std::size_t i = 0; i < 300; ++i) {
    EXPECT_EQ(income.x[i], m(static_cast<Eigen::Index>(i), 0)) << "a dot per row at its contribution";
    EXPECT_NEAR(income.y[i], 2, 0.38 + 1e-12) << "dots stay within their row";
  }
  // Coloured by the column's value: low income, low on the scale.
  const auto values = data.column("income").values();
  const auto lowest = std::min_element(values.begin(), values.end()) - values.begin();
  const auto highest = std::max_element(values.begin(), values.end()) - values.begin();
  EXPECT_EQ(income.shade[static_cast<std::size_t>(lowest)], 0);
  EXPECT_EQ(income.shade[static_cast<std::size_t>(highest)], 1);
  // Categorical values and missing numbers are grey (NaN on the scale).
  for (double shade : s.series[2].shade) EXPECT_TRUE(std::isnan(shade)) << "city is categorical";
  EXPECT_TRUE(std::isnan(s.series[3].shade[0])) << "age is missing in row 0";
  EXPECT_FALSE(std::isnan(s.series[3].shade[1]));
  ASSERT_TRUE(s.color_scale);
  EXPECT_EQ(s.color_scale->label, "feature value");
  EXPECT_EQ(s.color_scale->low, "low");

  const Chart top2 = contributions_summary(c, data, {.top = 2});
  EXPECT_EQ(top2.y_categories, (std::vector<std::string>{"city", "income"}));
  EXPECT_NE(top2.subtitle.find("the 2 of 3 columns"), std::string::npos) << top2.subtitle;
  // Without the data's values the dots keep one colour and the scale is left out.
  const Chart plain = contributions_summary(c, Frame{});
  EXPECT_TRUE(plain.series[1].shade.empty());
  EXPECT_FALSE(plain.color_scale);
}

TEST(ContributionCharts, SummaryJitterIsDeterministicAndSpreadsEqualValues) {
  const auto [data, c] = explained();
  const Chart first = contributions_summary(c, data), second = contributions_summary(c, data);
  for (std::size_t k = 0; k < first.series.size(); ++k) EXPECT_EQ(first.series[k].y, second.series[k].y);
  // City takes three values: its dots pile up in three places and spread across the row.
  const Series& city = first.series[2];
  std::set<double> heights(city.y.begin(), city.y.end());
  EXPECT_GT(heights.size(), 50u);
  const auto [lo, hi] = std::minmax_element(city.y.begin(), city.y.end());
  EXPECT_NEAR(*hi - *lo, 0.76, 0.02) << "the widest pile spans the row's height";
  // Many rows: an even sample is drawn; every row still counts in the order.
  const auto [big_data, big] = explained(5000);
  const Chart sampled = contributions_summary(big, big_data, {.max_rows = 1000});
  EXPECT_EQ(sampled.series[1].x.size(), 1000u);
  EXPECT_NE(sampled.subtitle.find("5000 rows (1000 drawn)"), std::string::npos) << sampled.subtitle;
}

TEST(ContributionCharts, MulticlassSummaryShowsOneClassAndSaysWhich) {
  const auto [data, c] = explained(300, {"bronze", "silver", "gold"});
  const Chart first = contributions_summary(c, data);
  EXPECT_NE(first.subtitle.find("class bronze (of 3)"), std::string::npos) << first.subtitle;
  EXPECT_EQ(first.y_categories.back(), "income");
  // In the third class age contributes nine times as much and comes first.
  ASSERT_GT(mean_abs(c.values[2], 1), mean_abs(c.values[2], 0));
  const Chart gold = contributions_summary(c, data, {.output = "gold"});
  EXPECT_EQ(gold.y_categories.back(), "age");
  EXPECT_EQ(contribution_ranking(c, "gold").front(), "age");
  EXPECT_NE(gold.subtitle.find("class gold (of 3)"), std::string::npos) << gold.subtitle;
  EXPECT_NE(gold.x_label.find("gold"), std::string::npos);
  try {
    contributions_summary(c, data, {.output = "platinum"});
    ADD_FAILURE() << "an unknown class was accepted";
  } catch (const UsageError& e) {
    EXPECT_NE(std::string(e.what()).find("no class 'platinum' (classes: bronze, silver, gold)"), std::string::npos)
        << e.what();
  }
  const auto [d1, regression] = explained();
  EXPECT_THROW(contributions_summary(regression, d1, {.output = "gold"}), UsageError);
}

TEST(ContributionCharts, DependencePlotsEachRowsValueAgainstItsContribution) {
  const auto [data, c] = explained();
  const Chart d = contribution_dependence(c, data, "age", {.color_by = "income"});
  ASSERT_EQ(d.series.size(), 2u);  // the zero line and the dots
  EXPECT_TRUE(d.series[0].reference);
  const Series& dots = d.series[1];
  const auto age = data.column("age").values();
  const auto income = data.column("income").values();
  std::size_t k = 0;
  for (std::size_t i = 0; i < age.size(); ++i) {
    if (std::isnan(age[i])) continue;  // a missing value has no place on the axis
    ASSERT_LT(k, dots.x.size());
    EXPECT_EQ(dots.x[k], age[i]);
    EXPECT_EQ(dots.y[k], c.values[0](static_cast<Eigen::Index>(i), 1));
    ++k;
  }
  EXPECT_EQ(k, dots.x.size());
  EXPECT_NE(d.subtitle.find("18 with age missing not shown"), std::string::npos) << d.subtitle;
  // Coloured by income: its highest row is at the top of the scale.
  ASSERT_TRUE(d.color_scale);
  EXPECT_EQ(d.color_scale->label, "income");
  ASSERT_EQ(dots.shade.size(), dots.x.size());
  EXPECT_EQ(d.x_label, "age");
  EXPECT_EQ(d.y_label, "Contribution of age");

  // A categorical column: its levels along the axis, each level's dots spread around it.
  const Chart cat = contribution_dependence(c, data, "city", {.color_by = "city"});
  EXPECT_EQ(cat.x_categories, (std::vector<std::string>{"Lima", "Oslo", "Pune"}));
  ASSERT_EQ(cat.series.size(), 4u);  // the zero line and a series per level of the colouring column
  for (std::size_t level = 0; level < 3; ++level) {
    const Series& s = cat.series[level + 1];
    EXPECT_EQ(s.name, cat.x_categories[level]);
    for (std::size_t p = 0; p < s.x.size(); ++p) {
      EXPECT_NEAR(s.x[p], static_cast<double>(level), 0.3 + 1e-12);
      EXPECT_EQ(s.y[p], level == 0 ? -0.2 : level == 1 ? 0.25 : 0.05);
    }
  }
  EXPECT_THROW(contribution_dependence(c, data, "height"), UsageError);
  EXPECT_THROW(contribution_dependence(c, data, "age", {.color_by = "height"}), UsageError);
}

TEST(ContributionCharts, WaterfallBarsSumFromTheExpectedValueToTheOutput) {
  const auto [data, c] = explained();
  const std::size_t row = 7;
  const Matrix& m = c.values[0];
  const double output = c.expected[0] + m.row(row).sum();
  const Chart w = contribution_waterfall(c, row, data);
  ASSERT_EQ(w.bars.size(), 3u);
  // Largest |contribution| at the top.
  for (std::size_t k = 1; k < w.bars.size(); ++k) EXPECT_GE(std::abs(w.bars[k - 1].value), std::abs(w.bars[k].value));
  // The bottom bar starts at the expected value; each bar starts where the one below it ends.
  EXPECT_EQ(w.bars.back().base, c.expected[0]);
  for (std::size_t k = 0; k + 1 < w.bars.size(); ++k)
    EXPECT_DOUBLE_EQ(w.bars[k].base, w.bars[k + 1].base + w.bars[k + 1].value);
  EXPECT_NEAR(w.bars.front().base + w.bars.front().value, output, 1e-12);
  ASSERT_EQ(w.markers.size(), 2u);
  EXPECT_EQ(w.markers[0].x, c.expected[0]);
  EXPECT_NEAR(w.markers[1].x, output, 1e-12);
  EXPECT_TRUE(w.markers[1].emphasis);
  EXPECT_EQ(w.markers[1].label.rfind("f(x) = ", 0), 0u);
  // Bars name the row's values and show their own.
  char income[32], value[32];
  std::snprintf(income, sizeof income, "income = %.4g", data.column("income").values()[row]);
  std::snprintf(value, sizeof value, "%+.3g", m(row, 0));
  bool found = false;
  for (const Bar& b : w.bars) {
    if (b.label != income) continue;
    found = true;
    EXPECT_EQ(b.text, value);
  }
  EXPECT_TRUE(found) << "no bar labelled " << income;
  EXPECT_NE(w.subtitle.find("the 8th of 300 rows"), std::string::npos) << w.subtitle;

  // The columns past `top` summed into one bar; the sum is unchanged.
  const Chart two = contribution_waterfall(c, row, data, {.top = 1});
  ASSERT_EQ(two.bars.size(), 2u);
  EXPECT_EQ(two.bars[1].label, "2 other columns");
  EXPECT_NEAR(two.bars.front().base + two.bars.front().value, output, 1e-12);
  EXPECT_THROW(contribution_waterfall(c, 300, data), UsageError);
}

TEST(ContributionCharts, ContributionsAndDataThatDisagreeAreRefused) {
  const auto [data, c] = explained();
  const Frame fewer = data.take(std::vector<std::size_t>{0, 1, 2});
  try {
    contributions_summary(c, fewer);
    ADD_FAILURE() << "rows that differ were accepted";
  } catch (const UsageError& e) {
    EXPECT_NE(std::string(e.what()).find("the data has 3 rows but the contributions cover 300"), std::string::npos)
        << e.what();
  }
  Contributions bad = c;
  bad.values[0] = Matrix::Zero(300, 2);
  EXPECT_THROW(contributions_summary(bad, data), UsageError);
  bad = c;
  bad.expected.clear();
  EXPECT_THROW(contribution_waterfall(bad, 0, data), UsageError);
}

TEST(ContributionCharts, EveryContributionChartRendersToSvgPngAndPdf) {
  // The check can fail: a broken SVG does not parse.
  ASSERT_FALSE(parses_as_xml("<svg><g></svg>"));
  const auto [data, c] = explained();
  const auto [multi_data, multi] = explained(300, {"bronze", "silver", "gold"});
  expect_renders(contributions_summary(c, data), "summary");
  expect_renders(contributions_summary(multi, multi_data, {.output = "gold"}), "summary_multiclass");
  expect_renders(contribution_dependence(c, data, "income", {.color_by = "age"}), "dependence");
  expect_renders(contribution_dependence(c, data, "city", {.color_by = "city"}), "dependence_categorical");
  expect_renders(contribution_waterfall(c, 7, data), "waterfall");
  std::size_t mixed = 0;  // a row whose contributions pull both ways
  while (
      !(c.values[0](static_cast<Eigen::Index>(mixed), 0) < 0 && c.values[0](static_cast<Eigen::Index>(mixed), 1) > 0))
    ++mixed;
  expect_renders(contribution_waterfall(c, mixed, data), "waterfall_mixed");
  Contributions sampled = c;
  sampled.method = "sampling", sampled.exact = false, sampled.error_bound = 0.01;
  const Chart estimate = contribution_waterfall(sampled, 7, data, {.top = 1});
  EXPECT_NE(estimate.subtitle.find("sampling estimates (row sums within ± 0.01)"), std::string::npos)
      << estimate.subtitle;
  expect_renders(estimate, "waterfall_sampled");
  // A palette of two colours still gives a colour scale: from the first to the last.
  const std::string two = render(contributions_summary(c, data), ImageFormat::png, {.palette = {"#1b9e77", "#7570b3"}});
  EXPECT_GT(two.size(), 2000u);
  EXPECT_NE(two, render(contributions_summary(c, data), ImageFormat::png)) << "the palette colours the dots";
}

}  // namespace
}  // namespace shipml::test
