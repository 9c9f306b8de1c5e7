#include "shipml/data/group_split.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
#include <numeric>
#include <string>

#include "shipml/core/error.hpp"
#include "shipml/core/random.hpp"

namespace shipml {
namespace {

std::size_t count_groups(std::span<const int> groups, int k) {
  if (k < 2) throw UsageError("cross-validation needs at least 2 folds, got " + std::to_string(k));
  int most = -1;
  for (int g : groups) {
    if (g < 0) throw DataError("a row has no group");
    most = std::max(most, g);
  }
  const auto n_groups = static_cast<std::size_t>(most + 1);
  if (n_groups < static_cast<std::size_t>(k))
    throw DataError("cannot make " + std::to_string(k) + " folds from " + std::to_string(n_groups) +
                    " groups: a group is never split, so there must be at least as many groups as folds");
  return n_groups;
}

// The groups' order before sorting: index order, or shuffled by the seed.
std::vector<std::size_t> start_order(std::size_t n_groups, std::optional<std::uint64_t> seed) {
  std::vector<std::size_t> order(n_groups);
  std::iota(order.begin(), order.end(), 0);
  if (seed) {
    Random rng(*seed);
    rng.shuffle(std::span(order));
  }
  return order;
}

std::vector<Fold> folds_of(std::span<const int> groups, const std::vector<int>& fold_of_group, int k) {
  std::vector<Fold> folds(static_cast<std::size_t>(k));
  for (std::size_t i = 0; i < groups.size(); ++i) {
    const int f = fold_of_group[static_cast<std::size_t>(groups[i])];
    for (int j = 0; j < k; ++j) (j == f ? folds[j].test : folds[j].train).push_back(i);
  }
  return folds;
}

}  // namespace

std::vector<Fold> group_kfold(std::span<const int> groups, int k, std::optional<std::uint64_t> seed) {
  const std::size_t n_groups = count_groups(groups, k);
  std::vector<std::size_t> size(n_groups, 0);
  for (int g : groups) ++size[static_cast<std::size_t>(g)];
  std::vector<std::size_t> order = start_order(n_groups, seed);
  std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return size[a] > size[b]; });
  std::vector<std::size_t> rows_in(static_cast<std::size_t>(k), 0);
  std::vector<int> fold_of(n_groups, 0);
  for (std::size_t g : order) {
    const auto lightest = std::min_element(rows_in.begin(), rows_in.end()) - rows_in.begin();
    rows_in[static_cast<std::size_t>(lightest)] += size[g];
    fold_of[g] = static_cast<int>(lightest);
  }
  return folds_of(groups, fold_of, k);
}

std::vector<Fold> stratified_group_kfold(std::span<const int> groups, std::span<const int> classes, int k,
                                         std::optional<std::uint64_t> seed) {
  const std::size_t n_groups = count_groups(groups, k);
  // Classes renumbered over those some row has (as numpy's unique gives them).
  std::map<int, std::size_t> present;
  for (int c : classes) present.emplace(c, 0);
  std::size_t n_classes = 0;
  for (auto& [c, at] : present) at = n_classes++;
  // Rows per (group, class) and per class.
  std::vector<std::vector<double>> per_group(n_groups, std::vector<double>(n_classes, 0.0));
  std::vector<double> per_class(n_classes, 0.0);
  for (std::size_t i = 0; i < groups.size(); ++i) {
    per_group[static_cast<std::size_t>(groups[i])][present.at(classes[i])] += 1;
    per_class[present.at(classes[i])] += 1;
  }
  auto spread = [&](const std::vector<double>& counts) {  // population standard deviation, as numpy's std
    const double mean = std::accumulate(counts.begin(), counts.end(), 0.0) / static_cast<double>(counts.size());
    double sq = 0;
    for (double c : counts) sq += (c - mean) * (c - mean);
    return std::sqrt(sq / static_cast<double>(counts.size()));
  };
  std::vector<std::size_t> order = start_order(n_groups, seed);
  std::vector<double> group_spread(n_groups);
  for (std::size_t g = 0; g < n_groups; ++g) group_spread[g] = spread(per_group[g]);
  std::stable_sort(order.begin(), order.end(),
                   [&](std::size_t a, std::size_t b) { return group_spread[a] > group_spread[b]; });

  std::vector<std::vector<double>> per_fold(static_cast<std::size_t>(k), std::vector<double>(n_classes, 0.0));
  std::vector<int> fold_of(n_groups, 0);
  for (std::size_t g : order) {
    // The fold where adding this group leaves each class's share of rows most even
    // over the folds (mean over classes of the spread of shares); ties (within
    // numpy's isclose) go to the fold with fewer rows, then to the first.
    std::size_t best = 0;
    double best_eval = std::numeric_limits<double>::infinity(), best_rows = best_eval;
    for (std::size_t f = 0; f < per_fold.size(); ++f) {
      double eval = 0;
      for (std::size_t c = 0; c < n_classes; ++c) {
        std::vector<double> shares(per_fold.size());
        for (std::size_t o = 0; o < per_fold.size(); ++o)
          shares[o] = (per_fold[o][c] + (o == f ? per_group[g][c] : 0.0)) / per_class[c];
        eval += spread(shares);
      }
      eval /= static_cast<double>(n_classes);
      const double rows = std::accumulate(per_fold[f].begin(), per_fold[f].end(), 0.0);
      const bool close = std::abs(eval - best_eval) <= 1e-8 + 1e-5 * std::abs(best_eval);
      if (eval < best_eval || (close && rows < best_rows)) best = f, best_eval = eval, best_rows = rows;
    }
    for (std::size_t c = 0; c < n_classes; ++c) per_fold[best][c] += per_group[g][c];
    fold_of[g] = static_cast<int>(best);
  }
  return folds_of(groups, fold_of, k);
}

std::vector<int> group_indices(const Column& column) {
  std::vector<int> out(column.size());
  if (column.is_numeric()) {
    std::map<double, int> index;
    for (std::size_t i = 0; i < column.size(); ++i) {
      if (std::isnan(column.values()[i]))
        throw DataError("group column '" + column.name() + "', row " + std::to_string(i + 1) +
                        ": missing (every row needs a group)");
      index.emplace(column.values()[i], 0);
    }
    int next = 0;
    for (auto& [value, at] : index) at = next++;
    for (std::size_t i = 0; i < column.size(); ++i) out[i] = index.at(column.values()[i]);
    return out;
  }
  // The dictionary is sorted already; codes no row uses are skipped.
  std::vector<int> index(column.categories().size(), -1);
  for (std::size_t i = 0; i < column.size(); ++i) {
    const int code = column.codes()[i];
    if (code == kMissingCode)
      throw DataError("group column '" + column.name() + "', row " + std::to_string(i + 1) +
                      ": missing (every row needs a group)");
    index[static_cast<std::size_t>(code)] = 0;
  }
  int next = 0;
  for (int& at : index)
    if (at == 0) at = next++;
  for (std::size_t i = 0; i < column.size(); ++i) out[i] = index[static_cast<std::size_t>(column.codes()[i])];
  return out;
}

}  // namespace shipml
