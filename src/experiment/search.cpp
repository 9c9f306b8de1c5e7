#include "shipml/experiment/search.hpp"

#include <algorithm>
#include <atomic>
#include <charconv>
#include <cmath>
#include <iomanip>
#include <mutex>
#include <sstream>

#include "shipml/core/clock.hpp"
#include "shipml/core/communicator.hpp"
#include "shipml/core/error.hpp"
#include "shipml/core/interrupt.hpp"
#include "shipml/core/names.hpp"
#include "shipml/core/parallel.hpp"
#include "shipml/core/progress.hpp"
#include "shipml/metrics/metrics.hpp"
#include "shipml/track/tracked_run.hpp"
#include "spread_jobs.hpp"

namespace shipml {
namespace {

double number(const std::string& text, const std::string& where) {
  double v = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (text.empty() || ec != std::errc() || end != text.data() + text.size())
    throw UsageError(where + ": '" + text + "' is not a number");
  return v;
}

std::vector<std::map<std::string, std::string>> grid_candidates(const SearchSpace& space) {
  std::vector<std::map<std::string, std::string>> out = {{}};
  for (const auto& [name, values] : space.grid) {
    if (values.empty()) throw UsageError("--grid " + name + " has no values");
    std::vector<std::map<std::string, std::string>> next;
    for (const auto& partial : out)
      for (const auto& v : values) {
        auto c = partial;
        c[name] = v;
        next.push_back(std::move(c));
      }
    out = std::move(next);
  }
  return out;
}

std::vector<std::map<std::string, std::string>> random_candidates(const SearchSpace& space, std::uint64_t seed) {
  Random rng(seed ^ 0x5ea5c4);
  std::vector<std::map<std::string, std::string>> out;
  for (std::size_t i = 0; i < space.random_candidates; ++i) {
    std::map<std::string, std::string> c;
    for (const auto& [name, values] : space.grid) c[name] = values.at(rng.below(values.size()));
    for (const auto& [name, dist] : space.distributions) c[name] = dist.sample(rng);
    out.push_back(std::move(c));
  }
  return out;
}

std::string describe(const std::map<std::string, std::string>& params) {
  std::string out;
  for (const auto& [k, v] : params) out += (out.empty() ? "" : " ") + k + "=" + v;
  return out.empty() ? "(defaults)" : out;
}

// Best first; unfinished and NaN scores last, in candidate order.
std::vector<std::size_t> ranking(const std::vector<Candidate>& candidates, const std::string& metric, bool greater) {
  std::vector<std::size_t> order(candidates.size());
  for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
  auto score = [&](std::size_t i) {
    const auto& c = candidates[i];
    return c.finished ? c.result.mean(metric) : std::nan("");
  };
  std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
    const double x = score(a), y = score(b);
    if (std::isnan(x) != std::isnan(y)) return std::isnan(y);
    if (std::isnan(x)) return false;
    return greater ? x > y : x < y;
  });
  return order;
}

std::vector<std::size_t> ranking(const SearchResult& r) { return ranking(r.candidates, r.metric, r.greater_is_better); }

}  // namespace

Distribution Distribution::parse(const std::string& text) {
  const auto colon = text.find(':');
  const std::string kind = text.substr(0, colon);
  const std::string rest = colon == std::string::npos ? "" : text.substr(colon + 1);
  Distribution d;
  if (kind == "choice") {
    d.kind = Kind::choice;
    std::size_t start = 0;
    while (start <= rest.size()) {
      const auto bar = rest.find('|', start);
      d.choices.push_back(rest.substr(start, bar == std::string::npos ? std::string::npos : bar - start));
      if (bar == std::string::npos) break;
      start = bar + 1;
    }
    if (rest.empty()) throw UsageError("distribution '" + text + "': choice needs values (choice:A|B|C)");
    return d;
  }
  const auto second = rest.find(':');
  if (second == std::string::npos)
    throw UsageError("distribution '" + text +
                     "' must be uniform:LOW:HIGH, loguniform:LOW:HIGH, int:LOW:HIGH or choice:A|B");
  d.low = number(rest.substr(0, second), "distribution '" + text + "'");
  d.high = number(rest.substr(second + 1), "distribution '" + text + "'");
  if (kind == "uniform") d.kind = Kind::uniform;
  else if (kind == "loguniform") d.kind = Kind::loguniform;
  else if (kind == "int") d.kind = Kind::integer;
  else throw UsageError("distribution '" + text + "': unknown kind '" + kind + "' (uniform, loguniform, int, choice)");
  if (!(d.low <= d.high)) throw UsageError("distribution '" + text + "': LOW must not be above HIGH");
  if (d.kind == Kind::loguniform && d.low <= 0)
    throw UsageError("distribution '" + text + "': loguniform needs LOW > 0");
  return d;
}

