// The HTML report of a recorded run, and `shipml plot` from runs, models and data.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <numeric>
#include <regex>
#include <set>

#include "shipml/plot/charts.hpp"
#include "shipml/report/report.hpp"
#include "support.hpp"

namespace shipml::test {
namespace {

class ReportTest : public ::testing::Test {
 protected:
  RunResult cli(const std::string& args) {
    return run_cli(args, "SHIPML_TRACKING=on SHIPML_TRACKING_URI=" + tmp_.file("runs"));
  }
  RunRecord latest() { return RunStore::open(tmp_.file("runs"))->get("latest"); }
  // A linear model of diabetes.csv, saved as d.shipml: its run.
  RunRecord train_diabetes() {
    const RunResult r = cli("train -q --data " + data_path("diabetes.csv") + " -t progression -e linear --out " +
                            tmp_.file("d.shipml"));
    EXPECT_EQ(r.exit_code, 0) << r.err;
    return latest();
  }
  TempDir tmp_;
};

TEST_F(ReportTest, OnePageWithEveryChartAndUniqueIds) {
  ASSERT_EQ(cli("score -q --data " + data_path("breast_cancer.csv") + " -t diagnosis -e logistic --cv 3 --report " +
                tmp_.file("r.html"))
                .exit_code,
            0);
  const RunRecord run = latest();
  ASSERT_TRUE(run.artifacts.count("predictions.csv"));
  const HeldOutPredictions p = run_predictions(run);
  EXPECT_EQ(p.size(), 569u);  // every row once under 3-fold CV
  const std::string html = read_file(tmp_.file("r.html"));
  EXPECT_EQ(html, html_report(run));
  for (const char* section : {"<h2>Metrics</h2>", "<h2>Charts</h2>", "<h2>Parameters</h2>", "<h2>Data</h2>",
                              "<h2>Input schema</h2>", "class balance", "mean_radius"})
    EXPECT_NE(html.find(section), std::string::npos) << section;
  // Charts are inlined side by side: each one's glyph and clip ids must be its own.
  std::set<std::string> ids;
  const std::regex id("id=\"([^\"]+)\"");
  std::size_t count = 0;
  for (auto it = std::sregex_iterator(html.begin(), html.end(), id); it != std::sregex_iterator(); ++it, ++count)
    EXPECT_TRUE(ids.insert((*it)[1]).second) << "duplicate id " << (*it)[1];
  EXPECT_GT(count, 100u);
  const auto charts = run_charts(run);
  EXPECT_EQ(charts.size(), 10u);  // 8 from the predictions (binary), 2 from the data
  EXPECT_EQ(html.find("<script"), std::string::npos);
}

TEST_F(ReportTest, PlotFromARunAModelAndData) {
  ASSERT_EQ(cli("score -q --data " + data_path("iris.csv") + " -t species -e logistic --cv 3").exit_code, 0);
  const auto roc = cli("plot roc --run latest --out " + tmp_.file("roc.png"));
  ASSERT_EQ(roc.exit_code, 0) << roc.err;
  EXPECT_EQ(read_file(tmp_.file("roc.png")).substr(1, 3), "PNG");
  ASSERT_EQ(cli("train -q --data " + data_path("iris.csv") + " -t species -e logistic --out " + tmp_.file("m.shipml"))
                .exit_code,
            0);
  const std::string train_run = latest().id;
  for (const std::string kind : {"confusion", "calibration", "proba", "importance", "permutation"}) {
    const auto r = cli("plot " + kind + " --model " + tmp_.file("m.shipml") + " --data " + data_path("iris.csv") +
                       " --out " + tmp_.file(kind + ".svg") + " --title 'Iris: " + kind + "'");
    ASSERT_EQ(r.exit_code, 0) << kind << ": " << r.err;
    EXPECT_NE(read_file(tmp_.file(kind + ".svg")).find("<svg"), std::string::npos) << kind;
  }
  EXPECT_EQ(cli("plot importance --run " + train_run + " --out " + tmp_.file("i.svg")).exit_code,
            0);  // train runs keep their model
  const auto curve = cli("plot validation_curve -e decision_tree --param max_depth=1,2,4 --data " +
                         data_path("iris.csv") + " -t species --cv 3 --out " + tmp_.file("vc.pdf"));
  ASSERT_EQ(curve.exit_code, 0) << curve.err;
  EXPECT_EQ(read_file(tmp_.file("vc.pdf")).substr(0, 4), "%PDF");
  // Mistakes say what to do.
  const auto regression_chart =
      cli("plot residuals --model " + tmp_.file("m.shipml") + " --data " + data_path("iris.csv"));
  EXPECT_EQ(regression_chart.exit_code, 2);
  EXPECT_NE(regression_chart.err.find("regression chart"), std::string::npos) << regression_chart.err;
  EXPECT_EQ(cli("plot roc --run latest --out roc.gif").exit_code, 2);
  const auto unknown = cli("plot rocket --run latest");
  EXPECT_EQ(unknown.exit_code, 2);
  EXPECT_NE(unknown.err.find("charts: roc, pr,"), std::string::npos) << unknown.err;
  const auto no_predictions = cli("plot roc --run " + train_run);
  EXPECT_EQ(no_predictions.exit_code, 2);
  EXPECT_NE(no_predictions.err.find("recorded no predictions"), std::string::npos) << no_predictions.err;
  EXPECT_EQ(run_cli("score -q --no-track --data " + data_path("iris.csv") + " -t species -e logistic --report x.html")
                .exit_code,
            2);
}

TEST_F(ReportTest, PlotPartialDependenceFromAModelAndData) {
  const std::string diabetes = data_path("diabetes.csv"), penguins = data_path("penguins.csv");
  ASSERT_EQ(cli("train -q --data " + diabetes + " -t progression -e linear --out " + tmp_.file("d.shipml")).exit_code,
            0);
  const auto pdp = cli("plot pdp --model " + tmp_.file("d.shipml") + " --data " + diabetes +
                       " --feature bmi --bins 12 --out " + tmp_.file("pdp.png"));
  ASSERT_EQ(pdp.exit_code, 0) << pdp.err;
  EXPECT_EQ(read_file(tmp_.file("pdp.png")).substr(1, 3), "PNG");
  // A classifier's class, on a categorical column.
  ASSERT_EQ(cli("train -q --data " + penguins + " -t species -e logistic --out " + tmp_.file("p.shipml")).exit_code, 0);
  const auto island = cli("plot pdp --model " + tmp_.file("p.shipml") + " --data " + penguins +
                          " --feature island --class Gentoo --out " + tmp_.file("island.svg"));
  ASSERT_EQ(island.exit_code, 0) << island.err;
  EXPECT_NE(read_file(tmp_.file("island.svg")).find("<svg"), std::string::npos);
  // Mistakes say what to do.
  const auto no_feature = cli("plot pdp --model " + tmp_.file("d.shipml") + " --data " + diabetes);
  EXPECT_EQ(no_feature.exit_code, 2);
  EXPECT_NE(no_feature.err.find("the pdp chart needs a feature"), std::string::npos) << no_feature.err;
  const auto no_data = cli("plot pdp --model " + tmp_.file("d.shipml") + " --feature bmi");
  EXPECT_EQ(no_data.exit_code, 2);
  EXPECT_NE(no_data.err.find("needs --data"), std::string::npos) << no_data.err;
  const auto no_class =
      cli("plot pdp --model " + tmp_.file("p.shipml") + " --data " + penguins + " --feature island --class Emperor");
  EXPECT_EQ(no_class.exit_code, 2);
  EXPECT_NE(no_class.err.find("no class 'Emperor' (classes: Adelie, Chinstrap, Gentoo)"), std::string::npos)
      << no_class.err;
}

TEST_F(ReportTest, ContributionChartsExplainTheModelOnTheData) {
  const std::string diabetes = data_path("diabetes.csv");
  ASSERT_EQ(cli("train -q --data " + diabetes + " -t progression -e linear --out " + tmp_.file("d.shipml")).exit_code,
            0);
  for (const std::string kind : {"summary", "dependence --feature bmi", "waterfall --row 3"}) {
    const std::string name = kind.substr(0, kind.find(' '));
    const std::string out = tmp_.file(name + ".svg");
    const auto r = cli("plot " + kind + " --model " + tmp_.file("d.shipml") + " --data " + diabetes + " --out " + out);
    EXPECT_EQ(r.exit_code, 0) << kind << ": " << r.err;
    EXPECT_TRUE(std::filesystem::exists(out)) << kind;
    const auto no_model = cli("plot " + kind + " --data " + diabetes);
    EXPECT_EQ(no_model.exit_code, 2) << kind;
    EXPECT_NE(no_model.err.find("needs --model"), std::string::npos) << kind << ": " << no_model.err;
  }
  const auto dependence = cli("plot dependence --model " + tmp_.file("d.shipml") + " --data " + diabetes);
  EXPECT_NE(dependence.err.find("the dependence chart needs a feature"), std::string::npos) << dependence.err;
  EXPECT_NE(cli("plot waterfall --row 0 --data " + diabetes).exit_code, 0) << "rows count from 1";
}

TEST_F(ReportTest, ExplanationsSectionOnlyWhenGiven) {
  const RunRecord run = train_diabetes();
  EXPECT_EQ(html_report(run).find("Explanations"), std::string::npos);
  // Contributions made by hand: each column's standardised value, bmi's three times as large.
  const Frame data = read_csv(data_path("diabetes.csv"));
  auto model = std::make_shared<const Model>(Model::load(tmp_.file("d.shipml")));
  Contributions c{.columns = model->schema().names(), .outputs = {""}, .method = "linear"};
  Matrix v(static_cast<Eigen::Index>(data.rows()), static_cast<Eigen::Index>(c.columns.size()));
  for (std::size_t j = 0; j < c.columns.size(); ++j) {
    const auto x = data.column(c.columns[j]).values();
    const double mean = std::accumulate(x.begin(), x.end(), 0.0) / static_cast<double>(x.size());
    double squares = 0;
    for (double value : x) squares += (value - mean) * (value - mean);
    const double sd = std::sqrt(squares / static_cast<double>(x.size()));
    for (std::size_t i = 0; i < x.size(); ++i)
      v(static_cast<Eigen::Index>(i), static_cast<Eigen::Index>(j)) =
          (x[i] - mean) / sd * (c.columns[j] == "bmi" ? 3 : 1);
  }
  c.values = {v};
  c.expected = {152.1};
  const ReportExplanations explanations{c, data, model};
  const std::string html = html_report(run, &explanations);
  EXPECT_NE(html.find("<h2>Explanations</h2>"), std::string::npos);
  EXPECT_NE(html.find("<figure id=\"chart-summary\"><svg"), std::string::npos);
  EXPECT_NE(html.find("<figure id=\"chart-pdp\"><svg"), std::string::npos);
  EXPECT_NE(html.find("the partial dependence of the column that contributes most, bmi"), std::string::npos);
  std::set<std::string> ids;  // the section's charts beside the others: every id its own
  const std::regex id("id=\"([^\"]+)\"");
  for (auto it = std::sregex_iterator(html.begin(), html.end(), id); it != std::sregex_iterator(); ++it)
    EXPECT_TRUE(ids.insert((*it)[1]).second) << "duplicate id " << (*it)[1];
  if (const char* dir = std::getenv("SHIPML_CHART_DIR")) write_file_atomic(std::string(dir) + "/report.html", html);
  // Without the model, the summary alone.
  const ReportExplanations summary_only{c, data, nullptr};
  const std::string summary = html_report(run, &summary_only);
  EXPECT_NE(summary.find("<figure id=\"chart-summary\">"), std::string::npos);
  EXPECT_EQ(summary.find("chart-pdp"), std::string::npos);
}

TEST_F(ReportTest, ARunsReportExplainsItsModelOnItsData) {
  const RunRecord run = train_diabetes();
  const auto explained = run_explanations(run, 50);
  ASSERT_TRUE(explained);
  // 50 rows evenly spread over the file's 442, explained as the saved model explains them.
  const Frame rows = explained->data;
  ASSERT_EQ(rows.rows(), 50u);
  const Model model = Model::load(tmp_.file("d.shipml"));
  const Contributions direct = model.contributions(rows);
  EXPECT_EQ(explained->contributions.values[0], direct.values[0]);
  EXPECT_FALSE(run_explanations(run, 0));

  ASSERT_EQ(cli("report --run latest --explain-rows 50 -o " + tmp_.file("r.html")).exit_code, 0);
  const std::string html = read_file(tmp_.file("r.html"));
  EXPECT_EQ(html, html_report(run, &*explained));
  EXPECT_NE(html.find("linear contributions of 50 rows"), std::string::npos);
  EXPECT_NE(html.find("<figure id=\"chart-summary\"><svg"), std::string::npos);
  EXPECT_NE(html.find("<figure id=\"chart-pdp\"><svg"), std::string::npos);
  ASSERT_EQ(cli("report --run latest --explain-rows 0 -o " + tmp_.file("none.html")).exit_code, 0);
  EXPECT_EQ(read_file(tmp_.file("none.html")).find("Explanations"), std::string::npos);
  const RunResult bad = cli("report --run latest --explain-rows -3 -o " + tmp_.file("bad.html"));
  EXPECT_NE(bad.exit_code, 0);
  EXPECT_FALSE(std::filesystem::exists(tmp_.file("bad.html")));
}

}  // namespace
}  // namespace shipml::test
