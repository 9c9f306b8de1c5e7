// `shipml drift`: how far a file of new rows has drifted from the data a
// model was trained on (docs/drift.md). The same statistics the server
// exports for its live window.
#include <cstdio>
#include <cstdlib>
#include <iostream>

#include "args.hpp"
#include "commands.hpp"
#include "shipml/core/names.hpp"
#include "shipml/plot/charts.hpp"
#include "shipml/sources/open.hpp"
#include "shipml/track/registry.hpp"
#include "text_table.hpp"

namespace shipml::cli {
namespace {

std::string fixed(double v, int digits) {
  char text[32];
  std::snprintf(text, sizeof text, "%.*f", digits, v);
  return text;
}

std::string p_value_text(double p) {
  if (p < 1e-4) return "<0.0001";
  return fixed(p, 4);
}

std::vector<std::string> table_row(const ColumnDrift& c) {
  return {c.name,
          std::to_string(c.rows),
          fixed(c.psi, 4),
          c.test,
          fixed(c.statistic, 4),
          p_value_text(c.p_value),
          fixed(100 * c.reference_missing_rate, 1) + "% -> " + fixed(100 * c.missing_rate, 1) + "%",
          c.flagged ? "DRIFT" : ""};
}

}  // namespace

void add_drift(CLI::App& app) {
  auto* cmd = app.add_subcommand("drift", "How far new data has drifted from a model's training data, per column");
  auto model_path = std::make_shared<std::string>();
  auto data = std::make_shared<DataArgs>();
  auto thresholds = std::make_shared<DriftThresholds>();
  auto json = std::make_shared<bool>(false);
  auto fail = std::make_shared<bool>(false);
  auto chart = std::make_shared<std::string>();
  cmd->add_option("--model,-m", *model_path, "model file, or models:/NAME/STAGE|VERSION from the registry")->required();
  data->add(cmd, false);
  cmd->add_option("--threshold", thresholds->psi,
                  "flag a column at this population stability index or more (default 0.2)")
      ->check(CLI::PositiveNumber);
  cmd->add_option("--min-rows", thresholds->min_rows, "flag nothing on fewer rows than this (default 100)");
  cmd->add_flag("--json", *json, "print the report as JSON");
  cmd->add_option("--chart", *chart, "also draw each column's drift to this .svg or .png file");
  cmd->add_flag("--fail-on-drift", *fail, "exit with status 1 when a column is flagged (for CI and schedulers)");
  cmd->callback([=] {
    const Model model = Model::load(resolve_model_path(*model_path));
    const Frame rows = open_source(data->spec())->read_all();
    const DriftReport report = model.drift(rows, *thresholds);
    if (!chart->empty()) save_chart(drift_chart(report), *chart);
    if (*json) {
      std::cout << report.to_json().dump(2) << '\n';
    } else {
      std::vector<std::vector<std::string>> table = {
          {"column", "rows", "psi", "test", "statistic", "p_value", "missing", "drift"}};
      for (const auto& c : report.columns) table.push_back(table_row(c));
      table.push_back(table_row(report.prediction));
      table.back()[0] = "(prediction)";
      print_table(table);
      const auto flagged = report.flagged();
      std::cerr << flagged.size() << " of " << report.columns.size()
                << " columns drifted (psi >= " << format_number(thresholds->psi) << " on at least "
                << thresholds->min_rows << " rows)" << (flagged.empty() ? "" : ": " + listed(flagged)) << '\n';
    }
    if (*fail && !report.flagged().empty()) {
      std::cout.flush();
      std::exit(1);
    }
  });
}

}  // namespace shipml::cli
