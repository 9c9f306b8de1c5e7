// Drift monitoring behind `shipml serve`: a window of live rows drawn from the
// training data shows no drift, one with a shifted column flags that column
// and only it, and the gauges equal what `shipml drift` says of the same rows.
#include <gtest/gtest.h>

#include <cmath>
#include <nlohmann/json.hpp>
#include <regex>
#include <sstream>

#include "serve/server_process.hpp"

namespace shipml::test {
namespace {

using nlohmann::json;

// A gauge's value per column: `name{model="churn",...,column="C",...} V`.
std::map<std::string, double> per_column(const std::string& metrics, const std::string& name) {
  std::map<std::string, double> out;
  const std::regex line("^" + name + "\\{[^}]*column=\"([^\"]+)\"[^}]*\\} (\\S+)$");
  std::istringstream in(metrics);
  for (std::string l; std::getline(in, l);) {
    std::smatch m;
    if (std::regex_match(l, m, line)) out[m[1]] = std::stod(m[2]);
  }
  return out;
}

// The value of a gauge's first series.
double gauge(const std::string& metrics, const std::string& name) {
  const std::regex line("^" + name + "(\\{[^}]*\\})? (\\S+)$");
  std::istringstream in(metrics);
  for (std::string l; std::getline(in, l);) {
    std::smatch m;
    if (std::regex_match(l, m, line)) return std::stod(m[2]);
  }
  return std::nan("");
}

// `rows` of the frame, with `column` moved by `shift`.
Frame rows_of(const Frame& all, std::size_t first, std::size_t n, const std::string& column = "", double shift = 0) {
  std::vector<std::size_t> rows(n);
  for (std::size_t i = 0; i < n; ++i) rows[i] = first + i;
  const Frame taken = all.take(rows);
  std::vector<Column> cols;
  for (const auto& c : taken.columns()) {
    if (c.name() != column) {
      cols.push_back(c);
      continue;
    }
    std::vector<double> v(c.values().begin(), c.values().end());
    for (double& x : v) x += shift;
    cols.push_back(Column::numeric(c.name(), std::move(v)));
  }
  return Frame(std::move(cols));
}

// Sends `rows` in requests of 100 rows to MLflow's endpoint.
void send(const ServerProcess& server, const Frame& rows, const TempDir& dir) {
  for (std::size_t first = 0; first < rows.rows(); first += 100) {
    write_csv(dir.file("batch.csv"), rows_of(rows, first, std::min<std::size_t>(100, rows.rows() - first)));
    const auto r = server.post("/invocations", read_file(dir.file("batch.csv")), "text/csv");
    ASSERT_EQ(r.status, 200) << r.body;
  }
}

TEST(ServeDrift, TrainingRowsShowNoDriftAShiftedColumnIsFlaggedAndTheGaugesMatchTheCli) {
  TempDir dir;
  const Dataset d = read_dataset(data_path("churn.csv"), "churn");
  Model model("hist_gbdt", {{"n_estimators", "20"}});
  model.fit(d);
  model.save(dir.file("churn.shipml"));
  ServerProcess server({dir.file("churn.shipml"), "--drift-window", "500", "--no-access-log"});

  send(server, rows_of(d.features(), 0, 500), dir);
  std::string metrics = server.get("/metrics").body;
  EXPECT_EQ(gauge(metrics, "shipml_drift_window_rows"), 500);
  const auto flagged_before = per_column(metrics, "shipml_drift_flagged");
  ASSERT_EQ(flagged_before.size(), d.features().cols()) << metrics;
  for (const auto& [column, flagged] : flagged_before) EXPECT_EQ(flagged, 0) << column;
  EXPECT_LT(gauge(metrics, "shipml_prediction_drift_psi"), 0.1);

  // The window slides: 500 shifted rows push the first 500 out.
  const Frame shifted = rows_of(d.features(), 500, 500, "total_day_minutes", 60);
  send(server, shifted, dir);
  metrics = server.get("/metrics").body;
  for (const auto& [column, flagged] : per_column(metrics, "shipml_drift_flagged"))
    EXPECT_EQ(flagged, column == "total_day_minutes" ? 1 : 0) << column;

  // `shipml drift` on the same rows says the same, to the last digit.
  write_csv(dir.file("shifted.csv"), shifted);
  const auto cli = run_cli("drift --model " + dir.file("churn.shipml") + " --data " + dir.file("shifted.csv") +
                           " --json --fail-on-drift");
  EXPECT_EQ(cli.exit_code, 1) << cli.err;
  const json report = json::parse(cli.out);
  EXPECT_EQ(report["flagged"], json::array({"total_day_minutes"}));
  const auto psi = per_column(metrics, "shipml_drift_psi");
  const auto statistic = per_column(metrics, "shipml_drift_statistic");
  for (const auto& c : report["columns"]) {
    const std::string name = c["name"];
    EXPECT_DOUBLE_EQ(psi.at(name), c["psi"].get<double>()) << name;
    EXPECT_DOUBLE_EQ(statistic.at(name), c["statistic"].get<double>()) << name;
  }
  EXPECT_DOUBLE_EQ(gauge(metrics, "shipml_prediction_drift_psi"), report["prediction"]["psi"].get<double>());
}

TEST(ServeDrift, NoDriftGaugesWithoutAWindowOrForAModelWithoutAReference) {
  TempDir dir;
  ServerProcess old({source_path("tests/golden/v1/hist_gbdt_churn.shipml")});
  EXPECT_EQ(old.get("/metrics").body.find("shipml_drift"), std::string::npos);

  const Dataset d = read_dataset(data_path("iris.csv"), "species");
  Model model("logistic");
  model.fit(d);
  model.save(dir.file("iris.shipml"));
  ServerProcess off({dir.file("iris.shipml"), "--drift-window", "0"});
  EXPECT_EQ(off.get("/metrics").body.find("shipml_drift"), std::string::npos);
}

}  // namespace
}  // namespace shipml::test
