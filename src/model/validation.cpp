#include "shipml/model/validation.hpp"

#include <cmath>
#include <map>
#include <sstream>

#include "shipml/core/error.hpp"
#include "shipml/core/names.hpp"
#include "shipml/data/group_split.hpp"

namespace shipml {
namespace {

// Each value of the fold column is one fold's test rows; rows where it is
// missing are trained on in every fold. Values in sorted order.
std::vector<Fold> folds_from_column(const Column& column) {
  std::map<double, std::vector<std::size_t>> numbers;
  std::map<int, std::vector<std::size_t>> codes;  // categories are sorted already
  for (std::size_t i = 0; i < column.size(); ++i) {
    if (column.is_missing(i)) continue;
    if (column.is_numeric()) numbers[column.values()[i]].push_back(i);
    else codes[column.codes()[i]].push_back(i);
  }
  std::vector<std::vector<std::size_t>> tests;
  for (auto& [value, rows] : numbers) tests.push_back(std::move(rows));
  for (auto& [code, rows] : codes) tests.push_back(std::move(rows));
  if (tests.empty()) throw DataError("fold column '" + column.name() + "' is missing on every row: no fold to test on");
  std::vector<Fold> folds;
  for (const auto& test : tests) {
    Fold f;
    f.test = test;
    for (std::size_t i = 0, t = 0; i < column.size(); ++i)
      if (t < test.size() && test[t] == i) ++t;
      else f.train.push_back(i);
    if (f.train.empty())
      throw DataError("fold column '" + column.name() + "': the fold of '" + column.text(test[0]) +
                      "' holds every row, leaving none to train on");
    folds.push_back(std::move(f));
  }
  return folds;
}

void refuse(bool contradiction, const std::string& what) {
  if (contradiction) throw UsageError(what);
}

}  // namespace

Splits make_splits(const Dataset& data, const Validation& v, std::span<const int> strata) {
  data.check_roles();
  const bool cv = v.folds >= 2, gapped = v.gap.rows > 0 || v.gap.seconds > 0;
  refuse(v.repeats < 1, "repeats must be at least 1, got " + std::to_string(v.repeats));
  refuse(v.repeats > 1 && !cv, "repeats need K-fold cross-validation (--cv K); a hold-out split is drawn once");
  refuse(gapped && data.time.empty(), "a gap separates training rows from later test rows: it needs a time column");
  const int roles = !data.fold.empty() + !data.time.empty() + !data.group.empty();
  refuse(roles > 1, "give one of a fold column, a time column and a group column: each decides the split alone");
  std::ostringstream how;
  Splits s;
  if (!v.given_folds.empty()) {
    s.folds = v.given_folds;
    how << s.folds.size() << " given folds";
  } else if (!data.fold.empty()) {
    refuse(v.repeats > 1, "folds given by a column are the same every time: repeats need shuffled folds");
    s.folds = folds_from_column(data.frame.column(data.fold));
    how << s.folds.size() << (s.folds.size() == 1 ? " fold" : " folds") << " from column '" << echoed(data.fold) << "'";
    return {std::move(s.folds), how.str()};
  } else if (!data.time.empty()) {
    refuse(v.repeats > 1, "time-ordered folds are the same every time: repeats need shuffled folds");
    const std::vector<double> time = time_values(data.frame.column(data.time));
    if (cv) {
      s.folds = time_series_split(time, v.folds, v.gap);
      how << v.folds << "-fold time-ordered CV by '" << echoed(data.time) << "' (expanding window)";
    } else {
      s.folds = {time_holdout(time, v.test_size, v.gap)};
      how << "hold-out of the latest " << format_number(v.test_size * 100) << "% by '" << echoed(data.time) << "'";
    }
    if (gapped) how << ", gap " << v.gap.to_string();
    return {std::move(s.folds), how.str()};
  } else if (!data.group.empty()) {
    const std::vector<int> groups = group_indices(data.frame.column(data.group));
    const int k = cv ? v.folds : std::max(2, static_cast<int>(std::lround(1 / v.test_size)));
    for (int r = 0; r < v.repeats; ++r) {
      auto folds = strata.empty() ? group_kfold(groups, k, v.seed + static_cast<std::uint64_t>(r))
                                  : stratified_group_kfold(groups, strata, k, v.seed + static_cast<std::uint64_t>(r));
      if (!cv) folds.resize(1);
      s.folds.insert(s.folds.end(), folds.begin(), folds.end());
    }
    how << (cv ? std::to_string(v.folds) + "-fold CV" : "hold-out 1/" + std::to_string(k) + " of the groups");
    if (v.repeats > 1) how << " x " << v.repeats;
    how << ", grouped by '" << echoed(data.group) << "'";
  } else if (cv) {
    for (int r = 0; r < v.repeats; ++r) {
      const auto folds = kfold(data.rows(), v.folds, v.seed + static_cast<std::uint64_t>(r), strata);
      s.folds.insert(s.folds.end(), folds.begin(), folds.end());
    }
    how << v.folds << "-fold CV";
    if (v.repeats > 1) how << " x " << v.repeats;
  } else {
    s.folds = {train_test_split(data.rows(), v.test_size, v.seed, strata)};
    how << "hold-out " << format_number(v.test_size * 100) << "%";
  }
  if (!strata.empty() && v.given_folds.empty()) how << ", stratified";
  s.description = how.str();
  return s;
}

}  // namespace shipml
