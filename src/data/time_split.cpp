#include "shipml/data/time_split.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <numeric>

#include "shipml/core/error.hpp"
#include "shipml/core/names.hpp"

namespace shipml {
namespace {

// Days from 1970-01-01 to a civil date (Howard Hinnant's days_from_civil).
long long days_from_civil(int y, unsigned m, unsigned d) {
  y -= m <= 2;
  const int era = (y >= 0 ? y : y - 399) / 400;
  const auto yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return static_cast<long long>(era) * 146097 + static_cast<long long>(doe) - 719468;
}

// Seconds since the epoch of "YYYY-MM-DD[(T| )HH:MM[:SS[.fff]]]", or NaN.
double parse_iso(const std::string& text) {
  int y = 0, m = 0, d = 0, used = 0;
  if (std::sscanf(text.c_str(), "%4d-%2d-%2d%n", &y, &m, &d, &used) != 3 || used != 10) return NAN;
  static const int days_in[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (m < 1 || m > 12 || d < 1 || d > days_in[m - 1]) return NAN;
  double seconds = 0;
  if (text.size() > 10) {
    int h = 0, mi = 0, rest = 0;
    double s = 0;
    const char sep = text[10];
    if ((sep != 'T' && sep != ' ') || std::sscanf(text.c_str() + 11, "%2d:%2d%n", &h, &mi, &rest) != 2 || rest != 5)
      return NAN;
    std::size_t at = 16;
    if (text.size() > at) {
      int more = 0;
      if (text[at] != ':' || std::sscanf(text.c_str() + at + 1, "%lf%n", &s, &more) != 1 ||
          at + 1 + static_cast<std::size_t>(more) != text.size() || s < 0 || s >= 61)
        return NAN;
    }
    if (h > 23 || mi > 59) return NAN;
    seconds = h * 3600.0 + mi * 60.0 + s;
  }
  return static_cast<double>(days_from_civil(y, static_cast<unsigned>(m), static_cast<unsigned>(d))) * 86400.0 +
         seconds;
}

// Row indices in time order (ties in row order).
std::vector<std::size_t> time_order(std::span<const double> time) {
  std::vector<std::size_t> order(time.size());
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return time[a] < time[b]; });
  return order;
}

// The fold testing order[begin, end) and training on what came before, less the gap.
Fold fold_before(std::span<const double> time, const std::vector<std::size_t>& order, std::size_t begin,
                 std::size_t end, const TimeGap& gap) {
  const double first_test = time[order[begin]];
  std::size_t train_end = begin > gap.rows ? begin - gap.rows : 0;
  // Rows within the gap's span of the first test row are not trained on.
  auto trainable = [&](double t) { return gap.seconds > 0 ? t <= first_test - gap.seconds : t < first_test; };
  while (train_end > 0 && !trainable(time[order[train_end - 1]])) --train_end;
  Fold f;
  f.train.assign(order.begin(), order.begin() + static_cast<std::ptrdiff_t>(train_end));
  f.test.assign(order.begin() + static_cast<std::ptrdiff_t>(begin), order.begin() + static_cast<std::ptrdiff_t>(end));
  std::sort(f.train.begin(), f.train.end());
  std::sort(f.test.begin(), f.test.end());
  return f;
}

}  // namespace

TimeGap TimeGap::parse(const std::string& text) {
  TimeGap gap;
  std::size_t end = 0;
  double value = -1;
  try {
    value = std::stod(text, &end);
  } catch (const std::exception&) {
    end = 0;
  }
  if (end > 0 && end == text.size() && value >= 0 && value == std::floor(value) && value < 1e15) {
    gap.rows = static_cast<std::size_t>(value);
    return gap;
  }
  static const std::pair<char, double> units[] = {{'s', 1}, {'m', 60}, {'h', 3600}, {'d', 86400}, {'w', 604800}};
  if (end > 0 && end + 1 == text.size() && value >= 0 && std::isfinite(value))
    for (const auto& [unit, seconds] : units)
      if (text[end] == unit) {
        gap.seconds = value * seconds;
        return gap;
      }
  throw UsageError("gap '" + echoed(text) +
                   "' is neither a number of rows (5) nor a span of time (90s, 30m, 12h, 7d, 2w)");
}