std::string Distribution::sample(Random& rng) const {
  switch (kind) {
    case Kind::choice: return choices.at(rng.below(choices.size()));
    case Kind::uniform: return format_number(low + (high - low) * rng.uniform());
    case Kind::loguniform:
      return format_number(std::exp(std::log(low) + (std::log(high) - std::log(low)) * rng.uniform()));
    case Kind::integer: {
      const auto span = static_cast<std::uint64_t>(high - low) + 1;
      return format_number(low + static_cast<double>(rng.below(span)));
    }
  }
  return "";
}

namespace {

// One search, in named steps: candidates and their plan, the rounds of
// (successive halving) scoring, the choice of the best and its refit, and the
// run record.
class Searcher {
 public:
  Searcher(const Model& prototype, const Dataset& data, const SearchSpace& space, const SearchOptions& o)
      : prototype_(prototype), space_(space), o_(o), start_(std::chrono::steady_clock::now()) {
    result.estimator = prototype.estimator();
    auto candidate_params = space.random_candidates > 0 ? random_candidates(space, o.seed) : grid_candidates(space);
    if (o.max_candidates > 0 && candidate_params.size() > o.max_candidates) {
      candidate_params.resize(o.max_candidates);
      result.stopped_early = true;
    }
    // Every candidate is a valid model before any work starts.
    for (const auto& c : candidate_params) models_.push_back(prototype.with(c));
    std::vector<std::string> metrics = o.metrics;
    if (!o.metric.empty() && !metrics.empty() && std::find(metrics.begin(), metrics.end(), o.metric) == metrics.end())
      metrics.push_back(o.metric);
    plan_ = ScoringPlan::make(data, o.validation, metrics);
    plan_.keep_predictions = false;  // hundreds of candidates: keep their scores, not every prediction
    result.metric = o.metric.empty() ? plan_.metric_names.front() : o.metric;
    if (std::find(plan_.metric_names.begin(), plan_.metric_names.end(), result.metric) == plan_.metric_names.end())
      throw UsageError("metric '" + result.metric + "' is not among the metrics scored");
    result.greater_is_better = find_metric(result.metric).greater_is_better;
    result.validation = plan_.validation;
    result.resource = o.halving_resource;
    for (std::size_t i = 0; i < models_.size(); ++i)
      result.candidates.push_back({candidate_params[i], plan_.result_for(models_[i]), false, 0});
  }

  // Successive halving: each round scores the survivors with 3x the resource
  // (training rows, or trees) of the round before and keeps the best third,
  // until the full amount is reached. Without halving, one round in full.
  void score_rounds(Progress& progress) {
    const std::vector<std::size_t> budgets = round_budgets();
    std::vector<std::size_t> alive(models_.size());
    for (std::size_t i = 0; i < alive.size(); ++i) alive[i] = i;
    for (std::size_t round = 0; round < budgets.size() && !alive.empty(); ++round) {
      score_round(alive, budgets[round], progress);
      // Every rank of an MPI job stops together, or none does.
      if (any_rank(stop_requested() || out_of_time_)) {
        result.stopped_early = true;
        break;
      }
      if (round + 1 < budgets.size()) alive = survivors(alive, budgets[round]);
    }
    // Under halving only candidates scored on all rows compete for best.
    if (o_.halving)
      for (auto& c : result.candidates) c.finished = c.finished && c.resource == 0;
  }

  // Candidates scored on a fold, over all rounds: the length of the search's bar.
  std::size_t total_jobs() const {
    std::size_t total = 0;
    const std::size_t rounds = round_budgets().size();
    for (std::size_t r = 0, n = models_.size(); r < rounds; ++r, n = (n + 2) / 3) total += n * plan_.folds.size();
    return total;
  }

