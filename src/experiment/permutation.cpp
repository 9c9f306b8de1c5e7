#include "shipml/experiment/permutation.hpp"

#include <algorithm>
#include <cmath>
#include <iomanip>
#include <numeric>
#include <sstream>

#include "shipml/core/error.hpp"
#include "shipml/core/progress.hpp"
#include "shipml/core/random.hpp"
#include "shipml/data/split.hpp"
#include "shipml/io/csv.hpp"
#include "shipml/metrics/metrics.hpp"
#include "shipml/model/validation.hpp"
#include "shipml/track/tracked_run.hpp"
#include "spread_jobs.hpp"

namespace shipml {
namespace {

// The metric on these rows, weighted by `weights` (empty: unweighted), as
// scikit-learn's permutation_importance with sample_weight.
double evaluate(const Model& model, const Frame& features, const std::vector<double>& truth,
                const std::vector<double>& weights, const MetricInfo& metric) {
  Predictions p = model.predict(features);
  Evaluation e{model.task(), static_cast<int>(model.classes().size()), truth, std::move(p.values), std::move(p.proba),
               weights};
  return metric.compute(e);
}

}  // namespace

PermutationImportance permutation_importance(const Model& model, const Dataset& data, std::string metric, int repeats,
                                             std::uint64_t seed, int threads) {
  if (!model.fitted()) throw UsageError("permutation importance needs a fitted model");
  if (repeats < 1) throw UsageError("permutation importance needs at least one repeat");
  TrackedRun run("select", "", {});
  try {
    run.data(data);
    run.model(model);
    const int n_classes = static_cast<int>(model.classes().size());
    if (metric.empty()) metric = default_metrics(model.task(), n_classes).front();
    const MetricInfo& info = find_metric(metric);
    check_metric(info, model.task(), n_classes);
    std::vector<double> truth;
    if (model.task() == Task::classification) {
      const auto idx = class_indices(data.labels(), model.classes());
      truth.assign(idx.begin(), idx.end());
    } else {
      truth = target_values(data.labels());
    }
    const Frame features = data.features();
    const std::vector<double> weights = data.weights();
    PermutationImportance out;
    out.metric = metric;
    out.greater_is_better = info.greater_is_better;
    out.baseline = evaluate(model, features, truth, weights, info);
    const std::size_t cols = features.cols(), reps = static_cast<std::size_t>(repeats);
    std::vector<double> drops(cols * reps);
    Progress progress("permutation importance", cols * reps);
    // Under MPI, the (column, repeat) jobs shared out among the ranks; every rank gets every drop.
    spread_jobs(cols * reps, threads,
                {.run =
                     [&](std::size_t job) {
                       const std::size_t j = job / reps, r = job % reps;
                       // Each (column, repeat) has its own shuffle, so results do not depend on scheduling.
                       Random rng(seed * 0x9e3779b97f4a7c15ULL + job + 1);
                       std::vector<std::size_t> order(features.rows());
                       std::iota(order.begin(), order.end(), std::size_t{0});
                       rng.shuffle(std::span(order));
                       std::vector<Column> shuffled = features.columns();
                       shuffled[j] = shuffled[j].take(order);
                       const double score =
                           evaluate(model, Frame(std::move(shuffled), Frame::Trusted{}), truth, weights, info);
                       drops[j * reps + r] = out.greater_is_better ? out.baseline - score : score - out.baseline;
                       progress.tick();
                     },
                 .save = [&](std::size_t job) { return number_bytes(drops[job]); },
                 .load =
                     [&](std::size_t job, const std::string& bytes) {
                       drops[job] = number_from_bytes(bytes);
                       progress.tick();
                     }});
    for (std::size_t j = 0; j < cols; ++j) {
      FeatureImportance f;
      f.feature = features[j].name();
      f.drops.assign(drops.begin() + static_cast<std::ptrdiff_t>(j * reps),
                     drops.begin() + static_cast<std::ptrdiff_t>((j + 1) * reps));
      for (double d : f.drops) f.mean += d / static_cast<double>(reps);
      for (double d : f.drops)
        f.stddev += (d - f.mean) * (d - f.mean) / static_cast<double>(reps);  // population std, as scikit-learn
      f.stddev = std::sqrt(f.stddev);
      out.features.push_back(std::move(f));
    }
    std::stable_sort(out.features.begin(), out.features.end(),
                     [](const FeatureImportance& a, const FeatureImportance& b) { return a.mean > b.mean; });
    out.measured_rows = data.rows();
    run.params({{"method", "permutation"}, {"metric", metric}, {"repeats", std::to_string(repeats)}});
    run.metric("baseline_" + metric, out.baseline);
    run.text_artifact("importance.csv", out.to_csv());
    run.finish();
    return out;
  } catch (const std::exception& e) {
    run.fail(e);
    throw;
  }
}

PermutationImportance permutation_importance(const Model& prototype, const Dataset& data, const HeldOutPermutation& o) {
  // Held out as scoring holds out: whole groups, or the latest rows, when the data has them.
  const Task task = o.task ? *o.task : infer_task(data.labels());
  const Fold fold = make_splits(data, {.test_size = o.test_size, .seed = o.seed, .gap = o.gap},
                                task == Task::classification ? strata(data) : std::vector<int>{})
                        .folds.front();
  const TrainTest split{data.take(fold.train), data.take(fold.test)};
  Model model = prototype.clone();
  model.fit(split.train, {.task = o.task});
  PermutationImportance out = permutation_importance(model, split.test, o.metric, o.repeats, o.seed, o.threads);
  out.fit_rows = split.train.rows();
  return out;
}

}  // namespace shipml
