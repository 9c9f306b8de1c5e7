#pragma once
/// \file
/// Permutation importance: how much a fitted model's score drops when one input
/// column's values are shuffled among the rows (breaking its link to the target),
/// measured on held-out data, repeated with different shuffles. Works for any
/// model, and measures what the model uses, not what it stores.
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "shipml/core/export.hpp"
#include "shipml/data/dataset.hpp"
#include "shipml/data/time_split.hpp"
#include "shipml/model/importance.hpp"
#include "shipml/model/model.hpp"

namespace shipml {

/// For a fitted `model` on held-out `data`: each input column shuffled
/// `repeats` times (seeded, deterministic whatever the thread count).
/// `metric` defaults to the task's usual first; for metrics where lower is
/// better the drop is counted the same way (worse = positive).
SHIPML_API PermutationImportance permutation_importance(const Model& model, const Dataset& data,
                                                        std::string metric = "", int repeats = 5,
                                                        std::uint64_t seed = 0, int threads = 0);

/// How permutation_importance() measures an unfitted prototype: the split, the shuffles, the metric.
struct SHIPML_API HeldOutPermutation {
  double test_size = 0.25;   ///< rows held out to measure on (stratified for classes)
  std::uint64_t seed = 42;   ///< the split and the shuffles
  std::optional<Task> task;  ///< inferred from the target when not given
  std::string metric;        ///< default: the task's usual first
  int repeats = 5;           ///< shuffles per column
  int threads = 0;           ///< 0: all cores
  TimeGap gap;               ///< with a time column: left out between the training rows and the latest
};
/// From an unfitted `prototype` (`shipml select --method permutation`): a copy
/// fit on a split's training rows, its columns shuffled on the held-out rows.
SHIPML_API PermutationImportance permutation_importance(const Model& prototype, const Dataset& data,
                                                        const HeldOutPermutation& options);

}  // namespace shipml
