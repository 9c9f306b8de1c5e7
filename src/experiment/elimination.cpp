// Recursive feature elimination (RFE), and RFE with cross-validation choosing
// how many features to keep (RFECV), as scikit-learn defines them.
#include <algorithm>
#include <cmath>
#include <functional>
#include <numeric>

#include "record_selection.hpp"
#include "shipml/core/error.hpp"
#include "shipml/core/progress.hpp"
#include "shipml/experiment/selection.hpp"
#include "shipml/metrics/metrics.hpp"
#include "shipml/model/importance.hpp"
#include "spread_jobs.hpp"

namespace shipml {
namespace {

// The number of columns at each round: n, n - step, ..., down to `stop`.
std::vector<std::size_t> sizes(std::size_t n, std::size_t stop, std::size_t step) {
  std::vector<std::size_t> out;
  for (std::size_t s = n; s > stop; s = s > step ? s - step : 0) out.push_back(s);
  out.push_back(stop);
  return out;
}

struct Elimination {
  std::vector<int> dropped_in;     // per column, the round it was dropped in (-1: kept)
  std::vector<double> importance;  // per column, its importance in the last model that saw it
};

// Drops columns from all of them down to `stop`, `step` at a time, the ones the
// model fitted on the remaining columns weighs least first. `fit` trains on the
// given columns.
Elimination eliminate(std::size_t n, std::size_t stop, std::size_t step,
                      const std::function<Model(const std::vector<std::size_t>&)>& fit) {
  std::vector<std::size_t> columns(n);
  std::iota(columns.begin(), columns.end(), std::size_t{0});
  Elimination out{std::vector<int>(n, -1), std::vector<double>(n, std::nan(""))};
  const auto plan = sizes(n, stop, step);
  for (std::size_t round = 0; round < plan.size(); ++round) {
    const Model model = fit(columns);
    const LearnedImportance importance = learned_importance(model);
    if (importance.empty())
      throw UsageError("recursive elimination needs an estimator that learns coefficients or importances; '" +
                       model.estimator() + "' learns neither (use the permutation or sequential method)");
    for (std::size_t i = 0; i < columns.size(); ++i) out.importance[columns[i]] = importance.column_values[i];
    if (round + 1 == plan.size()) break;  // the last size is only measured
    std::vector<std::size_t> order(columns.size());
    std::iota(order.begin(), order.end(), std::size_t{0});
    std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
      return importance.column_values[a] < importance.column_values[b];
    });
    const std::size_t drop = columns.size() - plan[round + 1];
    std::vector<bool> gone(columns.size(), false);
    for (std::size_t i = 0; i < drop; ++i)
      gone[order[i]] = true, out.dropped_in[columns[order[i]]] = static_cast<int>(round);
    std::vector<std::size_t> next;
    for (std::size_t i = 0; i < columns.size(); ++i)
      if (!gone[i]) next.push_back(columns[i]);
    columns = std::move(next);
  }
  return out;
}

}  // namespace

FeatureSelection recursive_elimination(const Model& prototype, const Dataset& data, const EliminationOptions& o) {
  TrackedRun run("select", "", {});
  try {
    run.data(data);
    run.model(prototype);
    if (o.step < 1) throw UsageError("step must be at least 1");
    ScoringPlan plan =
        ScoringPlan::make(data, o.validation, o.metric.empty() ? std::vector<std::string>{} : std::vector{o.metric});
    plan.keep_predictions = false;
    const std::size_t n = plan.features.cols();
    FeatureSelection out;
    out.method = o.cross_validate ? "rfecv" : "rfe";
    out.score_name = "importance";
    std::size_t keep = o.n_features ? std::min(o.n_features, n) : std::max<std::size_t>(1, n / 2);

    if (o.cross_validate) {
      out.metric = plan.metric_names.front();
      out.greater_is_better = find_metric(out.metric).greater_is_better;
      const std::size_t stop = std::clamp<std::size_t>(o.min_features, 1, n);
      const auto size_list = sizes(n, stop, o.step);
      const std::size_t folds = plan.folds.size();
      std::vector<std::vector<double>> scores(size_list.size(), std::vector<double>(folds));
      Progress progress("rfecv " + prototype.estimator(), folds * size_list.size());
      // One job per fold: its whole elimination (under MPI, folds shared out
      // among the ranks; every rank gets every fold's scores).
      spread_jobs(folds, o.validation.threads,
                  {.run =
                       [&](std::size_t f) {
                         std::size_t round = 0;
                         eliminate(n, stop, o.step, [&](const std::vector<std::size_t>& columns) {
                           Model fitted = prototype.clone();
                           const FoldResult r = plan.with_columns(columns).run_fold(prototype, f, 0, 0, &fitted);
                           scores[round++][f] = r.metrics.at(out.metric);
                           progress.tick();
                           return fitted;
                         });
                       },
                   .save =
                       [&](std::size_t f) {
                         std::string bytes;
                         for (const auto& per_size : scores) bytes += number_bytes(per_size[f]);
                         return bytes;
                       },
                   .load =
                       [&](std::size_t f, const std::string& bytes) {
                         for (std::size_t s = 0; s < scores.size(); ++s) {
                           scores[s][f] = number_from_bytes(bytes.substr(s * 8, 8));
                           progress.tick();
                         }
                       }});
      std::size_t best = 0;
      for (std::size_t s = 0; s < size_list.size(); ++s) {
        SizeScore point{size_list[s], 0, 0};
        for (double v : scores[s]) point.mean += v / static_cast<double>(folds);
        for (double v : scores[s])
          point.stddev += (v - point.mean) * (v - point.mean) / std::max<double>(1, folds - 1.0);
        point.stddev = std::sqrt(point.stddev);
        out.curve.push_back(point);
        // Ties go to fewer features, as scikit-learn's RFECV.
        const double b = out.curve[best].mean;
        if (out.greater_is_better ? point.mean >= b : point.mean <= b) best = s;
      }
      std::reverse(out.curve.begin(), out.curve.end());  // by number of features, ascending
      keep = size_list[best];
    }

    // The ranking itself, on all rows.
    const Frame features = plan.features;
    const Elimination e = eliminate(n, keep, o.step, [&](const std::vector<std::size_t>& columns) {
      Model m = prototype.clone();
      std::vector<Column> kept;
      for (std::size_t j : columns) kept.push_back(features[j]);
      m.fit(Frame(std::move(kept), Frame::Trusted{}), plan.target,
            {.task = plan.task, .classes = plan.classes, .weights = plan.weights, .drift_reference = false});
      return m;
    });
    int rounds = 0;
    for (int r : e.dropped_in) rounds = std::max(rounds, r + 1);
    for (std::size_t j = 0; j < n; ++j) {
      RankedFeature f{.feature = features[j].name(), .score = e.importance[j], .selected = e.dropped_in[j] < 0};
      f.rank = f.selected ? 1 : static_cast<std::size_t>(rounds - e.dropped_in[j] + 1);  // the last dropped rank 2
      out.features.push_back(f);
    }
    std::stable_sort(out.features.begin(), out.features.end(), [](const RankedFeature& a, const RankedFeature& b) {
      if (a.rank != b.rank) return a.rank < b.rank;
      return !std::isnan(a.score) && (std::isnan(b.score) || a.score > b.score);
    });
    record_selection(run, out, {{"keep", std::to_string(keep)}, {"step", std::to_string(o.step)}});
    return out;
  } catch (const std::exception& e) {
    run.fail(e);
    throw;
  }
}

}  // namespace shipml
