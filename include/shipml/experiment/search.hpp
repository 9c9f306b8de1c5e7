#pragma once
/// \file
/// Hyperparameter search over any estimator's parameters: grid search, random
/// search (uniform, log-uniform, integer ranges, choices) and successive halving,
/// all cross-validated on one set of folds, in parallel over candidates x folds
/// under the one thread budget. Deterministic for a seed, whatever the thread
/// count. A time or candidate budget, or Ctrl-C, stops it cleanly: finished
/// candidates are kept.
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "shipml/core/export.hpp"
#include "shipml/core/random.hpp"
#include "shipml/model/scoring.hpp"

namespace shipml {

/// A distribution to draw a parameter from: "uniform:LOW:HIGH",
/// "loguniform:LOW:HIGH", "int:LOW:HIGH" (inclusive) or "choice:A|B|C".
struct SHIPML_API Distribution {
  /// How values are drawn.
  enum class Kind {
    uniform,              ///< uniform between low and high
    loguniform,           ///< uniform in log space between low and high (low > 0)
    integer,              ///< an integer from low to high, inclusive
    choice                ///< one of the choices, each as likely
  } kind = Kind::choice;  ///< how values are drawn
  /// Lowest value (uniform, loguniform, integer).
  double low = 0, high = 0;          ///< highest value
  std::vector<std::string> choices;  ///< the values of a choice

  /// Reads "uniform:LOW:HIGH" and the other forms above; a UsageError naming what is wrong otherwise.
  static Distribution parse(const std::string& text);
  /// Draws one value from `rng`, as parameter text.
  std::string sample(Random& rng) const;
};

/// What a search tries: a grid of values, or random candidates drawn from lists and distributions.
struct SHIPML_API SearchSpace {
  std::vector<std::pair<std::string, std::vector<std::string>>> grid;  ///< parameter -> values, in order
  std::vector<std::pair<std::string, Distribution>> distributions;     ///< parameter -> distribution, for random search
  std::size_t random_candidates = 0;  ///< when > 0: random search (grid lists become choices)
};

/// How a search runs: validation, metrics, budgets, halving and refit.
struct SHIPML_API SearchOptions {
  Validation validation{.folds = 5};  ///< the folds every candidate is scored on
  std::vector<std::string> metrics;   ///< default: the task's usual set
  std::string metric;                 ///< what picks the best (default: the first metric)
  std::uint64_t seed = 0;             ///< for random candidates
  double time_budget_seconds = 0;     ///< 0: none; candidates not started in time are skipped
  std::size_t max_candidates = 0;     ///< 0: all
  bool halving = false;               ///< successive halving (factor 3) over the resource below
  /// What halving rations: "rows" (training rows per fold), or an integer
  /// parameter such as n_estimators (trees), whose value the last round uses in full.
  std::string halving_resource = "rows";
  bool refit = true;  ///< fit the best candidate on all rows
};

/// One parameter combination tried, and how it scored.
struct SHIPML_API Candidate {
  std::map<std::string, std::string> params;  ///< the searched ones
  Result result;                              ///< per-fold metrics (folds all filled when finished)
  bool finished = false;                      ///< whether every fold was scored
  std::size_t resource = 0;  ///< under halving: the rows or parameter value last scored with (0: in full)
};

/// What search() found: every candidate, the best, and the best refit.
struct SHIPML_API SearchResult {
  std::string estimator;              ///< the estimator searched
  std::string metric;                 ///< the metric that picks the best
  bool greater_is_better = true;      ///< whether a larger metric is better
  std::string validation;             ///< the validation, in words
  std::string resource = "rows";      ///< what halving rationed
  std::vector<Candidate> candidates;  ///< in the order they were made
  std::optional<std::size_t> best;    ///< index into candidates
  std::optional<Model> best_model;    ///< refit on all rows
  bool stopped_early = false;         ///< by the time budget, the candidate budget or Ctrl-C
  double seconds = 0;                 ///< how long the search took
  std::string run_id;                 ///< its run record, when tracking is on

  /// One row per candidate, best first: params, mean ± std of the metric, fit seconds.
  std::string table(std::size_t top = 20) const;
  /// One row per candidate, best first: parameters, each metric's mean, std and fold values, fit seconds.
  std::string to_csv() const;
  /// As JSON: the search's settings, every candidate ranked, and the best's parameters.
  nlohmann::json to_json() const;
};

/// Scores every candidate of `space` for `prototype` on the same folds of `data` (in
/// parallel over candidates and folds), ranks them and refits the best (see
/// SearchOptions). Recorded as a "search" run.
SHIPML_API SearchResult search(const Model& prototype, const Dataset& data, const SearchSpace& space,
                               const SearchOptions& options = {});

}  // namespace shipml
