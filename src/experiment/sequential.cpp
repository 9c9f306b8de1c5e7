// Sequential feature selection (scikit-learn's SequentialFeatureSelector):
// greedily add (forward) or remove (backward) the column whose change gives the
// best cross-validated score, until the wanted number of columns is reached.
#include <algorithm>
#include <cmath>

#include "record_selection.hpp"
#include "shipml/core/error.hpp"
#include "shipml/core/interrupt.hpp"
#include "shipml/core/progress.hpp"
#include "shipml/experiment/selection.hpp"
#include "shipml/metrics/metrics.hpp"
#include "spread_jobs.hpp"

namespace shipml {

FeatureSelection sequential_selection(const Model& prototype, const Dataset& data, const SequentialOptions& o) {
  TrackedRun run("select", "", {});
  try {
    run.data(data);
    run.model(prototype);
    ScoringPlan plan =
        ScoringPlan::make(data, o.validation, o.metric.empty() ? std::vector<std::string>{} : std::vector{o.metric});
    plan.keep_predictions = false;
    const std::size_t n = plan.features.cols(), folds = plan.folds.size();
    const std::size_t target = o.n_features ? std::min(o.n_features, n) : std::max<std::size_t>(1, n / 2);
    if (!o.forward && target >= n)
      throw UsageError("backward selection needs fewer features to keep than the " + std::to_string(n) + " there are");
    FeatureSelection out;
    out.method = o.forward ? "sequential forward" : "sequential backward";
    out.metric = plan.metric_names.front();
    out.score_name = out.metric + " after step";
    out.greater_is_better = find_metric(out.metric).greater_is_better;
    std::vector<bool> in(n, !o.forward);
    std::vector<std::size_t> changed;  // columns added (forward) or removed (backward), in order
    std::vector<SizeScore> curve;
    const std::size_t steps = o.forward ? target : n - target;
    std::size_t total = 0;
    for (std::size_t s = 0; s < steps; ++s) total += (n - s) * folds;
    Progress progress(out.method + " " + prototype.estimator(), total);
    for (std::size_t s = 0; s < steps; ++s) {
      std::vector<std::size_t> candidates;
      for (std::size_t j = 0; j < n; ++j)
        if (in[j] != o.forward) candidates.push_back(j);
      std::vector<std::vector<double>> scores(candidates.size(), std::vector<double>(folds));
      // Every candidate on every fold at once: one thread budget for the step
      // (under MPI, shared out among the ranks; every rank gets every score).
      spread_jobs(candidates.size() * folds, o.validation.threads,
                  {.run =
                       [&](std::size_t job) {
                         const std::size_t c = job / folds, f = job % folds;
                         std::vector<std::size_t> columns;
                         for (std::size_t j = 0; j < n; ++j)
                           if (j == candidates[c] ? o.forward : in[j]) columns.push_back(j);
                         scores[c][f] = plan.with_columns(columns).run_fold(prototype, f).metrics.at(out.metric);
                         progress.tick();
                       },
                   .save = [&](std::size_t job) { return number_bytes(scores[job / folds][job % folds]); },
                   .load =
                       [&](std::size_t job, const std::string& bytes) {
                         scores[job / folds][job % folds] = number_from_bytes(bytes);
                         progress.tick();
                       }});
      std::size_t best = 0;
      std::vector<double> means;
      for (const auto& per_fold : scores) {
        double m = 0;
        for (double v : per_fold) m += v / static_cast<double>(folds);
        means.push_back(m);
      }
      for (std::size_t c = 1; c < candidates.size(); ++c)  // ties keep the first column, as scikit-learn's argmax
        if (out.greater_is_better ? means[c] > means[best] : means[c] < means[best]) best = c;
      in[candidates[best]] = o.forward;
      changed.push_back(candidates[best]);
      SizeScore point{o.forward ? s + 1 : n - s - 1, means[best], 0};
      for (double v : scores[best])
        point.stddev += (v - point.mean) * (v - point.mean) / std::max<double>(1, folds - 1.0);
      point.stddev = std::sqrt(point.stddev);
      curve.push_back(point);
      if (any_rank(stop_requested()))  // every rank of an MPI job stops at the same step
        throw Error("sequential selection stopped by Ctrl-C after " + std::to_string(s + 1) + " steps");
    }
    // Forward: ranked by the order added, the rest after. Backward: every kept
    // column ranks 1, then the last removed, and so on.
    for (std::size_t i = 0; i < changed.size(); ++i) {
      const std::size_t j = changed[i];
      const std::size_t rank = o.forward ? i + 1 : steps - i + 1;
      out.features.push_back(
          {.feature = plan.features[j].name(), .rank = rank, .score = curve[i].mean, .selected = o.forward});
    }
    for (std::size_t j = 0; j < n; ++j)
      if (std::find(changed.begin(), changed.end(), j) == changed.end())
        out.features.push_back({.feature = plan.features[j].name(),
                                .rank = o.forward ? steps + 1 : 1,
                                .score = std::nan(""),
                                .selected = !o.forward});
    std::stable_sort(out.features.begin(), out.features.end(),
                     [](const RankedFeature& a, const RankedFeature& b) { return a.rank < b.rank; });
    std::sort(curve.begin(), curve.end(),
              [](const SizeScore& a, const SizeScore& b) { return a.features < b.features; });
    out.curve = std::move(curve);
    record_selection(run, out, {{"keep", std::to_string(target)}, {"metric", out.metric}});
    return out;
  } catch (const std::exception& e) {
    run.fail(e);
    throw;
  }
}

}  // namespace shipml
