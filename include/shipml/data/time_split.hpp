#pragma once
/// \file
/// Splits in time order: a model is scored only on rows later than every row it
/// was trained on, as it will be used, so a score never rewards seeing the future.
#include <span>
#include <string>
#include <vector>

#include "shipml/core/export.hpp"
#include "shipml/core/frame.hpp"
#include "shipml/data/split.hpp"

namespace shipml {

/// What separates training rows from the test rows after them: a number of rows
/// (scikit-learn's `gap`), or a span of time in seconds.
struct SHIPML_API TimeGap {
  std::size_t rows = 0;  ///< rows dropped from the end of each training set
  double seconds = 0;    ///< or: training rows are at least this much earlier than the first test row
  /// "5" (rows), or a span: "90s", "30m", "12h", "7d", "2w". A UsageError otherwise.
  static TimeGap parse(const std::string& text);
  /// As parse() reads it.
  std::string to_string() const;
};

/// K expanding-window folds over rows ordered by `time` (scikit-learn's
/// TimeSeriesSplit): the last K * (n / (K + 1)) rows, in time order, are cut into
/// K test blocks; each fold trains on the rows before its block, less the gap.
/// A block starting inside a run of equal times starts after it instead, so no
/// time is on both sides (with distinct times, the folds are scikit-learn's). A
/// DataError when a fold would have no training rows or no test rows.
SHIPML_API std::vector<Fold> time_series_split(std::span<const double> time, int k, const TimeGap& gap = {});

/// The latest `test_size` of the rows (rounded up, and back to the first row of
/// the earliest time held out) held out; trained on the rows before, less the gap.
SHIPML_API Fold time_holdout(std::span<const double> time, double test_size, const TimeGap& gap = {});

/// A time column as numbers: numeric as it is; text as ISO-8601 dates
/// (YYYY-MM-DD, optionally THH:MM[:SS] or with a space), in seconds since
/// 1970-01-01 UTC. A DataError naming the row of a missing or unreadable cell.
SHIPML_API std::vector<double> time_values(const Column& column);

}  // namespace shipml
