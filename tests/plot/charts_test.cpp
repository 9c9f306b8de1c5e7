// Charts are checked for what they show, not for pixels: the ROC points are the
// computed curve, the confusion cells carry the counts, ticks are round and
// cover the data. Every chart kind is also rendered to SVG, PNG and PDF, so a
// broken renderer fails loudly.
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <numeric>
#include <regex>

#include "shipml/experiment/curves.hpp"
#include "shipml/experiment/permutation.hpp"
#include "shipml/metrics/curves.hpp"
#include "shipml/metrics/metrics.hpp"
#include "shipml/plot/charts.hpp"
#include "support.hpp"

namespace shipml::test {
namespace {

HeldOutPredictions scored(const std::string& file, const std::string& target, const std::string& estimator) {
  return score(Model(estimator), read_dataset(data_path(file), target), {.folds = 3, .seed = 1}).held_out();
}

TEST(Ticks, RoundNumbersThatCoverTheData) {
  for (const auto& [lo, hi] : std::vector<std::pair<double, double>>{
           {0, 1}, {0.03, 0.97}, {-3.2, 17.9}, {12345, 755000}, {0.8551, 0.8813}, {-1e-3, 2e-3}, {5, 5}, {-7, -2}}) {
    const auto t = nice_ticks(lo, hi);
    ASSERT_GE(t.size(), 2u) << lo << ".." << hi;
    EXPECT_LE(t.front(), lo) << lo << ".." << hi;
    EXPECT_GE(t.back(), hi) << lo << ".." << hi;
    EXPECT_LE(t.size(), 9u) << lo << ".." << hi;
    const double step = t[1] - t[0];
    const double mantissa = step / std::pow(10, std::floor(std::log10(step)));
    EXPECT_TRUE(std::abs(mantissa - 1) < 1e-9 || std::abs(mantissa - 2) < 1e-9 || std::abs(mantissa - 2.5) < 1e-9 ||
                std::abs(mantissa - 5) < 1e-9)
        << "step " << step;
    for (double v : t) EXPECT_NEAR(std::round(v / step) * step, v, step * 1e-9) << "ticks are multiples of the step";
  }
  EXPECT_EQ(tick_label(0.2, 0.2), "0.2");
  EXPECT_EQ(tick_label(0.25, 0.05), "0.25");
  EXPECT_EQ(tick_label(600000, 200000), "600,000");
  EXPECT_EQ(tick_label(-12000, 2000), "-12,000");
  EXPECT_EQ(tick_label(3, 1), "3");
}

TEST(Charts, RocPointsAreTheComputedCurveAndTheLegendCarriesTheAuc) {
  const HeldOutPredictions p = scored("breast_cancer.csv", "diagnosis", "logistic");
  const Chart c = roc_chart(p);
  ASSERT_EQ(c.series.size(), 2u);  // the curve and the chance line
  std::vector<int> positive;
  std::vector<double> score;
  for (std::size_t i = 0; i < p.size(); ++i) {
    positive.push_back(p.evaluation.truth[i] == 1);
    score.push_back(p.evaluation.proba(static_cast<Eigen::Index>(i), 1));
  }
  const ThresholdCurve roc = roc_curve(positive, score);
  EXPECT_EQ(c.series[0].x, roc.x);
  EXPECT_EQ(c.series[0].y, roc.y);
  double area = 0;  // the drawn curve's area is the AUC the legend states
  for (std::size_t k = 1; k < roc.x.size(); ++k) area += (roc.x[k] - roc.x[k - 1]) * (roc.y[k] + roc.y[k - 1]) / 2;
  const double auc = roc_auc_binary(positive, score);
  EXPECT_NEAR(area, auc, 1e-12);
  char legend[32];
  std::snprintf(legend, sizeof legend, "AUC %.3f", auc);
  EXPECT_EQ(c.series[0].name, legend);
  EXPECT_TRUE(c.series[1].reference);
  EXPECT_EQ(*c.x_min, 0);
  EXPECT_EQ(*c.y_max, 1);

  const Chart multi = roc_chart(scored("iris.csv", "species", "logistic"));
  ASSERT_EQ(multi.series.size(), 4u);  // one per class and chance
  EXPECT_EQ(multi.series[0].name.rfind("setosa (AUC ", 0), 0u) << multi.series[0].name;
}

TEST(Charts, ConfusionCellsCarryTheCounts) {
  const HeldOutPredictions p = scored("penguins.csv", "species", "random_forest");
  const Chart c = confusion_chart(p);
  ASSERT_EQ(c.cells.size(), 3u);
  std::vector<std::vector<double>> expected(3, std::vector<double>(3, 0));
  for (std::size_t i = 0; i < p.size(); ++i)
    expected[static_cast<std::size_t>(p.evaluation.truth[i])][static_cast<std::size_t>(p.evaluation.predicted[i])] += 1;
  EXPECT_EQ(c.cells, expected);
  EXPECT_EQ(c.cell_text[0][0], std::to_string(static_cast<int>(expected[0][0])));
  EXPECT_EQ(c.row_labels, p.classes);
  EXPECT_EQ(c.col_labels, p.classes);
  const Chart n = confusion_chart(p, true);
  for (const auto& row : n.cells) EXPECT_NEAR(std::accumulate(row.begin(), row.end(), 0.0), 1.0, 1e-12);
}

TEST(Charts, GainsLiftCalibrationAndHistogramsAreConsistent) {
  const HeldOutPredictions p = scored("churn.csv", "churn", "hist_gbdt");
  const Chart gains = gains_chart(p);
  EXPECT_EQ(gains.series[0].x.front(), 0);
  EXPECT_DOUBLE_EQ(gains.series[0].x.back(), 1);
  EXPECT_DOUBLE_EQ(gains.series[0].y.back(), 1);  // every positive found once every row is taken
  for (std::size_t k = 1; k < gains.series[0].y.size(); ++k) EXPECT_GE(gains.series[0].y[k], gains.series[0].y[k - 1]);
  const Chart lift = lift_chart(p);
  EXPECT_NEAR(lift.series[0].y.back(), 1.0, 1e-12);  // all rows: the overall rate
  EXPECT_GT(lift.series[0].y.front(), 3);            // churners concentrate in the top scores
  const Chart cal = calibration_chart(p);
  for (std::size_t k = 0; k < cal.series[0].x.size(); ++k) {
    EXPECT_GE(cal.series[0].x[k], 0);
    EXPECT_LE(cal.series[0].y[k], 1);
  }
  const Chart hist = probability_histogram(p);
  ASSERT_EQ(hist.series.size(), 2u);
  for (const auto& s : hist.series) {
    EXPECT_EQ(s.x.size(), s.y.size() + 1);  // bin edges
    EXPECT_NEAR(std::accumulate(s.y.begin(), s.y.end(), 0.0), 1.0, 1e-9);
  }
  EXPECT_THROW(lift_chart(scored("iris.csv", "species", "logistic")), UsageError);
  EXPECT_THROW(residuals_chart(p), UsageError);
}

TEST(Charts, ACalibratedModelsCalibrationChartShowsBeforeAndAfter) {
  const Dataset d = read_dataset(data_path("breast_cancer.csv"), "diagnosis");
  const HeldOutPredictions p =
      score(Model("gaussian_nb").calibrated({CalibrationMethod::isotonic, 5}), d, {.folds = 3, .seed = 1}).held_out();
  ASSERT_EQ(p.uncalibrated.rows(), static_cast<Eigen::Index>(p.size()));
  const Chart c = calibration_chart(p);
  EXPECT_EQ(c.title, "Calibration, before and after");
  ASSERT_EQ(c.series.size(), 3u);  // calibrated, uncalibrated, the diagonal
  const std::vector<int> truth(p.evaluation.truth.begin(), p.evaluation.truth.end());
  auto fixed3 = [](double v) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.3f", v);
    return std::string(buf);
  };
  EXPECT_EQ(c.series[0].name, "calibrated: Brier " + fixed3(brier_score(truth, p.evaluation.proba)) + ", log loss " +
                                  fixed3(log_loss(truth, p.evaluation.proba)));
  EXPECT_EQ(c.series[1].name, "uncalibrated: Brier " + fixed3(brier_score(truth, p.uncalibrated)) + ", log loss " +
                                  fixed3(log_loss(truth, p.uncalibrated)));
  EXPECT_TRUE(c.series[1].dashed);
  EXPECT_NE(c.series[0].color, c.series[1].color);  // two classes: a colour each
  EXPECT_TRUE(c.wide_legend);                       // the scores are read whole
  // Naive Bayes is overconfident; its calibration shows in both scores.
  EXPECT_LT(log_loss(truth, p.evaluation.proba), log_loss(truth, p.uncalibrated));
  // Multiclass: each class twice, the log losses in the subtitle.
  const HeldOutPredictions wine = score(Model("gaussian_nb").calibrated({CalibrationMethod::sigmoid, 3}),
                                        read_dataset(data_path("wine.csv"), "cultivar"), {.folds = 3})
                                      .held_out();
  const Chart w = calibration_chart(wine);
  EXPECT_EQ(w.series.size(), 7u);
  EXPECT_EQ(w.series[0].name.rfind("class_0: Brier ", 0), 0u) << w.series[0].name;
  EXPECT_NE(w.series[0].name.find(" before)"), std::string::npos) << w.series[0].name;
  EXPECT_EQ(w.series[1].name, "");  // one legend entry per class
  EXPECT_TRUE(w.series[1].dashed);
  EXPECT_EQ(w.series[0].color, w.series[1].color);  // more classes: a colour per class, dashed before
  EXPECT_NE(w.subtitle.find("dashed: before calibration; log loss "), std::string::npos) << w.subtitle;
  EXPECT_FALSE(render(c, ImageFormat::svg).empty());
}

TEST(Charts, RegressionChartsShareTheAxesAndShowEveryResidual) {
  const HeldOutPredictions p = scored("diabetes.csv", "progression", "linear");
  const Chart pe = prediction_error_chart(p);
  EXPECT_EQ(*pe.x_min, *pe.y_min);
  EXPECT_EQ(*pe.x_max, *pe.y_max);
  for (std::size_t i = 0; i < pe.series[0].x.size(); ++i) {
    EXPECT_GE(pe.series[0].x[i], *pe.x_min);
    EXPECT_LE(pe.series[0].y[i], *pe.y_max);
  }
  const Chart r = residuals_chart(p);
  ASSERT_EQ(r.series[0].y.size(), p.size());
  for (std::size_t i = 0; i < p.size(); ++i)
    EXPECT_DOUBLE_EQ(r.series[0].y[i], p.evaluation.truth[i] - p.evaluation.predicted[i]);
  EXPECT_THROW(roc_chart(p), UsageError);
}

TEST(Charts, ImportanceShowsTheLargestAndMostNegativeCoefficients) {
  const Dataset d = read_dataset(data_path("churn.csv"), "churn");
  Model m("logistic");
  m.fit(d);
  const LearnedImportance imp = learned_importance(m);
  const Chart c = importance_chart(imp, 10);
  ASSERT_EQ(c.bars.size(), 10u);
  const double largest = *std::max_element(imp.encoded_values.begin(), imp.encoded_values.end());
  const double smallest = *std::min_element(imp.encoded_values.begin(), imp.encoded_values.end());
  EXPECT_EQ(c.bars.front().value, largest);
  EXPECT_EQ(c.bars.back().value, smallest);
  EXPECT_LT(smallest, 0);
  for (std::size_t i = 1; i < c.bars.size(); ++i) EXPECT_LE(c.bars[i].value, c.bars[i - 1].value);
  // Trees: gain shares, no sign.
  Model tree("hist_gbdt", {{"n_estimators", "20"}});
  tree.fit(d);
  const Chart g = importance_chart(learned_importance(tree), 5);
  ASSERT_EQ(g.bars.size(), 5u);
  EXPECT_GT(g.bars[0].value, 0);
}

TEST(Charts, DataChartsFromTheFrame) {
  const Dataset credit = read_dataset(data_path("credit_data.csv"), "Status");
  const Chart missing = missing_values_chart(credit);
  ASSERT_FALSE(missing.bars.empty());
  EXPECT_EQ(missing.bars[0].label, "Income");
  EXPECT_NEAR(missing.bars[0].value,
              static_cast<double>(credit.frame.column("Income").missing_count()) / static_cast<double>(credit.rows()),
              1e-15);
  const Chart corr = target_correlation_chart(read_dataset(data_path("diabetes.csv"), "progression"));
  EXPECT_EQ(corr.bars.size(), 10u);
  for (const auto& b : corr.bars) EXPECT_LE(std::abs(b.value), 1.0);
  EXPECT_EQ(corr.bars[0].label, "bmi");  // the strongest linear link in the diabetes data
}

TEST(Charts, EveryKindRendersToSvgPngAndPdf) {
  TempDir tmp;
  const HeldOutPredictions binary = scored("breast_cancer.csv", "diagnosis", "hist_gbdt");
  const HeldOutPredictions multi = scored("wine.csv", "cultivar", "logistic");
  const HeldOutPredictions reg = scored("concrete.csv", "compressive_strength", "random_forest");
  const Dataset d = read_dataset(data_path("breast_cancer.csv"), "diagnosis");
  Model m("logistic");
  m.fit(d);
  const Curve learning = learning_curve(Model("decision_tree"), d, {0.3, 1.0}, {.folds = 3});
  const std::vector<std::pair<std::string, Chart>> charts = {
      {"roc", roc_chart(binary)},
      {"roc_multi", roc_chart(multi)},
      {"pr", precision_recall_chart(multi)},
      {"confusion", confusion_chart(multi)},
      {"lift", lift_chart(binary)},
      {"gains", gains_chart(binary)},
      {"calibration", calibration_chart(binary)},
      {"proba", probability_histogram(multi)},
      {"residuals", residuals_chart(reg)},
      {"prediction_error", prediction_error_chart(reg)},
      {"importance", importance_chart(learned_importance(m))},
      {"permutation", permutation_chart(permutation_importance(m, d, "", 2))},
      {"learning_curve", curve_chart(learning)},
      {"missing", missing_values_chart(read_dataset(data_path("credit_data.csv"), "Status"))},
      {"correlation", target_correlation_chart(d)}};
  // The two confusion kinds and validation_curve share builders above; the four
  // explanation kinds render in explain_charts_test.cpp and partial_dependence_test.cpp.
  EXPECT_EQ(chart_kinds().size(), 20u);
  for (const auto& [name, chart] : charts) {
    const std::string png = render(chart, ImageFormat::png);
    ASSERT_GT(png.size(), 2000u) << name;
    EXPECT_EQ(png.substr(1, 3), "PNG") << name;
    const std::string svg = render(chart, ImageFormat::svg, {.width = 640, .height = 400});
    EXPECT_NE(svg.find("<svg"), std::string::npos) << name;
    // The size asked for; a bar chart may end under its last bar, higher up.
    std::smatch box;
    ASSERT_TRUE(std::regex_search(svg, box, std::regex("viewBox=\"0 0 (\\d+) (\\d+)\""))) << name;
    EXPECT_EQ(box[1], "640") << name;
    if (chart.kind == Chart::Kind::bars) EXPECT_LE(std::stoi(box[2]), 400) << name;
    else EXPECT_EQ(box[2], "400") << name;
    EXPECT_EQ(render(chart, ImageFormat::pdf).substr(0, 4), "%PDF") << name;
    save_chart(chart, tmp.file(name + ".png"));
    EXPECT_TRUE(std::filesystem::exists(tmp.file(name + ".png")));
  }
  EXPECT_THROW(save_chart(charts[0].second, tmp.file("roc.jpg")), UsageError);
  EXPECT_THROW(render(charts[0].second, ImageFormat::png, {.width = 10}), UsageError);
  EXPECT_THROW(render(charts[0].second, ImageFormat::png, {.palette = {"blue"}}), UsageError);
}

// A chart's height in its SVG viewBox.
int svg_height(const Chart& chart, const ChartStyle& style) {
  const std::string svg = render(chart, ImageFormat::svg, style);
  std::smatch box;
  if (!std::regex_search(svg, box, std::regex("viewBox=\"0 0 \\d+ (\\d+)\""))) return -1;
  return std::stoi(box[1]);
}

TEST(Charts, ABarChartEndsUnderItsLastBar) {
  // Bars are at most 36 high: three leave most of a tall image empty, so it ends under them.
  Chart few{.kind = Chart::Kind::bars, .title = "Three bars", .x_label = "value"};
  for (int i = 0; i < 3; ++i) few.bars.push_back({.label = "bar " + std::to_string(i), .value = i + 1.0});
  const int height = svg_height(few, {.width = 640, .height = 600});
  EXPECT_GT(height, 150);
  EXPECT_LT(height, 300);
  EXPECT_EQ(svg_height(few, {.width = 640, .height = 600}), height) << "the same size every time";
  // Forty fill the height asked for, and it is kept.
  Chart many = few;
  for (int i = 3; i < 40; ++i) many.bars.push_back({.label = "bar " + std::to_string(i), .value = 1.0});
  EXPECT_EQ(svg_height(many, {.width = 640, .height = 600}), 600);
}

TEST(Charts, LongNamesAndManyClassesStillRender) {
  // 30 classes with 60-character names: labels are shortened, nothing throws.
  HeldOutPredictions p;
  for (int c = 0; c < 30; ++c)
    p.classes.push_back("a class with a very long name that goes on and on, number " + std::to_string(c));
  p.evaluation.task = Task::classification;
  p.evaluation.n_classes = 30;
  p.evaluation.proba = Matrix::Constant(300, 30, 1.0 / 30);
  for (int i = 0; i < 300; ++i) {
    p.rows.push_back(static_cast<std::size_t>(i));
    p.fold.push_back(0);
    p.evaluation.truth.push_back(i % 30);
    p.evaluation.predicted.push_back((i * 7) % 30);
  }
  EXPECT_GT(render(confusion_chart(p), ImageFormat::png).size(), 2000u);
  EXPECT_GT(render(roc_chart(p), ImageFormat::svg).size(), 2000u);
}

}  // namespace
}  // namespace shipml::test
