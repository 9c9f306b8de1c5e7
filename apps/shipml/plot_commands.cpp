// `shipml plot KIND` and `shipml report`: charts and HTML pages from runs,
// models and data.
#include <iostream>
#include <tuple>

#include "args.hpp"
#include "commands.hpp"
#include "shipml/experiment/curves.hpp"
#include "shipml/experiment/make_chart.hpp"
#include "shipml/experiment/permutation.hpp"
#include "shipml/io/file.hpp"
#include "shipml/plot/charts.hpp"
#include "shipml/report/report.hpp"
#include "shipml/track/registry.hpp"

namespace shipml::cli {
namespace {

struct PlotSource {
  std::string run, model_path, data_path, target, estimator, param, weight;
  std::string feature, color_by, output;  // the explanation charts' column, colouring and class
  std::size_t row = 1;                    // waterfall: counting from 1, as error messages count rows
  std::vector<std::string> settings;
  int folds = 5;
  std::uint64_t seed = 42;
  std::size_t top = 20;
  int bins = 0;
  SplitArgs split;  // the curves' folds keep groups whole, or follow time

  Dataset data(const std::string& default_target = "") const {
    if (data_path.empty()) throw UsageError("this chart needs --data");
    const std::string t = target.empty() ? default_target : target;
    if (t.empty()) throw UsageError("this chart needs --target (the column the model predicts)");
    DataArgs args;
    args.path = data_path;
    args.target = t;
    args.weight = weight;
    return split.read(args);
  }
  Model model() const {
    if (!model_path.empty()) return Model::load(resolve_model_path(model_path));
    if (!run.empty()) {
      auto m = run_model(RunStore::open()->get(run));
      if (!m)
        throw UsageError("run " + run + " saved no model (train, compare --refit and search runs do); give --model");
      return std::move(*m);
    }
    throw UsageError("this chart needs --model FILE or --run ID");
  }
  HeldOutPredictions predictions() const {
    if (!run.empty()) return run_predictions(RunStore::open()->get(run));
    if (model_path.empty()) throw UsageError("this chart needs --run ID, or --model FILE with --data FILE");
    const Model m = model();
    return predictions_on(m, data(m.target()));
  }
  Model unfitted() const {
    if (estimator.empty()) throw UsageError("this chart fits models: give -e ESTIMATOR");
    EstimatorArgs e{estimator, settings};
    return e.model();
  }
};

// What was given on the command line, as the providers make_chart asks.
ChartSource chart_source(const PlotSource& s) {
  ChartSource c{.feature = s.feature,
                .color_by = s.color_by,
                .row = s.row - 1,
                .output = s.output,
                .folds = s.folds,
                .seed = s.seed,
                .top = s.top,
                .bins = s.bins};
  if (!s.split.gap.empty()) c.gap = TimeGap::parse(s.split.gap);
  c.predictions = [&s] { return s.predictions(); };
  c.model = [&s] { return std::make_shared<const Model>(s.model()); };
  c.data = [&s](const std::string& model_target) { return s.data(model_target); };
  c.table = [&s] {
    if (s.data_path.empty()) throw UsageError("this chart needs --data");
    return read_csv(s.data_path);
  };
  c.unfitted = [&s] { return s.unfitted(); };
  if (!s.param.empty()) std::tie(c.param, c.values) = parse_list(s.param, "--param");
  return c;
}

void add_plot(CLI::App& app) {
  std::string kinds_help = "Draw a chart as SVG, PNG or PDF. Charts:";
  for (const auto& k : chart_kinds())
    kinds_help += "\n  " + k.name + std::string(22 - k.name.size(), ' ') + k.doc + " [" + k.needs + "]";
  auto* cmd = app.add_subcommand("plot", "Draw a chart (roc, pr, confusion, importance, ...) as SVG, PNG or PDF");
  cmd->footer(kinds_help);
  auto kind = std::make_shared<std::string>();
  auto s = std::make_shared<PlotSource>();
  auto out = std::make_shared<std::string>();
  auto style = std::make_shared<ChartStyle>();
  cmd->add_option("kind", *kind, "the chart (list below)")->required();
  cmd->add_option("--run", s->run, "a recorded run (id, prefix or 'latest'): its held-out predictions or model");
  cmd->add_option("--model,-m", s->model_path, "a model file (or models:/NAME/STAGE)");
  cmd->add_option("--data", s->data_path, "data: a test file for a model, or the data itself")
      ->check(CLI::ExistingFile);
  cmd->add_option("--target,-t", s->target, "the target column (default: the model's)");
  cmd->add_option("--estimator,-e", s->estimator, "learning_curve, validation_curve: the estimator to fit");
  cmd->add_option("--set", s->settings, "estimator parameter NAME=VALUE (repeatable)");
  cmd->add_option("--param", s->param, "validation_curve: NAME=v1,v2,...");
  cmd->add_option("--cv", s->folds, "folds for the curves")->check(CLI::Range(2, 100))->capture_default_str();
  cmd->add_option("--seed", s->seed, "seed for folds and shuffles")->capture_default_str();
  s->split.add(cmd, false);
  cmd->add_option("--weight", s->weight,
                  "learning_curve, validation_curve, permutation: column of row weights for the fits and the metric "
                  "(not a feature; the other charts are unweighted)");
  cmd->add_option("--top", s->top,
                  "bars or rows shown (importance, permutation, missing, correlation, summary, waterfall)")
      ->capture_default_str();
  cmd->add_option("--bins", s->bins, "bins (calibration: 10, proba: 20); pdp: points on the grid (20)")
      ->check(CLI::Range(2, 1000));
  cmd->add_option("--feature", s->feature, "dependence, pdp: the input column shown");
  cmd->add_option("--color-by", s->color_by, "dependence: colour the dots by this column's value");
  cmd->add_option("--row", s->row, "waterfall: the row explained, counting from 1 (the first data row)")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  cmd->add_option("--class", s->output,
                  "summary, dependence, waterfall, pdp: the class shown (default: the first; pdp: the positive one)");
  cmd->add_option("--out,-o", *out, "the image file: .svg, .png or .pdf (default KIND.svg)");
  cmd->add_option("--title", style->title, "replace the chart's title");
  cmd->add_option("--width", style->width, "width in points or pixels")->capture_default_str();
  cmd->add_option("--height", style->height, "height in points or pixels")->capture_default_str();
  cmd->add_option("--palette", style->palette, "colours #rrggbb, in order (repeatable)");
  cmd->callback([=] {
    const std::string path = out->empty() ? *kind + ".svg" : *out;
    image_format(path);  // a bad extension fails before any work
    save_chart(make_chart(*kind, chart_source(*s)), path, *style);
    std::cout << "wrote " << path << '\n';
  });
}

void add_report(CLI::App& app) {
  auto* cmd = app.add_subcommand(
      "report", "Write one self-contained HTML page for a run: metrics, charts, parameters, schema, data");
  auto run = std::make_shared<std::string>("latest");
  auto out = std::make_shared<std::string>();
  auto explain_rows = std::make_shared<std::size_t>(kReportExplainedRows);
  cmd->add_option("--run", *run, "run id, prefix or 'latest'")->capture_default_str();
  cmd->add_option("--out,-o", *out, "the HTML file (default: report-RUNID.html)");
  cmd->add_option("--explain-rows", *explain_rows,
                  "rows of the run's data its model explains in the Explanations section (0: none)")
      ->capture_default_str()
      ->check(CLI::Range(std::size_t{0}, std::size_t{100000}));
  cmd->callback([=] {
    const RunRecord record = RunStore::open()->get(*run);
    const std::string path = out->empty() ? "report-" + record.id.substr(0, 8) + ".html" : *out;
    write_run_report(record.id, path, *explain_rows);
    std::cout << "wrote " << path << '\n';
  });
}

}  // namespace

void write_run_report(const std::string& run_id, const std::string& path, std::size_t explain_rows) {
  if (run_id.empty()) throw UsageError("--report needs the run to be recorded; tracking is off");
  const RunRecord run = RunStore::open()->get(run_id);
  const auto explanations = run_explanations(run, explain_rows);
  write_file_atomic(path, html_report(run, explanations ? &*explanations : nullptr));
}

void add_plots(CLI::App& app) {
  add_plot(app);
  add_report(app);
}

}  // namespace shipml::cli
