#include "shipml/model/scoring.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <iomanip>
#include <sstream>

#include "shipml/core/clock.hpp"
#include "shipml/core/error.hpp"
#include "shipml/core/interrupt.hpp"
#include "shipml/core/names.hpp"
#include "shipml/core/parallel.hpp"
#include "shipml/core/progress.hpp"
#include "shipml/core/random.hpp"
#include "shipml/io/csv.hpp"
#include "shipml/metrics/metrics.hpp"

namespace shipml {

ScoringPlan ScoringPlan::make(const Dataset& data, const Validation& v, std::vector<std::string> metric_names) {
  ScoringPlan plan;
  plan.target = data.labels();
  plan.features = data.features();
  plan.weights = data.weights();
  plan.weight = data.weight;
  plan.task = v.task ? *v.task : infer_task(plan.target);
  plan.seed = v.seed;
  std::vector<int> class_of_row;
  if (plan.task == Task::classification) {
    plan.classes = class_labels(plan.target);
    class_of_row = class_indices(plan.target, plan.classes);
    plan.truth.assign(class_of_row.begin(), class_of_row.end());
  } else {
    plan.truth = target_values(plan.target);
  }
  const int n_classes = static_cast<int>(plan.classes.size());
  if (metric_names.empty()) metric_names = default_metrics(plan.task, n_classes);
  for (const auto& name : metric_names) check_metric(find_metric(name), plan.task, n_classes);
  plan.metric_names = metric_names;
  Splits splits = make_splits(data, v, class_of_row);  // empty for regression: not stratified
  plan.folds = std::move(splits.folds);
  plan.validation = std::move(splits.description);
  // Said wherever the scores are shown: they are weighted means, not plain ones.
  if (!plan.weight.empty()) plan.validation += ", rows weighted by '" + echoed(plan.weight) + "'";
  return plan;
}

Result ScoringPlan::result_for(const Model& prototype) const {
  Result result;
  result.estimator = prototype.estimator();
  result.params = prototype.all_params();
  for (const auto& [k, v] : prototype.decision_params()) result.params[k] = v;  // calibration, threshold
  result.task = task;
  result.classes = classes;
  result.seed = seed;
  result.metric_names = metric_names;
  result.validation = validation;
  result.weight = weight;
  result.folds.resize(folds.size());
  return result;
}

ScoringPlan ScoringPlan::with_columns(const std::vector<std::size_t>& columns) const {
  ScoringPlan plan = *this;
  std::vector<Column> kept;
  for (std::size_t j : columns) kept.push_back(features[j]);  // shares the values
  plan.features = Frame(std::move(kept), Frame::Trusted{});
  return plan;
}

FoldResult ScoringPlan::run_fold(const Model& prototype, std::size_t f, std::size_t max_train_rows, std::uint64_t seed,
                                 Model* fitted) const {
  throw_if_stopped("scoring");
  const Fold& fold = folds.at(f);
  std::vector<std::size_t> train = fold.train;
  if (max_train_rows > 0 && max_train_rows < train.size()) {
    Random rng(seed ^ (0x9e3779b97f4a7c15ULL * (f + 1)));
    rng.shuffle(std::span(train));
    train.resize(max_train_rows);
    std::sort(train.begin(), train.end());
  }
  Model model = prototype.clone();
  FoldResult out;
  out.train_rows = train.size();
  out.test_rows = fold.test.size();
  auto start = std::chrono::steady_clock::now();
  FitOptions options{.task = task, .classes = classes, .drift_reference = false};
  if (!weights.empty())
    for (std::size_t i : train) options.weights.push_back(weights[i]);
  model.fit(features.take(train), target.take(train), options);
  out.fit_seconds = seconds_since(start);
  start = std::chrono::steady_clock::now();
  const Frame test = features.take(fold.test);
  Predictions p = model.predict(test);
  out.predict_seconds = seconds_since(start);
  if (keep_predictions && model.calibration()) out.uncalibrated = model.predict_proba_uncalibrated(test);
  Evaluation e{task, static_cast<int>(classes.size()), {}, std::move(p.values), std::move(p.proba)};
  for (std::size_t i : fold.test) e.truth.push_back(truth[i]);
  if (!weights.empty())
    for (std::size_t i : fold.test) e.weights.push_back(weights[i]);
  for (const auto& name : metric_names) out.metrics[name] = find_metric(name).compute(e);
  if (keep_predictions) {
    out.rows = fold.test;
    out.held_out = std::move(e);
  }
  if (fitted) *fitted = std::move(model);
  return out;
}

Result score(const Model& prototype, const Dataset& data, const Validation& v, std::vector<std::string> metric_names) {
  const ScoringPlan plan = ScoringPlan::make(data, v, std::move(metric_names));
  Result result = plan.result_for(prototype);
  Progress progress("scoring " + prototype.estimator(), plan.folds.size());
  parallel_for(plan.folds.size(), v.threads, [&](std::size_t f) {
    result.folds[f] = plan.run_fold(prototype, f);
    progress.tick();
  });
  return result;
}

namespace {

// The metric's value on each fold that has it (a search stopped part-way leaves folds without).
std::vector<double> fold_values(const std::vector<FoldResult>& folds, const std::string& metric) {
  std::vector<double> out;
  for (const auto& f : folds)
    if (const auto it = f.metrics.find(metric); it != f.metrics.end()) out.push_back(it->second);
  return out;
}

}  // namespace

HeldOutPredictions Result::held_out() const {
  HeldOutPredictions out;
  out.classes = classes;
  Evaluation& e = out.evaluation;
  e.task = task;
  e.n_classes = static_cast<int>(classes.size());
  std::size_t n = 0;
  for (const auto& f : folds) n += f.rows.size();
  if (task == Task::classification)
    e.proba.resize(static_cast<Eigen::Index>(n), static_cast<Eigen::Index>(classes.size()));
  // Before calibration too, when every fold kept it (a calibrated model's).
  const bool uncalibrated =
      task == Task::classification && n > 0 && std::all_of(folds.begin(), folds.end(), [](const FoldResult& f) {
        return f.uncalibrated.rows() == static_cast<Eigen::Index>(f.rows.size());
      });
  if (uncalibrated) out.uncalibrated.resize(e.proba.rows(), e.proba.cols());
  for (std::size_t k = 0; k < folds.size(); ++k) {
    const FoldResult& f = folds[k];
    for (std::size_t i = 0; i < f.rows.size(); ++i) {
      if (uncalibrated)
        out.uncalibrated.row(static_cast<Eigen::Index>(out.rows.size())) =
            f.uncalibrated.row(static_cast<Eigen::Index>(i));
      if (task == Task::classification)
        e.proba.row(static_cast<Eigen::Index>(out.rows.size())) = f.held_out.proba.row(static_cast<Eigen::Index>(i));
      out.rows.push_back(f.rows[i]);
      out.fold.push_back(k);
    }
    e.truth.insert(e.truth.end(), f.held_out.truth.begin(), f.held_out.truth.end());
    e.predicted.insert(e.predicted.end(), f.held_out.predicted.begin(), f.held_out.predicted.end());
    e.weights.insert(e.weights.end(), f.held_out.weights.begin(), f.held_out.weights.end());
  }
  return out;
}

std::string HeldOutPredictions::to_csv() const {
  const Evaluation& e = evaluation;
  const bool classes_known = e.task == Task::classification;
  auto label = [&](double v) { return classes_known ? classes.at(static_cast<std::size_t>(v)) : format_number(v); };
  Frame table;
  std::vector<double> row(rows.begin(), rows.end()), fold_no(fold.begin(), fold.end());
  table.add(Column::numeric("row", row));
  table.add(Column::numeric("fold", fold_no));
  std::vector<std::string> truth, predicted;
  for (double v : e.truth) truth.push_back(label(v));
  for (double v : e.predicted) predicted.push_back(label(v));
  if (classes_known) {
    table.add(Column::from_strings("truth", truth));
    table.add(Column::from_strings("predicted", predicted));
    for (std::size_t c = 0; c < classes.size(); ++c) {
      const auto col = e.proba.col(static_cast<Eigen::Index>(c));
      table.add(Column::numeric("proba:" + classes[c], std::vector<double>(col.begin(), col.end())));
    }
    for (Eigen::Index c = 0; c < uncalibrated.cols(); ++c) {
      const auto col = uncalibrated.col(c);
      table.add(Column::numeric("uncalibrated:" + classes[static_cast<std::size_t>(c)],
                                std::vector<double>(col.begin(), col.end())));
    }
  } else {
    table.add(Column::numeric("truth", e.truth));
    table.add(Column::numeric("predicted", e.predicted));
  }
  return shipml::to_csv(table);
}

HeldOutPredictions HeldOutPredictions::from_csv(const std::string& text, const std::string& source) {
  CsvOptions options;
  options.required = {"row", "fold", "truth", "predicted"};
  options.numeric = {"row", "fold"};
  const Frame table = parse_csv(text, options, source);
  HeldOutPredictions out;
  for (const auto& c : table.columns())
    if (c.name().starts_with("proba:")) out.classes.push_back(c.name().substr(6));
  Evaluation& e = out.evaluation;
  e.task = out.classes.empty() ? Task::regression : Task::classification;
  e.n_classes = static_cast<int>(out.classes.size());
  for (double v : table.column("row").values()) out.rows.push_back(static_cast<std::size_t>(v));
  for (double v : table.column("fold").values()) out.fold.push_back(static_cast<std::size_t>(v));
  if (e.task == Task::regression) {
    e.truth = target_values(table.column("truth"));
    e.predicted = target_values(table.column("predicted"));
    return out;
  }
  auto labels = [&](const char* column) {
    const auto idx = class_indices(table.column(column), out.classes);
    for (std::size_t i = 0; i < idx.size(); ++i)
      if (idx[i] < 0)
        throw DataError(source + ": line " + std::to_string(i + 2) + ", column " + column + ": '" +
                        echoed(table.column(column).text(i)) + "' is not one of the classes (" + listed(out.classes) +
                        ")");
    return idx;
  };
  const auto truth = labels("truth");
  const auto predicted = labels("predicted");
  e.truth.assign(truth.begin(), truth.end());
  e.predicted.assign(predicted.begin(), predicted.end());
  // Probabilities per class: calibrated (or the model's own), and a calibrated
  // model's before calibration when the file has them.
  auto read_proba = [&](const std::string& prefix, Matrix& into) {
    into.resize(static_cast<Eigen::Index>(table.rows()), static_cast<Eigen::Index>(out.classes.size()));
    for (std::size_t c = 0; c < out.classes.size(); ++c) {
      const auto values = table.column(prefix + out.classes[c]).values();
      for (std::size_t i = 0; i < values.size(); ++i) {
        if (std::isnan(values[i]))
          throw DataError(source + ": line " + std::to_string(i + 2) + ", column " + prefix + out.classes[c] +
                          ": a probability is missing");
        into(static_cast<Eigen::Index>(i), static_cast<Eigen::Index>(c)) = values[i];
      }
    }
  };
  read_proba("proba:", e.proba);
  if (!out.classes.empty() && table.find("uncalibrated:" + out.classes.front()))
    read_proba("uncalibrated:", out.uncalibrated);
  return out;
}

double Result::mean(const std::string& metric) const {
  const auto values = fold_values(folds, metric);
  if (values.empty()) return std::nan("");
  double sum = 0;
  for (double v : values) sum += v;
  return sum / static_cast<double>(values.size());
}

double Result::stddev(const std::string& metric) const {
  const auto values = fold_values(folds, metric);
  if (values.size() < 2) return values.empty() ? std::nan("") : 0;
  const double m = mean(metric);
  double sq = 0;
  for (double v : values) sq += (v - m) * (v - m);
  return std::sqrt(sq / static_cast<double>(values.size() - 1));
}

std::vector<std::string> Result::warnings() const {
  if (folds.empty()) return {};
  std::size_t fewest = folds.front().test_rows;
  for (const auto& f : folds) fewest = std::min(fewest, f.test_rows);
  if (fewest >= kFewTestRows) return {};
  return {(folds.size() > 1 ? "a fold tests on " : "the test set has ") + std::to_string(fewest) +
          (fewest == 1 ? " row" : " rows") + ": a score measured on so few is mostly chance (use more rows: " +
          (folds.size() > 1 ? "fewer folds" : "a larger test size, or cross-validation") + ")"};
}

std::string Result::table() const {
  const bool cv = folds.size() > 1;
  // Four decimals, or one for a metric whose mean is in the thousands (RMSE of prices).
  auto cell = [](double v, double scale) {
    std::ostringstream s;
    s << std::fixed << std::setprecision(std::abs(scale) >= 1000 ? 1 : 4) << v;
    return s.str();
  };
  std::vector<std::string> header{"metric"};
  if (cv)
    for (std::size_t f = 0; f < folds.size(); ++f) header.push_back("fold" + std::to_string(f + 1));
  header.push_back(cv ? "mean" : "test");
  if (cv) header.push_back("std");
  std::vector<std::vector<std::string>> rows{header};
  for (const auto& m : metric_names) {
    std::vector<std::string> row{m};
    const double scale = mean(m);
    if (cv)
      for (const auto& f : folds) row.push_back(cell(f.metrics.at(m), scale));
    row.push_back(cell(scale, scale));
    if (cv) row.push_back(cell(stddev(m), scale));
    rows.push_back(row);
  }
  std::vector<std::size_t> width(header.size(), 0);
  for (const auto& row : rows)
    for (std::size_t c = 0; c < row.size(); ++c) width[c] = std::max(width[c], row[c].size());
  std::ostringstream out;
  for (const auto& row : rows) {
    for (std::size_t c = 0; c < row.size(); ++c) {
      if (c == 0) out << std::left << std::setw(static_cast<int>(width[0])) << row[0];
      else out << "  " << std::right << std::setw(static_cast<int>(width[c])) << row[c];
    }
    out << '\n';
  }
  for (const auto& w : warnings()) out << "warning: " << w << '\n';
  return out.str();
}

nlohmann::json Result::to_json() const {
  nlohmann::json j = {{"estimator", estimator},   {"params", params}, {"task", to_string(task)},
                      {"validation", validation}, {"seed", seed},     {"classes", classes}};
  if (!weight.empty()) j["weight"] = weight;
  nlohmann::json fold_list = nlohmann::json::array();
  for (const auto& f : folds) {
    nlohmann::json metrics = nlohmann::json::object();
    for (const auto& [k, val] : f.metrics) metrics[k] = std::isfinite(val) ? nlohmann::json(val) : nlohmann::json();
    fold_list.push_back({{"train_rows", f.train_rows},
                         {"test_rows", f.test_rows},
                         {"fit_seconds", f.fit_seconds},
                         {"predict_seconds", f.predict_seconds},
                         {"metrics", metrics}});
  }
  j["folds"] = fold_list;
  nlohmann::json summary = nlohmann::json::object();
  for (const auto& m : metric_names) {
    const double mu = mean(m), sd = stddev(m);
    summary[m] = {{"mean", std::isfinite(mu) ? nlohmann::json(mu) : nlohmann::json()},
                  {"std", std::isfinite(sd) ? nlohmann::json(sd) : nlohmann::json()}};
  }
  j["metrics"] = summary;
  if (const auto w = warnings(); !w.empty()) j["warnings"] = w;
  return j;
}

}  // namespace shipml
