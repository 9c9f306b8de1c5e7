#pragma once
// Hyperparameter search over any estimator's parameters: grid search, random
// search (uniform, log-uniform, integer ranges, choices) and successive halving,
// all cross-validated on one set of folds, in parallel over candidates x folds
// under the one thread budget. Deterministic for a seed, whatever the thread
// count. A time or candidate budget, or Ctrl-C, stops it cleanly: finished
// candidates are kept.
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
  enum class Kind { uniform, loguniform, integer, choice } kind = Kind::choice;
  double low = 0, high = 0;
  std::vector<std::string> choices;

  static Distribution parse(const std::string& text);
  std::string sample(Random& rng) const;
};

struct SHIPML_API SearchSpace {
  std::vector<std::pair<std::string, std::vector<std::string>>> grid;  // parameter -> values, in order
  std::vector<std::pair<std::string, Distribution>> distributions;
  std::size_t random_candidates = 0;  // > 0: random search (grid lists become choices)
};

struct SHIPML_API SearchOptions {
  Validation validation{.folds = 5};
  std::vector<std::string> metrics;  // default: the task's usual set
  std::string metric;                // what picks the best (default: the first metric)
  std::uint64_t seed = 0;            // for random candidates
  double time_budget_seconds = 0;    // 0: none; candidates not started in time are skipped
  std::size_t max_candidates = 0;    // 0: all
  bool halving = false;              // successive halving (factor 3) over the resource below
  /// What halving rations: "rows" (training rows per fold), or an integer
  /// parameter such as n_estimators (trees), whose value the last round uses in full.
  std::string halving_resource = "rows";
  bool refit = true;                 // fit the best candidate on all rows
};

struct SHIPML_API Candidate {
  std::map<std::string, std::string> params;  // the searched ones
  Result result;                              // per-fold metrics (folds all filled when finished)
  bool finished = false;
  std::size_t resource = 0;  // under halving: the rows or parameter value last scored with (0: in full)
};

struct SHIPML_API SearchResult {
  std::string estimator;
  std::string metric;
  bool greater_is_better = true;
  std::string validation;
  std::string resource = "rows";  // what halving rationed
  std::vector<Candidate> candidates;
  std::optional<std::size_t> best;  // index into candidates
  std::optional<Model> best_model;  // refit on all rows
  bool stopped_early = false;       // by the time budget, the candidate budget or Ctrl-C
  double seconds = 0;
  std::string run_id;               // its run record, when tracking is on

  /// One row per candidate, best first: params, mean ± std of the metric, fit seconds.
  std::string table(std::size_t top = 20) const;
  std::string to_csv() const;
  nlohmann::json to_json() const;
};

SHIPML_API SearchResult search(const Model& prototype, const Dataset& data, const SearchSpace& space,
                    const SearchOptions& options = {});

}  // namespace shipml