std::string TimeGap::to_string() const {
  if (seconds <= 0) return std::to_string(rows) + (rows == 1 ? " row" : " rows");
  static const std::pair<char, double> units[] = {{'w', 604800}, {'d', 86400}, {'h', 3600}, {'m', 60}};
  for (const auto& [unit, size] : units)
    if (seconds >= size && std::fmod(seconds, size) == 0) return format_number(seconds / size) + unit;
  return format_number(seconds) + "s";
}

std::vector<Fold> time_series_split(std::span<const double> time, int k, const TimeGap& gap) {
  if (k < 2) throw UsageError("cross-validation needs at least 2 folds, got " + std::to_string(k));
  const std::size_t n = time.size(), block = n / static_cast<std::size_t>(k + 1);
  if (block == 0)
    throw DataError("cannot make " + std::to_string(k) + " time-ordered folds from " + std::to_string(n) +
                    " rows (each fold tests on a block of rows/(folds+1))");
  const std::vector<std::size_t> order = time_order(time);
  // Block starts as scikit-learn places them, each moved on past rows of the
  // same time as the row before it: a time is never on both sides of a fold.
  std::vector<std::size_t> starts;
  for (std::size_t begin = n - static_cast<std::size_t>(k) * block; begin < n; begin += block) {
    while (begin < n && time[order[begin]] == time[order[begin - 1]]) ++begin;
    if (begin == n || (!starts.empty() && begin == starts.back()))
      throw DataError("cannot make " + std::to_string(k) + " time-ordered folds: the latest rows hold too few " +
                      "distinct times (a time is never split between training and test); use fewer folds");
    starts.push_back(begin);
  }
  std::vector<Fold> folds;
  for (std::size_t j = 0; j < starts.size(); ++j) {
    folds.push_back(fold_before(time, order, starts[j], j + 1 < starts.size() ? starts[j + 1] : n, gap));
    if (folds.back().train.empty())
      throw DataError("time-ordered fold " + std::to_string(folds.size()) + " has no rows to train on: the gap of " +
                      gap.to_string() + " takes them all");
  }
  return folds;
}

Fold time_holdout(std::span<const double> time, double test_size, const TimeGap& gap) {
  if (!(test_size > 0 && test_size < 1))
    throw UsageError("test size must be between 0 and 1, got " + std::to_string(test_size));
  const std::size_t n = time.size();
  const auto n_test = static_cast<std::size_t>(std::ceil(test_size * static_cast<double>(n)));
  if (n_test == 0 || n_test >= n)
    throw DataError("cannot hold out " + std::to_string(n_test) + " of " + std::to_string(n) + " rows for testing");
  const std::vector<std::size_t> order = time_order(time);
  // The first held-out row starts its time: moved back to the first row of that time.
  std::size_t begin = n - n_test;
  while (begin > 0 && time[order[begin]] == time[order[begin - 1]]) --begin;
  if (begin == 0) throw DataError("every row has the same time: nothing is earlier to train on");
  Fold f = fold_before(time, order, begin, n, gap);
  if (f.train.empty())
    throw DataError("the time-ordered hold-out has no rows to train on: the gap of " + gap.to_string() +
                    " takes them all");
  return f;
}

std::vector<double> time_values(const Column& column) {
  std::vector<double> out(column.size());
  auto missing = [&](std::size_t row) {
    return DataError("time column '" + column.name() + "', row " + std::to_string(row + 1) +
                     ": missing (every row needs a time to be ordered by)");
  };
  if (column.is_numeric()) {
    for (std::size_t i = 0; i < column.size(); ++i) {
      out[i] = column.values()[i];
      if (std::isnan(out[i])) throw missing(i);
    }
    return out;
  }
  std::vector<double> seconds;
  for (const auto& text : column.categories()) seconds.push_back(parse_iso(text));
  for (std::size_t i = 0; i < column.size(); ++i) {
    const int code = column.codes()[i];
    if (code == kMissingCode) throw missing(i);
    out[i] = seconds[static_cast<std::size_t>(code)];
    if (std::isnan(out[i]))
      throw DataError("time column '" + column.name() + "', row " + std::to_string(i + 1) + ": '" +
                      echoed(column.categories()[static_cast<std::size_t>(code)]) +
                      "' is not a number nor an ISO-8601 date (YYYY-MM-DD, optionally THH:MM[:SS])");
  }
  return out;
}

}  // namespace shipml
