// The HTML report of a recorded run, and `shipml plot` from runs, models and data.
#include <gtest/gtest.h>

#include <filesystem>
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

}  // namespace
}  // namespace shipml::test
