// Partial dependence for any model: the mean of the ICE curves, a straight
// line with the coefficient's slope for a linear regression, grids of
// quantiles or of every level, and the chart that draws them.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <numeric>

#include "chart_files.hpp"
#include "shipml/plot/charts.hpp"
#include "support.hpp"

namespace shipml::test {
namespace {

Model fitted(const std::string& estimator, const Dataset& data, const std::map<std::string, std::string>& params = {}) {
  Model m(estimator, params);
  m.fit(data);
  return m;
}

TEST(PartialDependence, IsTheMeanOfItsIceCurves) {
  const Dataset d = synthetic(Task::classification, 200);
  const Model model = fitted("hist_gbdt", d, {{"n_estimators", "20"}});
  // Every row kept as an ICE curve: the partial dependence is their mean at each grid point.
  for (const std::string feature : {"x1", "color"}) {
    const PartialDependence pd = partial_dependence(model, d.features(), feature, {.ice_rows = 200});
    ASSERT_EQ(pd.ice.size(), 200u) << feature;
    ASSERT_GE(pd.size(), 2u) << feature;
    for (std::size_t g = 0; g < pd.size(); ++g) {
      double sum = 0;
      for (const auto& curve : pd.ice) sum += curve[g];
      EXPECT_NEAR(pd.average[g], sum / 200, 1e-12) << feature << " at grid point " << g;
    }
  }
  // Each ICE value is the model's prediction for that row with the column set to the grid value.
  const PartialDependence pd = partial_dependence(model, d.features(), "x1", {.ice_rows = 5});
  ASSERT_EQ(pd.ice_rows.size(), 5u);
  const std::size_t row = pd.ice_rows[2], g = 7;
  const Frame one_row = d.features().take(std::vector<std::size_t>{row});
  std::vector<Column> columns;
  for (const Column& c : one_row.columns())
    columns.push_back(c.name() == "x1" ? Column::numeric("x1", {pd.grid[g]}) : c);
  const Matrix proba = model.predict_proba(Frame(columns));
  EXPECT_DOUBLE_EQ(pd.ice[2][g], proba(0, 0)) << "multiclass: the first class's probability by default";
  EXPECT_EQ(pd.output, model.classes()[0]);
  EXPECT_EQ(pd.prediction, "probability of " + model.classes()[0]);
}

TEST(PartialDependence, OfALinearRegressionIsAStraightLineWithTheCoefficientsSlope) {
  const Dataset d = read_dataset(data_path("diabetes.csv"), "progression");
  const Model model = fitted("linear", d);
  // The coefficients, by ordinary least squares on the raw columns.
  const Frame x = d.features();
  Matrix a(static_cast<Eigen::Index>(x.rows()), static_cast<Eigen::Index>(x.cols()) + 1);
  for (std::size_t j = 0; j < x.cols(); ++j)
    for (std::size_t i = 0; i < x.rows(); ++i)
      a(static_cast<Eigen::Index>(i), static_cast<Eigen::Index>(j)) = x[j].values()[i];
  a.col(a.cols() - 1).setOnes();
  const auto y = d.labels().values();
  const Eigen::VectorXd b = Eigen::Map<const Eigen::VectorXd>(y.data(), static_cast<Eigen::Index>(y.size()));
  const Eigen::VectorXd coef = a.colPivHouseholderQr().solve(b);
  for (const auto& [feature, j] : std::vector<std::pair<std::string, Eigen::Index>>{{"bmi", 2}, {"s5", 8}}) {
    const PartialDependence pd = partial_dependence(model, x, feature);
    ASSERT_EQ(pd.size(), 20u) << feature;
    for (std::size_t g = 1; g < pd.size(); ++g) {
      const double slope = (pd.average[g] - pd.average[g - 1]) / (pd.grid[g] - pd.grid[g - 1]);
      EXPECT_NEAR(slope, coef(j), 1e-6 * std::abs(coef(j))) << feature << " between grid points " << g - 1 << ", " << g;
    }
  }
  const PartialDependence pd = partial_dependence(model, x, "bmi");
  EXPECT_EQ(pd.prediction, "predicted value");
  EXPECT_EQ(pd.output, "");
}

TEST(PartialDependence, GridIsQuantilesOfNumbersOrEveryLevel) {
  const Dataset d = read_dataset(data_path("diabetes.csv"), "progression");
  const Model model = fitted("linear", d);
  std::vector<double> bmi(d.frame.column("bmi").values().begin(), d.frame.column("bmi").values().end());
  std::sort(bmi.begin(), bmi.end());
  const PartialDependence pd = partial_dependence(model, d.features(), "bmi", {.grid = 11});
  ASSERT_EQ(pd.grid.size(), 11u);
  EXPECT_TRUE(std::is_sorted(pd.grid.begin(), pd.grid.end()));
  auto rank_quantile = [&](double q) {  // numpy's default
    const double at = q * static_cast<double>(bmi.size() - 1);
    const auto lo = static_cast<std::size_t>(at);
    return bmi[lo] + (bmi[std::min(lo + 1, bmi.size() - 1)] - bmi[lo]) * (at - static_cast<double>(lo));
  };
  EXPECT_DOUBLE_EQ(pd.grid.front(), rank_quantile(0.05));
  EXPECT_DOUBLE_EQ(pd.grid[5], rank_quantile(0.5));
  EXPECT_DOUBLE_EQ(pd.grid.back(), rank_quantile(0.95));
  // Two values (sex): the grid is both of them.
  EXPECT_EQ(partial_dependence(model, d.features(), "sex").grid, (std::vector<double>{1, 2}));
  // A categorical column: every level the model learned.
  const Dataset s = synthetic(Task::regression);
  const PartialDependence color =
      partial_dependence(fitted("random_forest", s, {{"n_estimators", "10"}}), s.features(), "color");
  EXPECT_TRUE(color.categorical);
  EXPECT_EQ(color.levels, (std::vector<std::string>{"blue", "green", "red", "violet"}));
  EXPECT_EQ(color.size(), 4u);
}

TEST(PartialDependence, ClassificationShowsOneClassesProbability) {
  const Dataset churn = read_dataset(data_path("churn.csv"), "churn");
  const Model binary = fitted("logistic", churn);
  std::vector<std::size_t> first(200);
  std::iota(first.begin(), first.end(), std::size_t{0});
  const Frame rows = churn.features().take(first);
  const std::string calls = "number_customer_service_calls";
  const PartialDependence yes = partial_dependence(binary, rows, calls);
  EXPECT_EQ(yes.output, "yes") << "binary: the positive class, the second";
  EXPECT_EQ(yes.prediction, "probability of yes");
  for (double p : yes.average) EXPECT_TRUE(p >= 0 && p <= 1);
  EXPECT_GT(yes.average.back(), yes.average.front()) << "more calls to customer service, more churn";
  const PartialDependence no = partial_dependence(binary, rows, calls, {.output = "no"});
  for (std::size_t g = 0; g < no.size(); ++g) EXPECT_NEAR(no.average[g] + yes.average[g], 1, 1e-12);
  try {
    partial_dependence(binary, rows, calls, {.output = "maybe"});
    ADD_FAILURE() << "an unknown class was accepted";
  } catch (const UsageError& e) {
    EXPECT_NE(std::string(e.what()).find("no class 'maybe' (classes: no, yes)"), std::string::npos) << e.what();
  }
  try {
    partial_dependence(binary, rows, "day_minutes");
    ADD_FAILURE() << "an unknown column was accepted";
  } catch (const UsageError& e) {
    EXPECT_NE(std::string(e.what()).find("no input column 'day_minutes' (columns: state, account_length"),
              std::string::npos)
        << e.what();
  }
  const Dataset diabetes = read_dataset(data_path("diabetes.csv"), "progression");
  EXPECT_THROW(partial_dependence(fitted("linear", diabetes), diabetes.features(), "bmi", {.output = "yes"}),
               UsageError);
}

TEST(PartialDependence, IceRowsAreASeededSample) {
  const Dataset d = synthetic(Task::regression, 240);
  const Model model = fitted("linear", d);
  const PartialDependence a = partial_dependence(model, d.features(), "x1");
  const PartialDependence b = partial_dependence(model, d.features(), "x1");
  const PartialDependence other = partial_dependence(model, d.features(), "x1", {.seed = 7});
  EXPECT_EQ(a.ice_rows.size(), 50u);
  EXPECT_EQ(a.ice_rows, b.ice_rows);
  EXPECT_NE(a.ice_rows, other.ice_rows);
  EXPECT_TRUE(std::is_sorted(a.ice_rows.begin(), a.ice_rows.end()));
  EXPECT_EQ(a.rows, 240u);
  EXPECT_EQ(a.average, other.average) << "the partial dependence is over every row, whatever the sample";
}

TEST(PartialDependence, ChartDrawsThinIceLinesUnderTheBoldMean) {
  const Dataset d = synthetic(Task::regression, 240);
  const Model model = fitted("random_forest", d, {{"n_estimators", "10"}});
  const PartialDependence pd = partial_dependence(model, d.features(), "x1", {.ice_rows = 30});
  const Chart c = partial_dependence_chart(pd);
  ASSERT_EQ(c.series.size(), 31u);  // 30 ICE lines, then the mean on top
  for (std::size_t k = 0; k < 30; ++k) {
    EXPECT_EQ(c.series[k].y, pd.ice[k]);
    EXPECT_LT(c.series[k].opacity, 1);
    EXPECT_LT(c.series[k].width, c.series[30].width);
    EXPECT_EQ(c.series[k].name.empty(), k > 0) << "one legend entry for the ICE lines";
  }
  EXPECT_EQ(c.series[30].x, pd.grid);
  EXPECT_EQ(c.series[30].y, pd.average);
  EXPECT_EQ(c.series[30].name, "mean over 240 rows (partial dependence)");
  EXPECT_EQ(c.title, "Partial dependence on x1");
  EXPECT_EQ(c.y_label, "Predicted value");
  expect_renders(c, "pdp");
  const PartialDependence color = partial_dependence(model, d.features(), "color");
  const Chart levels = partial_dependence_chart(color);
  EXPECT_EQ(levels.x_categories, color.levels);
  EXPECT_EQ(levels.series.back().x, (std::vector<double>{0, 1, 2, 3}));
  expect_renders(levels, "pdp_categorical");
  const Dataset churn = read_dataset(data_path("churn.csv"), "churn");
  expect_renders(partial_dependence_chart(
                     partial_dependence(fitted("logistic", churn), churn.features(), "number_customer_service_calls")),
                 "pdp_churn");
}

}  // namespace
}  // namespace shipml::test
