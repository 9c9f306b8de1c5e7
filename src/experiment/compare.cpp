#include "shipml/experiment/compare.hpp"

#include <algorithm>
#include <cmath>
#include <iomanip>
#include <sstream>

#include "shipml/core/communicator.hpp"
#include "shipml/core/error.hpp"
#include "shipml/core/progress.hpp"
#include "shipml/metrics/metrics.hpp"
#include "shipml/track/tracked_run.hpp"
#include "spread_jobs.hpp"

namespace shipml {

namespace {

// Best first by `metric`; ties keep the order given. Returns where each ranked
// entry was, so the best one's model (with its steps, calibration and
// threshold) is the one refit.
std::vector<std::size_t> rank(std::vector<Result>& entries, const std::string& metric, bool greater) {
  std::vector<std::size_t> order(entries.size());
  for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
    const double x = entries[a].mean(metric), y = entries[b].mean(metric);
    if (std::isnan(x) != std::isnan(y)) return std::isnan(y);  // NaN last
    return greater ? x > y : x < y;
  });
  std::vector<Result> ranked;
  for (std::size_t i : order) ranked.push_back(std::move(entries[i]));
  entries = std::move(ranked);
  return order;
}

}  // namespace

std::vector<Model> baseline_models(Task task) {
  std::vector<Model> out;
  for (const char* name : {task == Task::classification ? "logistic" : "linear", "random_forest", "hist_gbdt", "knn"})
    out.emplace_back(name);
  return out;
}

Leaderboard compare(const std::vector<Model>& models, const Dataset& data, const Validation& v,
                    std::vector<std::string> metrics, std::string metric, bool refit) {
  if (models.empty()) throw UsageError("compare needs at least one model");
  TrackedRun run("compare", "", {});
  try {
    run.data(data);
    if (!metric.empty() && std::find(metrics.begin(), metrics.end(), metric) == metrics.end() && !metrics.empty())
      metrics.push_back(metric);
    const ScoringPlan plan = ScoringPlan::make(data, v, metrics);
    if (metric.empty()) metric = plan.metric_names.front();
    if (std::find(plan.metric_names.begin(), plan.metric_names.end(), metric) == plan.metric_names.end())
      throw UsageError("--sort metric '" + metric + "' is not among the metrics scored");
    Leaderboard board;
    board.metric = metric;
    board.greater_is_better = find_metric(metric).greater_is_better;
    board.validation = plan.validation;
    for (const auto& m : models) board.entries.push_back(plan.result_for(m));
    const std::size_t folds = plan.folds.size();
    Progress progress("comparing", models.size() * folds);
    // Every model on every fold at once: one thread budget for all of it (under
    // MPI, the jobs shared out among the ranks, every rank ending with all folds).
    auto fold = [&](std::size_t job) -> FoldResult& { return board.entries[job / folds].folds[job % folds]; };
    spread_jobs(models.size() * folds, v.threads,
                {.run =
                     [&](std::size_t job) {
                       fold(job) = plan.run_fold(models[job / folds], job % folds);
                       progress.tick();
                     },
                 .save = [&](std::size_t job) { return fold_bytes(fold(job)); },
                 .load =
                     [&](std::size_t job, const std::string& bytes) {
                       fold(job) = fold_from_bytes(bytes);
                       progress.tick();
                     }});
    const std::vector<std::size_t> order = rank(board.entries, metric, board.greater_is_better);
    const Result& best = board.entries.front();
    run.tag("best_estimator", best.estimator);
    std::map<std::string, std::string> params = {{"estimators", ""}, {"sort_metric", metric}};
    for (const auto& e : board.entries) params["estimators"] += (params["estimators"].empty() ? "" : ",") + e.estimator;
    for (const auto& [k, val] : best.params) params["best." + k] = val;
    run.params(params);
    run.result(best);
    run.json_artifact("leaderboard.json", board.to_json());
    if (refit && world().leads()) {  // over MPI ranks only rank 0 keeps the refit model
      Model best = models[order.front()].clone();
      best.fit(data, {.task = plan.task});
      run.model_artifact("model.shipml", best);
      board.best_model = std::move(best);
    }
    board.run_id = run.id();
    run.finish();
    return board;
  } catch (const std::exception& e) {
    run.fail(e);
    throw;
  }
}

std::string Leaderboard::table() const {
  std::ostringstream o;
  std::vector<std::string> others;
  if (!entries.empty())
    for (const auto& m : entries.front().metric_names)
      if (m != metric) others.push_back(m);
  // "±" is two bytes and one column: widths that hold it are one wider.
  const int score_width = std::max<int>(24, static_cast<int>(metric.size()) + 15);
  o << std::left << std::setw(6) << "rank" << std::setw(16) << "estimator" << std::setw(score_width + 1)
    << (metric + " (mean ± std)");
  for (const auto& m : others) o << std::setw(std::max<int>(10, static_cast<int>(m.size()) + 2)) << m;
  o << "fit s\n";
  for (std::size_t i = 0; i < entries.size(); ++i) {
    const Result& r = entries[i];
    std::ostringstream score;
    score << std::fixed << std::setprecision(4) << r.mean(metric) << " ± " << r.stddev(metric);
    double fit = 0;
    for (const auto& f : r.folds) fit += f.fit_seconds;
    o << std::left << std::setw(6) << (i + 1) << std::setw(16) << r.estimator << std::setw(score_width + 1)
      << score.str();
    for (const auto& m : others) {
      std::ostringstream v;
      v << std::fixed << std::setprecision(4) << r.mean(m);
      o << std::setw(std::max<int>(10, static_cast<int>(m.size()) + 2)) << v.str();
    }
    o << std::fixed << std::setprecision(2) << fit / static_cast<double>(std::max<std::size_t>(1, r.folds.size()))
      << '\n';
  }
  return o.str();
}

nlohmann::json Leaderboard::to_json() const {
  nlohmann::json j = {{"metric", metric},
                      {"greater_is_better", greater_is_better},
                      {"validation", validation},
                      {"entries", nlohmann::json::array()}};
  for (std::size_t i = 0; i < entries.size(); ++i) {
    nlohmann::json e = entries[i].to_json();
    e["rank"] = i + 1;
    j["entries"].push_back(e);
  }
  return j;
}

}  // namespace shipml