  // The best finished candidate, refit on all rows when asked. After Ctrl-C
  // nothing new starts, the refit included: the user asked to stop. The refit
  // shows on the search's bar, which stays the one bar of the whole search.
  void choose_best(const Dataset& data, Progress& progress) {
    const auto order = ranking(result);
    if (!order.empty() && result.candidates[order.front()].finished &&
        !std::isnan(result.candidates[order.front()].result.mean(result.metric)))
      result.best = order.front();
    if (result.best && o_.refit && !stop_requested()) {
      progress.note(best_note_ + ", refitting it on all rows");
      Model best = models_[*result.best].clone();
      best.fit(data, {.task = plan_.task});
      progress.note(best_note_);
      result.best_model = std::move(best);
    }
    result.seconds = seconds_since(start_);
  }

  void record(TrackedRun& run) {
    std::map<std::string, std::string> params = {{"search", o_.halving ? "halving by " + o_.halving_resource
                                                            : space_.random_candidates ? "random"
                                                                                       : "grid"},
                                                 {"candidates", std::to_string(result.candidates.size())},
                                                 {"metric", result.metric}};
    if (result.best)
      for (const auto& [k, v] : result.candidates[*result.best].params) params["best." + k] = v;
    run.params(params);
    if (result.best) run.result(result.candidates[*result.best].result);
    run.text_artifact("search.csv", result.to_csv());
    run.json_artifact("search.json", result.to_json());
    if (result.best_model) run.model_artifact("model.shipml", *result.best_model);
    result.run_id = run.id();
    if (stop_requested()) run.interrupted("stopped by Ctrl-C; the finished candidates are kept");
    else run.finish();
  }

  SearchResult result;

 private:
  // The resource each round gets (0: all of it): training rows, or an integer
  // parameter such as n_estimators whose full value the last round uses.
  std::vector<std::size_t> round_budgets() const {
    std::size_t full = plan_.folds.front().train.size(), least = 30;
    if (o_.halving && !by_rows()) {
      const auto& specs = prototype_.info().params;
      const auto spec =
          std::find_if(specs.begin(), specs.end(), [&](const ParamSpec& p) { return p.name == o_.halving_resource; });
      if (spec == specs.end() || spec->type != ParamType::integer)
        throw UsageError("halving resource '" + o_.halving_resource + "' is not an integer parameter of " +
                         prototype_.estimator() + " (use rows, or a count such as n_estimators)");
      for (const auto& [name, values] : space_.grid)
        if (name == o_.halving_resource) throw UsageError("halving resource '" + name + "' cannot also be searched");
      for (const auto& [name, dist] : space_.distributions)
        if (name == o_.halving_resource) throw UsageError("halving resource '" + name + "' cannot also be searched");
      full = static_cast<std::size_t>(std::max<std::int64_t>(1, prototype_.params().integer(o_.halving_resource)));
      least = 1;
    }
    if (!o_.halving || models_.size() <= 1) return {0};
    std::size_t rounds = 1;
    for (std::size_t n = models_.size(); n > 1; n = (n + 2) / 3) ++rounds;
    std::vector<std::size_t> budgets;
    for (std::size_t r = 0; r < rounds; ++r) {
      const double scale = std::pow(3.0, static_cast<double>(rounds - 1 - r));
      budgets.push_back(
          r + 1 == rounds ? 0
                          : std::max<std::size_t>(least, static_cast<std::size_t>(static_cast<double>(full) / scale)));
    }
    return budgets;
  }

  bool by_rows() const { return o_.halving_resource == "rows"; }

