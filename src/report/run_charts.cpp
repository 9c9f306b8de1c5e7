// What a recorded run can be drawn from: its held-out predictions, its model,
// its importance ranking and its data.
#include <filesystem>
#include <optional>

#include "shipml/core/error.hpp"
#include "shipml/io/csv.hpp"
#include "shipml/io/file.hpp"
#include "shipml/plot/charts.hpp"
#include "shipml/report/report.hpp"

namespace shipml {

HeldOutPredictions run_predictions(const RunRecord& run) {
  const auto it = run.artifacts.find("predictions.csv");
  if (it == run.artifacts.end())
    throw UsageError("run " + run.id.substr(0, 8) + " (" + run.kind +
                     ") recorded no predictions; score and compare runs do (or plot from --model and --data)");
  return HeldOutPredictions::from_csv(read_file(it->second), it->second);
}

std::optional<Model> run_model(const RunRecord& run) {
  const auto it = run.artifacts.find("model.shipml");
  if (it == run.artifacts.end() || !std::filesystem::exists(it->second)) return std::nullopt;
  return Model::load(it->second);
}

namespace {

// The permutation ranking a select run stored, back into its structure.
std::optional<PermutationImportance> run_permutation(const RunRecord& run) {
  const auto it = run.artifacts.find("importance.csv");
  if (it == run.artifacts.end() || !std::filesystem::exists(it->second)) return std::nullopt;
  const Frame t = read_csv(it->second, {.categorical = {"feature"}});
  PermutationImportance p;
  p.metric = run.params.count("metric") ? run.params.at("metric") : "score";
  for (const auto& [k, v] : run.metrics)
    if (k.starts_with("baseline_")) p.baseline = v;
  for (std::size_t i = 0; i < t.rows(); ++i) {
    FeatureImportance f{
        t.column("feature").text(i), t.column("mean_drop").values()[i], t.column("std_drop").values()[i], {}};
    for (const auto& c : t.columns())
      if (c.name().starts_with("repeat")) f.drops.push_back(c.values()[i]);
    p.features.push_back(std::move(f));
  }
  return p;
}

std::optional<Dataset> run_data(const RunRecord& run) {
  if (!run.info.contains("data")) return std::nullopt;
  const auto& d = run.info["data"];
  std::string source = d.value("source", "");
  const std::string target = d.value("target", "");
  // A relative path was relative to where the run ran.
  if (!source.empty() && std::filesystem::path(source).is_relative() && run.info.contains("working_directory"))
    source = (std::filesystem::path(run.info["working_directory"].get<std::string>()) / source).string();
  if (source.empty() || target.empty() || !std::filesystem::is_regular_file(source)) return std::nullopt;
  try {
    Dataset data = read_dataset(source, target);
    if (data.fingerprint() != d.value("fingerprint", "")) return std::nullopt;  // the file changed since
    return data;
  } catch (const Error&) {
    return std::nullopt;
  }
}

}  // namespace

std::optional<ReportExplanations> run_explanations(const RunRecord& run, std::size_t rows, std::size_t samples) {
  if (rows == 0) return std::nullopt;
  auto model = run_model(run);
  const auto data = model ? run_data(run) : std::nullopt;
  if (!data || data->frame.rows() == 0) return std::nullopt;
  // Exactly min(rows, n) rows, evenly spread from the first.
  const std::size_t n = data->frame.rows(), count = std::min(rows, n);
  std::vector<std::size_t> picked(count);
  for (std::size_t i = 0; i < count; ++i) picked[i] = i * n / count;
  Frame explained = data->features().take(picked);
  Contributions c = model->contributions(explained, {.samples = samples});
  return ReportExplanations{std::move(c), std::move(explained), std::make_shared<const Model>(std::move(*model))};
}

std::vector<std::pair<std::string, Chart>> run_charts(const RunRecord& run, const HeldOutPredictions* predictions) {
  std::vector<std::pair<std::string, Chart>> out;
  std::optional<HeldOutPredictions> read;
  if (!predictions && run.artifacts.count("predictions.csv")) predictions = &read.emplace(run_predictions(run));
  if (predictions) {
    const HeldOutPredictions& p = *predictions;
    if (p.evaluation.task == Task::classification) {
      out.emplace_back("roc", roc_chart(p));
      out.emplace_back("pr", precision_recall_chart(p));
      out.emplace_back("confusion", confusion_chart(p));
      out.emplace_back("confusion_normalized", confusion_chart(p, true));
      out.emplace_back("calibration", calibration_chart(p));
      out.emplace_back("proba", probability_histogram(p));
      if (p.classes.size() == 2) {
        out.emplace_back("gains", gains_chart(p));
        out.emplace_back("lift", lift_chart(p));
      }
    } else {
      out.emplace_back("prediction_error", prediction_error_chart(p));
      out.emplace_back("residuals", residuals_chart(p));
    }
  }
  if (const auto model = run_model(run)) {
    const LearnedImportance imp = learned_importance(*model);
    if (!imp.empty()) out.emplace_back("importance", importance_chart(imp));
  }
  if (const auto perm = run_permutation(run)) out.emplace_back("permutation", permutation_chart(*perm));
  if (const auto data = run_data(run)) {
    out.emplace_back("missing", missing_values_chart(*data));
    out.emplace_back("correlation", target_correlation_chart(*data));
  }
  return out;
}

}  // namespace shipml
