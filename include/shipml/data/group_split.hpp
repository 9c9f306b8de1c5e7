#pragma once
/// \file
/// Splits that keep each group whole: every row of a customer, a patient or a
/// store is on one side of a split, so a score never rewards remembering a group.
#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "shipml/core/export.hpp"
#include "shipml/data/split.hpp"

namespace shipml {

/// K folds with no group in two folds: groups taken largest first, each into the
/// fold with the fewest rows so far (scikit-learn's GroupKFold). `groups` holds a
/// group index per row, 0 to the number of groups - 1. With `seed`, groups of
/// equal size are taken in an order the seed shuffles; without, in index order.
SHIPML_API std::vector<Fold> group_kfold(std::span<const int> groups, int k,
                                         std::optional<std::uint64_t> seed = std::nullopt);

/// K folds with no group in two folds and each class's share as even over the
/// folds as the groups allow: scikit-learn's StratifiedGroupKFold. Groups are
/// taken in order of how unevenly their rows spread over the classes (most first),
/// each into the fold that leaves the classes' shares most even. `classes` holds
/// a class index per row. With `seed`, groups start in an order the seed
/// shuffles (as scikit-learn's shuffle=True means to); without, in index order.
SHIPML_API std::vector<Fold> stratified_group_kfold(std::span<const int> groups, std::span<const int> classes, int k,
                                                    std::optional<std::uint64_t> seed = std::nullopt);

/// Group index per row (0 to groups - 1, in sorted order of the values) of a
/// column: numbers sorted as numbers, texts as texts. A DataError naming the
/// row when a cell is missing: a row of no group cannot be kept whole.
SHIPML_API std::vector<int> group_indices(const Column& column);

}  // namespace shipml