  // Every fold of every candidate alive, in parallel, with `budget` of the resource.
  void score_round(const std::vector<std::size_t>& alive, std::size_t budget, Progress& progress) {
    const std::size_t folds = plan_.folds.size();
    const std::size_t rows = by_rows() ? budget : 0;
    // Rationing a parameter: this round's models use that much of it.
    std::vector<Model> rationed;
    if (!by_rows() && budget > 0)
      for (const auto& m : models_) rationed.push_back(m.with({{o_.halving_resource, std::to_string(budget)}}));
    const std::vector<Model>& round_models = rationed.empty() ? models_ : rationed;
    std::vector<std::atomic<int>> folds_done(models_.size());
    for (std::size_t i : alive) result.candidates[i].result.folds.assign(folds, FoldResult{});
    std::vector<char> scored(alive.size() * folds, 0);  // per job: whether its fold was scored
    auto keep = [&](std::size_t job, FoldResult fr) {
      const std::size_t c = alive[job / folds], f = job % folds;
      scored[job] = 1;
      result.candidates[c].result.folds[f] = std::move(fr);
      if (++folds_done[c] == static_cast<int>(folds)) finished(c, budget, progress);
      progress.tick();
    };
    // Under MPI the jobs are shared out among the ranks, and every rank ends
    // with every fold's scores (spread_jobs.hpp).
    spread_jobs(alive.size() * folds, o_.validation.threads,
                {.run =
                     [&](std::size_t job) {
                       const std::size_t c = alive[job / folds], f = job % folds;
                       const bool late = o_.time_budget_seconds > 0 && seconds_since(start_) > o_.time_budget_seconds;
                       if (late) out_of_time_ = true;
                       if (stop_requested() || late) {
                         progress.tick();
                         return;  // not started: the candidate stays unfinished
                       }
                       FoldResult fr;
                       try {
                         fr = plan_.run_fold(round_models[c], f, rows, o_.seed);
                       } catch (const Interrupted&) {
                         progress.tick();
                         return;  // stopped half-way: the candidate stays unfinished
                       } catch (const Error& e) {
                         for (const auto& m : plan_.metric_names)
                           fr.metrics[m] = std::nan("");  // as scikit-learn's error_score=nan
                       }
                       keep(job, std::move(fr));
                     },
                 .save =
                     [&](std::size_t job) {
                       return scored[job] ? fold_bytes(result.candidates[alive[job / folds]].result.folds[job % folds])
                                          : std::string();
                     },
                 .load =
                     [&](std::size_t job, const std::string& bytes) {
                       if (bytes.empty()) {  // not scored there (stopped, or out of time)
                         progress.tick();
                         return;
                       }
                       keep(job, fold_from_bytes(bytes));
                     }});
  }

  // A candidate's last fold is in: it is finished, and may be the best so far.
  void finished(std::size_t c, std::size_t budget, Progress& progress) {
    result.candidates[c].finished = true;
    result.candidates[c].resource = budget;
    const double score = result.candidates[c].result.mean(result.metric);
    std::lock_guard lock(best_mutex_);
    if (!std::isnan(score) &&
        (std::isnan(best_so_far_) || (result.greater_is_better ? score > best_so_far_ : score < best_so_far_))) {
      best_so_far_ = score;
      std::ostringstream note;
      note << "best " << result.metric << " " << std::setprecision(4) << score;
      best_note_ = note.str();
      progress.note(best_note_);
    }
  }

  // The best third of this round's candidates, for the next round on more of the resource.
  std::vector<std::size_t> survivors(const std::vector<std::size_t>& alive, std::size_t budget) {
    std::vector<Candidate> view = result.candidates;
    for (auto& cand : view) cand.finished = cand.finished && cand.resource == budget;
    std::vector<std::size_t> keep;
    for (std::size_t i : ranking(view, result.metric, result.greater_is_better))
      if (std::find(alive.begin(), alive.end(), i) != alive.end() && keep.size() < (alive.size() + 2) / 3)
        keep.push_back(i);
    std::sort(keep.begin(), keep.end());
    for (std::size_t i : alive) result.candidates[i].finished = false;
    return keep;
  }

  const Model& prototype_;
  const SearchSpace& space_;
  const SearchOptions& o_;
  std::chrono::steady_clock::time_point start_;
  std::vector<Model> models_;
  ScoringPlan plan_;
  std::mutex best_mutex_;
  double best_so_far_ = std::nan("");
  std::string best_note_;  // "best roc_auc 0.93", on the bar
  std::atomic<bool> out_of_time_{false};
};

}  // namespace

SearchResult search(const Model& prototype, const Dataset& data, const SearchSpace& space, const SearchOptions& o) {
  TrackedRun run("search", "", {});
  try {
    Searcher searcher(prototype, data, space, o);
    run.data(data);
    run.model(prototype);
    Progress progress("search " + prototype.estimator(), searcher.total_jobs());
    searcher.score_rounds(progress);
    searcher.choose_best(data, progress);
    searcher.record(run);
    return std::move(searcher.result);
  } catch (const std::exception& e) {
    run.fail(e);
    throw;
  }
}

