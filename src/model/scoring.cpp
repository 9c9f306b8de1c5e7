#include "shipml/model/scoring.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <iomanip>
#include <sstream>

#include "shipml/core/clock.hpp"
#include "shipml/core/error.hpp"
#include "shipml/core/parallel.hpp"
#include "shipml/core/progress.hpp"
#include "shipml/core/random.hpp"
#include "shipml/metrics/metrics.hpp"
#include "shipml/track/tracked_run.hpp"

namespace shipml {

namespace {

Result score_untracked(const Model& prototype, const Dataset& data, const Validation& v,
                       std::vector<std::string> metric_names);

}  // namespace

Result score(const Model& prototype, const Dataset& data, const Validation& v, std::vector<std::string> metric_names) {
  TrackedRun run("score", "", {});
  try {
    run.data(data);
    run.model(prototype);
    Result r = score_untracked(prototype, data, v, std::move(metric_names));
    run.result(r);
    run.finish();
    return r;
  } catch (const std::exception& e) {
    run.fail(e.what());
    throw;
  }
}

ScoringPlan ScoringPlan::make(const Dataset& data, const Validation& v, std::vector<std::string> metric_names) {
  ScoringPlan plan;
  plan.target = data.labels();
  plan.features = data.features();
  plan.task = v.task ? *v.task : infer_task(plan.target);
  plan.seed = v.seed;
  std::vector<int> groups;
  if (plan.task == Task::classification) {
    plan.classes = class_labels(plan.target);
    groups = class_indices(plan.target, plan.classes);
    plan.truth.assign(groups.begin(), groups.end());
  } else {
    plan.truth = target_values(plan.target);
  }
  const int n_classes = static_cast<int>(plan.classes.size());
  if (metric_names.empty()) metric_names = default_metrics(plan.task, n_classes);
  for (const auto& name : metric_names) check_metric(find_metric(name), plan.task, n_classes);
  plan.metric_names = metric_names;
  std::ostringstream how;
  if (!v.given_folds.empty()) {
    plan.folds = v.given_folds;
    how << plan.folds.size() << " given folds";
  } else if (v.folds >= 2) {
    plan.folds = kfold(data.rows(), v.folds, v.seed, groups);
    how << v.folds << "-fold CV";
  } else {
    plan.folds = {train_test_split(data.rows(), v.test_size, v.seed, groups)};
    how << "hold-out " << format_number(v.test_size * 100) << "%";
  }
  plan.validation = how.str() + (plan.task == Task::classification && v.given_folds.empty() ? ", stratified" : "");
  return plan;
}

Result ScoringPlan::result_for(const Model& prototype) const {
  Result result;
  result.estimator = prototype.estimator();
  result.params = prototype.params().values();
  result.task = task;
  result.classes = classes;
  result.seed = seed;
  result.metric_names = metric_names;
  result.validation = validation;
  result.folds.resize(folds.size());
  return result;
}

FoldResult ScoringPlan::run_fold(const Model& prototype, std::size_t f, std::size_t max_train_rows,
                                 std::uint64_t seed) const {
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
  model.fit(features.take(train), target.take(train), {.task = task, .classes = classes});
  out.fit_seconds = seconds_since(start);
  start = std::chrono::steady_clock::now();
  Predictions p = model.predict(features.take(fold.test));
  out.predict_seconds = seconds_since(start);
  Evaluation e{task, static_cast<int>(classes.size()), {}, std::move(p.values), std::move(p.proba)};
  for (std::size_t i : fold.test) e.truth.push_back(truth[i]);
  for (const auto& name : metric_names) out.metrics[name] = find_metric(name).compute(e);
  return out;
}

namespace {

Result score_untracked(const Model& prototype, const Dataset& data, const Validation& v,
                       std::vector<std::string> metric_names) {
  const ScoringPlan plan = ScoringPlan::make(data, v, std::move(metric_names));
  Result result = plan.result_for(prototype);
  Progress progress("scoring " + prototype.estimator(), plan.folds.size());
  parallel_for(plan.folds.size(), v.threads, [&](std::size_t f) {
    result.folds[f] = plan.run_fold(prototype, f);
    progress.tick();
  });
  return result;
}

}  // namespace

namespace {

// The metric's value on each fold that has it (a search stopped part-way leaves folds without).
std::vector<double> fold_values(const std::vector<FoldResult>& folds, const std::string& metric) {
  std::vector<double> out;
  for (const auto& f : folds)
    if (const auto it = f.metrics.find(metric); it != f.metrics.end()) out.push_back(it->second);
  return out;
}

}  // namespace

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
  return out.str();
}

nlohmann::json Result::to_json() const {
  nlohmann::json j = {{"estimator", estimator}, {"params", params},       {"task", to_string(task)},
                      {"validation", validation}, {"seed", seed},         {"classes", classes}};
  nlohmann::json fold_list = nlohmann::json::array();
  for (const auto& f : folds) {
    nlohmann::json metrics = nlohmann::json::object();
    for (const auto& [k, val] : f.metrics) metrics[k] = std::isfinite(val) ? nlohmann::json(val) : nlohmann::json();
    fold_list.push_back({{"train_rows", f.train_rows}, {"test_rows", f.test_rows}, {"fit_seconds", f.fit_seconds},
                         {"predict_seconds", f.predict_seconds}, {"metrics", metrics}});
  }
  j["folds"] = fold_list;
  nlohmann::json summary = nlohmann::json::object();
  for (const auto& m : metric_names) {
    const double mu = mean(m), sd = stddev(m);
    summary[m] = {{"mean", std::isfinite(mu) ? nlohmann::json(mu) : nlohmann::json()},
                  {"std", std::isfinite(sd) ? nlohmann::json(sd) : nlohmann::json()}};
  }
  j["metrics"] = summary;
  return j;
}

}  // namespace shipml
