#include "shipml/data/split.hpp"

#include <algorithm>
#include <cmath>
#include <map>
#include <numeric>

#include "shipml/core/error.hpp"
#include "shipml/core/random.hpp"

namespace shipml {
namespace {

// Rows of each group (or one group of all rows), each shuffled.
std::vector<std::vector<std::size_t>> shuffled_groups(std::size_t n, std::span<const int> groups, Random& rng) {
  std::vector<std::vector<std::size_t>> out;
  if (groups.empty()) {
    out.emplace_back(n);
    std::iota(out[0].begin(), out[0].end(), 0);
  } else {
    std::map<int, std::vector<std::size_t>> by_group;
    for (std::size_t i = 0; i < n; ++i) by_group[groups[i]].push_back(i);
    for (auto& [g, rows] : by_group) out.push_back(std::move(rows));
  }
  for (auto& rows : out) rng.shuffle(std::span(rows));
  return out;
}

}  // namespace

Fold train_test_split(std::size_t n, double test_size, std::uint64_t seed, std::span<const int> groups) {
  if (!(test_size > 0 && test_size < 1))
    throw UsageError("test size must be between 0 and 1, got " + std::to_string(test_size));
  const auto n_test = static_cast<std::size_t>(std::ceil(test_size * static_cast<double>(n)));
  if (n_test == 0 || n_test >= n)
    throw DataError("cannot hold out " + std::to_string(n_test) + " of " + std::to_string(n) + " rows for testing");
  Random rng(seed);
  auto parts = shuffled_groups(n, groups, rng);
  // Each group gives its share, rounded down; the rows still owed go to the
  // groups with the largest remainders (ties: the earlier group).
  std::vector<std::size_t> take(parts.size());
  std::vector<std::pair<double, std::size_t>> remainder;
  std::size_t given = 0;
  for (std::size_t g = 0; g < parts.size(); ++g) {
    const double exact = static_cast<double>(parts[g].size()) * static_cast<double>(n_test) / static_cast<double>(n);
    take[g] = static_cast<std::size_t>(std::floor(exact));
    given += take[g];
    remainder.emplace_back(-(exact - std::floor(exact)), g);
  }
  std::sort(remainder.begin(), remainder.end());
  for (std::size_t i = 0; given < n_test && i < remainder.size(); ++i, ++given) ++take[remainder[i].second];
  Fold fold;
  for (std::size_t g = 0; g < parts.size(); ++g) {
    fold.test.insert(fold.test.end(), parts[g].begin(), parts[g].begin() + static_cast<std::ptrdiff_t>(take[g]));
    fold.train.insert(fold.train.end(), parts[g].begin() + static_cast<std::ptrdiff_t>(take[g]), parts[g].end());
  }
  std::sort(fold.train.begin(), fold.train.end());
  std::sort(fold.test.begin(), fold.test.end());
  return fold;
}

std::vector<Fold> kfold(std::size_t n, int k, std::uint64_t seed, std::span<const int> groups) {
  if (k < 2) throw UsageError("cross-validation needs at least 2 folds, got " + std::to_string(k));
  if (static_cast<std::size_t>(k) > n)
    throw DataError("cannot make " + std::to_string(k) + " folds from " + std::to_string(n) + " rows");
  Random rng(seed);
  std::vector<int> fold_of(n);
  std::size_t next = 0;
  for (const auto& rows : shuffled_groups(n, groups, rng))
    for (std::size_t r : rows) fold_of[r] = static_cast<int>(next++ % static_cast<std::size_t>(k));
  std::vector<Fold> folds(static_cast<std::size_t>(k));
  for (std::size_t i = 0; i < n; ++i)
    for (int f = 0; f < k; ++f) (f == fold_of[i] ? folds[f].test : folds[f].train).push_back(i);
  return folds;
}

std::vector<int> strata(const Dataset& data) {
  const Column& y = data.labels();
  if (infer_task(y) != Task::classification) return {};
  return class_indices(y, class_labels(y));
}

TrainTest train_test_split(const Dataset& data, const SplitOptions& options) {
  const std::vector<int> groups = options.stratify ? strata(data) : std::vector<int>{};
  const Fold fold = train_test_split(data.rows(), options.test_size, options.seed, groups);
  return {data.take(fold.train), data.take(fold.test)};
}

}  // namespace shipml