std::string SearchResult::table(std::size_t top) const {
  std::ostringstream o;
  const auto order = ranking(*this);
  std::size_t width = 10;
  for (const auto& c : candidates) width = std::max(width, describe(c.params).size());
  width = std::min<std::size_t>(width, 60);
  o << std::left << std::setw(6) << "rank" << std::setw(static_cast<int>(width + 2)) << "parameters" << std::setw(31)
    << (metric + " (mean ± std)") << "fit s\n";
  for (std::size_t r = 0; r < order.size() && r < top; ++r) {
    const Candidate& c = candidates[order[r]];
    std::string desc = describe(c.params);
    if (desc.size() > width) desc = desc.substr(0, width - 1) + "…";
    std::ostringstream score;
    const double mean = c.result.mean(metric);
    if (c.finished) score << std::fixed << std::setprecision(4) << mean << " ± " << c.result.stddev(metric);
    else if (c.resource > 0 && !std::isnan(mean))
      score << std::fixed << std::setprecision(4) << mean << " ("
            << (resource == "rows" ? std::to_string(c.resource) + " rows" : resource + "=" + std::to_string(c.resource))
            << ", dropped)";
    else score << "(not finished)";
    double fit = 0;
    for (const auto& f : c.result.folds) fit += f.fit_seconds;
    const bool wide = score.str().find("±") != std::string::npos;  // two bytes, one column
    o << std::left << std::setw(6) << (r + 1) << std::setw(static_cast<int>(width + 2)) << desc
      << std::setw(wide ? 31 : 30) << score.str() << std::fixed << std::setprecision(2)
      << fit / static_cast<double>(std::max<std::size_t>(1, c.result.folds.size())) << '\n';
  }
  if (order.size() > top) o << "... " << order.size() - top << " more in the results file\n";
  return o.str();
}

std::string SearchResult::to_csv() const {
  std::vector<std::string> names;
  for (const auto& c : candidates)
    for (const auto& [k, v] : c.params)
      if (std::find(names.begin(), names.end(), k) == names.end()) names.push_back(k);
  const std::vector<std::string>& metrics =
      candidates.empty() ? std::vector<std::string>{} : candidates.front().result.metric_names;
  const std::size_t folds = candidates.empty() ? 0 : candidates.front().result.folds.size();
  std::ostringstream o;
  o << "rank,finished";
  for (const auto& n : names) o << ",param_" << n;
  for (const auto& m : metrics) {
    o << ",mean_" << m << ",std_" << m;
    for (std::size_t f = 0; f < folds; ++f) o << ",fold" << f << "_" << m;
  }
  o << ",mean_fit_seconds," << (resource == "rows" ? "train_rows" : resource) << "\n";
  const auto order = ranking(*this);
  for (std::size_t r = 0; r < order.size(); ++r) {
    const Candidate& c = candidates[order[r]];
    o << (r + 1) << ',' << (c.finished ? "true" : "false");
    for (const auto& n : names) o << ',' << (c.params.count(n) ? c.params.at(n) : "");
    for (const auto& m : metrics) {
      o << ',' << (c.finished ? format_number(c.result.mean(m)) : "") << ','
        << (c.finished ? format_number(c.result.stddev(m)) : "");
      for (std::size_t f = 0; f < folds; ++f) {
        const auto& fm = c.result.folds[f].metrics;
        o << ',' << (fm.count(m) ? format_number(fm.at(m)) : "");
      }
    }
    double fit = 0;
    for (const auto& f : c.result.folds) fit += f.fit_seconds;
    o << ',' << format_number(fit / static_cast<double>(std::max<std::size_t>(1, c.result.folds.size()))) << ','
      << (c.resource ? std::to_string(c.resource) : "all") << '\n';
  }
  return o.str();
}

nlohmann::json SearchResult::to_json() const {
  nlohmann::json j = {{"estimator", estimator},
                      {"metric", metric},
                      {"greater_is_better", greater_is_better},
                      {"validation", validation},
                      {"stopped_early", stopped_early},
                      {"seconds", seconds},
                      {"candidates", nlohmann::json::array()}};
  const auto order = ranking(*this);
  for (std::size_t r = 0; r < order.size(); ++r) {
    const Candidate& c = candidates[order[r]];
    nlohmann::json e = c.result.to_json();
    e["rank"] = r + 1;
    e["finished"] = c.finished;
    e["searched"] = c.params;
    if (c.resource) e[resource == "rows" ? "train_rows" : resource] = c.resource;
    j["candidates"].push_back(e);
  }
  if (best) j["best"] = candidates[*best].params;
  return j;
}

}  // namespace shipml
