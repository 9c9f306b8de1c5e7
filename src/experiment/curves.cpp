#include "shipml/experiment/curves.hpp"

#include <cmath>

#include "shipml/core/error.hpp"
#include "shipml/experiment/search.hpp"
#include "spread_jobs.hpp"

namespace shipml {
namespace {

CurvePoint summarise(std::string x, std::size_t rows, std::vector<double> folds) {
  CurvePoint p{std::move(x), rows, 0, 0, std::move(folds)};
  for (double v : p.folds) p.mean += v / static_cast<double>(p.folds.size());
  for (double v : p.folds) p.stddev += (v - p.mean) * (v - p.mean);
  p.stddev =
      p.folds.size() > 1 ? std::sqrt(p.stddev / static_cast<double>(p.folds.size() - 1)) : 0;  // as Result::stddev
  return p;
}

}  // namespace

Curve learning_curve(const Model& prototype, const Dataset& data, const std::vector<double>& fractions,
                     const Validation& validation, std::string metric) {
  if (fractions.empty()) throw UsageError("a learning curve needs at least one training size");
  for (double f : fractions)
    if (!(f > 0 && f <= 1)) throw UsageError("learning-curve sizes are fractions in (0, 1], not " + format_number(f));
  ScoringPlan plan =
      ScoringPlan::make(data, validation, metric.empty() ? std::vector<std::string>{} : std::vector{metric});
  plan.keep_predictions = false;
  Curve curve{plan.metric_names.front(), "training rows", {}};
  const std::size_t folds = plan.folds.size();
  std::vector<double> scores(fractions.size() * folds);
  std::vector<std::size_t> rows(fractions.size());
  for (std::size_t s = 0; s < fractions.size(); ++s)
    rows[s] = std::max<std::size_t>(
        2, static_cast<std::size_t>(std::round(fractions[s] * static_cast<double>(plan.folds.front().train.size()))));
  // Under MPI, the sizes x folds shared out among the ranks; every rank gets every score.
  spread_jobs(fractions.size() * folds, validation.threads,
              {.run =
                   [&](std::size_t job) {
                     const std::size_t s = job / folds, f = job % folds;
                     const std::size_t take = fractions[s] >= 1 ? 0 : rows[s];
                     scores[job] = plan.run_fold(prototype, f, take, validation.seed).metrics.at(curve.metric);
                   },
               .save = [&](std::size_t job) { return number_bytes(scores[job]); },
               .load = [&](std::size_t job, const std::string& bytes) { scores[job] = number_from_bytes(bytes); }});
  for (std::size_t s = 0; s < fractions.size(); ++s)
    curve.points.push_back(summarise(std::to_string(rows[s]), rows[s],
                                     {scores.begin() + static_cast<std::ptrdiff_t>(s * folds),
                                      scores.begin() + static_cast<std::ptrdiff_t>((s + 1) * folds)}));
  return curve;
}

Curve validation_curve(const Model& prototype, const Dataset& data, const std::string& parameter,
                       const std::vector<std::string>& values, const Validation& validation, std::string metric) {
  SearchSpace space;
  space.grid = {{parameter, values}};
  SearchOptions o;
  o.validation = validation;
  if (!metric.empty()) o.metrics = {metric};
  o.refit = false;
  const SearchResult r = search(prototype, data, space, o);
  Curve curve{r.metric, parameter, {}};
  for (const Candidate& c : r.candidates) {  // in the order the values were given
    std::vector<double> folds;
    for (const auto& f : c.result.folds) folds.push_back(f.metrics.at(r.metric));
    curve.points.push_back(summarise(c.params.at(parameter), c.result.folds.front().train_rows, folds));
  }
  return curve;
}

}  // namespace shipml
