#pragma once
/// \file
/// Seeded train/test splits and K-fold cross-validation, stratified by class for
/// classification so every fold keeps the class balance of the whole.
#include <cstdint>
#include <span>
#include <vector>

#include "shipml/core/export.hpp"
#include "shipml/data/dataset.hpp"

namespace shipml {

/// Row indices of one split, each list sorted.
struct SHIPML_API Fold {
  /// Rows to train on.
  std::vector<std::size_t> train, test;  ///< rows held out to measure on
};

/// How train_test_split splits a dataset.
struct SHIPML_API SplitOptions {
  double test_size = 0.25;  ///< fraction of rows held out, in (0, 1)
  std::uint64_t seed = 42;  ///< seeds the shuffle
  bool stratify = true;     ///< by class, when the target is a classification target
};

/// Shuffled split of n rows; `groups` (class per row) stratifies it when not empty.
SHIPML_API Fold train_test_split(std::size_t n, double test_size, std::uint64_t seed, std::span<const int> groups = {});

/// K folds over n rows, shuffled with `seed`; stratified by `groups` when not empty
/// (each class dealt round-robin over the folds, as scikit-learn's StratifiedKFold).
SHIPML_API std::vector<Fold> kfold(std::size_t n, int k, std::uint64_t seed, std::span<const int> groups = {});

/// The class of each row when `data`'s target is a classification target, else empty.
SHIPML_API std::vector<int> strata(const Dataset& data);

/// A dataset split in two.
struct SHIPML_API TrainTest {
  /// The training rows.
  Dataset train, test;  ///< the held-out rows
};
/// Splits a dataset, stratified by class for classification targets.
SHIPML_API TrainTest train_test_split(const Dataset& data, const SplitOptions& options = {});

}  // namespace shipml
