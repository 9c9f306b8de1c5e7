#pragma once
/// \file
/// How a model is validated: which rows it is trained on and which it is
/// measured on. The dataset's roles decide the kind of split (whole groups, time
/// order, given folds); Validation says how many folds, how large a hold-out,
/// which seed. Every front door (the CLI, experiment files, Python) fills one.
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "shipml/core/export.hpp"
#include "shipml/core/task.hpp"
#include "shipml/data/dataset.hpp"
#include "shipml/data/split.hpp"
#include "shipml/data/time_split.hpp"

namespace shipml {

/// How a model is scored: a hold-out split or K-fold cross-validation.
struct SHIPML_API Validation {
  double test_size = 0.25;        ///< used when folds == 0
  int folds = 0;                  ///< K-fold cross-validation when >= 2
  std::uint64_t seed = 42;        ///< seeds the split or the folds
  std::optional<Task> task;       ///< inferred from the target when not given
  int threads = 0;                ///< folds scored at once; 0 = all cores
  std::vector<Fold> given_folds;  ///< when not empty: exactly these folds (from another tool, say)
  int repeats = 1;                ///< K-fold drawn this many times, with seeds seed, seed + 1, ...
  TimeGap gap;                    ///< with a time column: left out between training and test rows
};

/// The folds of a dataset and the words that describe them.
struct SHIPML_API Splits {
  std::vector<Fold> folds;  ///< the splits, one per fold (one for a hold-out)
  std::string description;  ///< "5-fold CV, grouped by 'customer', stratified"
};

/// Splits `data` as `validation` asks, by the dataset's roles:
/// - a fold column: each of its values is one fold's test rows, rows where it is
///   missing are always trained on (scikit-learn's PredefinedSplit);
/// - a time column: time-ordered folds, or the latest rows held out, less the gap;
/// - a group column: no group on both sides (stratified by class when `strata`
///   is given); a hold-out is one fold of round(1 / test_size);
/// - otherwise shuffled rows, stratified by `strata` (class per row) when given.
/// Settings that do not fit the roles (repeats of a time split, say) are refused.
SHIPML_API Splits make_splits(const Dataset& data, const Validation& validation, std::span<const int> strata = {});

}  // namespace shipml
