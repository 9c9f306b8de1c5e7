// Univariate tests: each column scored alone against the target.
#include "shipml/preprocess/univariate.hpp"

#include <algorithm>
#include <cmath>
#include <map>
#include <numeric>

#include "mutual_info.hpp"
#include "shipml/core/error.hpp"
#include "shipml/core/random.hpp"
#include "shipml/data/dataset.hpp"
#include "shipml/metrics/metrics.hpp"
#include "special_functions.hpp"

namespace shipml {
namespace {

struct Statistic {
  double score = 0, p_value = std::nan("");
  std::string test;
};

// One-way ANOVA F of `values` across `groups` (codes >= 0).
Statistic anova(const std::vector<double>& values, const std::vector<int>& groups, const char* name) {
  std::map<int, std::pair<double, double>> sums;  // group -> (count, sum)
  double total = 0;
  for (std::size_t i = 0; i < values.size(); ++i) {
    auto& [count, sum] = sums[groups[i]];
    count += 1;
    sum += values[i];
    total += values[i];
  }
  const double n = static_cast<double>(values.size()), k = static_cast<double>(sums.size()), mean = total / n;
  double between = 0, within = 0;
  for (const auto& [g, cs] : sums) between += cs.first * (cs.second / cs.first - mean) * (cs.second / cs.first - mean);
  for (std::size_t i = 0; i < values.size(); ++i) {
    const auto& [count, sum] = sums[groups[i]];
    within += (values[i] - sum / count) * (values[i] - sum / count);
  }
  Statistic s{.test = name};
  if (k < 2 || n <= k) return s;
  s.score = (between / (k - 1)) / (within / (n - k));
  if (std::isnan(s.score)) s.score = 0;  // a constant column: no evidence
  s.p_value = special::f_survival(s.score, k - 1, n - k);
  return s;
}

// F of a one-variable linear regression (scikit-learn's f_regression).
Statistic regression_f(const std::vector<double>& x, const std::vector<double>& y) {
  Statistic s{.test = "F (regression)"};
  if (x.size() < 3) return s;
  const double r = pearson_correlation(x, y), dof = static_cast<double>(x.size()) - 2;
  s.score = r * r >= 1 ? INFINITY : r * r / (1 - r * r) * dof;
  s.p_value = special::f_survival(s.score, 1, dof);
  return s;
}

// Pearson's chi-squared test of independence of two codings.
Statistic independence(const std::vector<int>& a, const std::vector<int>& b) {
  std::map<std::pair<int, int>, double> observed;
  std::map<int, double> ra, rb;
  for (std::size_t i = 0; i < a.size(); ++i) observed[{a[i], b[i]}] += 1, ra[a[i]] += 1, rb[b[i]] += 1;
  const double n = static_cast<double>(a.size());
  double chi2 = 0;
  for (const auto& [x, cx] : ra)
    for (const auto& [y, cy] : rb) {
      const double expected = cx * cy / n;
      const auto it = observed.find({x, y});
      const double o = it == observed.end() ? 0 : it->second;
      chi2 += (o - expected) * (o - expected) / expected;
    }
  Statistic s{.score = chi2, .test = "chi2 (independence)"};
  const double dof = static_cast<double>((ra.size() - 1) * (rb.size() - 1));
  s.p_value = dof > 0 ? special::chi2_survival(chi2, dof) : 1.0;
  return s;
}

// scikit-learn's chi2 for a non-negative numeric column: observed class totals
// of the column against what the class frequencies predict.
Statistic numeric_chi2(const std::vector<double>& x, const std::vector<int>& classes, int n_classes) {
  std::vector<double> observed(static_cast<std::size_t>(n_classes), 0), count(static_cast<std::size_t>(n_classes), 0);
  double total = 0;
  for (std::size_t i = 0; i < x.size(); ++i) {
    observed[static_cast<std::size_t>(classes[i])] += x[i];
    count[static_cast<std::size_t>(classes[i])] += 1;
    total += x[i];
  }
  double chi2 = 0;
  for (std::size_t c = 0; c < observed.size(); ++c) {
    const double expected = count[c] / static_cast<double>(x.size()) * total;
    if (expected > 0) chi2 += (observed[c] - expected) * (observed[c] - expected) / expected;
  }
  Statistic s{.score = chi2, .test = "chi2"};
  s.p_value = special::chi2_survival(chi2, n_classes - 1);
  return s;
}

// scikit-learn scales continuous variables to unit variance and adds noise of
// 1e-10 of their mean magnitude, so that ties cannot distort the neighbour counts.
std::vector<double> scaled_with_noise(std::vector<double> v, Random& rng) {
  const double n = static_cast<double>(v.size());
  double mean = 0, sq = 0;
  for (double x : v) mean += x / n;
  for (double x : v) sq += (x - mean) * (x - mean) / n;
  const double sd = std::sqrt(sq);
  double magnitude = 0;
  for (double& x : v) {
    if (sd > 0) x /= sd;
    magnitude += std::abs(x) / n;
  }
  for (double& x : v) {
    const double u1 = 1.0 - rng.uniform(), u2 = rng.uniform();  // Box-Muller
    x += 1e-10 * std::max(1.0, magnitude) * std::sqrt(-2 * std::log(u1)) * std::cos(2 * M_PI * u2);
  }
  return v;
}

}  // namespace

UnivariateTest parse_univariate_test(const std::string& name) {
  if (name == "f_test" || name == "f" || name == "anova") return UnivariateTest::f_test;
  if (name == "chi2") return UnivariateTest::chi2;
  if (name == "mutual_info" || name == "mi") return UnivariateTest::mutual_info;
  throw UsageError("unknown univariate test '" + name + "' (tests: f_test, chi2, mutual_info)");
}

std::string_view to_string(UnivariateTest test) {
  return test == UnivariateTest::f_test ? "F" : test == UnivariateTest::chi2 ? "chi2" : "mutual information";
}

std::vector<UnivariateScore> univariate_scores(const Frame& features, const Column& target, Task task,
                                               UnivariateTest test, std::uint64_t seed) {
  std::vector<std::string> classes;
  std::vector<int> y_class;
  std::vector<double> y_value;
  if (task == Task::classification) {
    classes = class_labels(target);
    y_class = class_indices(target, classes);
  } else {
    y_value = target_values(target);
  }
  if (test == UnivariateTest::chi2 && task != Task::classification)
    throw UsageError("the chi2 test needs a classification target; use f_test or mutual_info for regression");
  Random rng(seed ^ 0x6d75747561ULL);
  std::vector<double> y_noisy;
  if (test == UnivariateTest::mutual_info && task == Task::regression) y_noisy = scaled_with_noise(y_value, rng);
  std::vector<UnivariateScore> out;
  for (const Column& column : features.columns()) {
    // The rows that have this column's value.
    std::vector<std::size_t> rows;
    for (std::size_t i = 0; i < column.size(); ++i)
      if (!column.is_missing(i)) rows.push_back(i);
    std::vector<double> x;
    std::vector<int> codes, yc;
    std::vector<double> yv;
    for (std::size_t i : rows) {
      if (column.is_numeric()) x.push_back(column.values()[i]);
      else codes.push_back(column.codes()[i]);
      if (task == Task::classification) yc.push_back(y_class[i]);
      else yv.push_back(test == UnivariateTest::mutual_info ? y_noisy[i] : y_value[i]);
    }
    Statistic s;
    if (test == UnivariateTest::mutual_info) {
      s.test = "mutual information";
      if (column.is_numeric()) {
        const auto xs = scaled_with_noise(x, rng);
        s.score = task == Task::classification ? mutual_info::continuous_discrete(xs, yc)
                                               : mutual_info::continuous_continuous(xs, yv);
      } else {
        s.score = task == Task::classification ? mutual_info::discrete_discrete(codes, yc)
                                               : mutual_info::continuous_discrete(yv, codes);
      }
    } else if (!column.is_numeric()) {
      s = task == Task::classification ? independence(codes, yc) : anova(yv, codes, "F (across categories)");
    } else if (test == UnivariateTest::chi2) {
      for (std::size_t r = 0; r < x.size(); ++r)
        if (x[r] < 0)
          throw UsageError("the chi2 test needs non-negative values; column '" + column.name() + "' has " +
                           format_number(x[r]) + " at row " + std::to_string(rows[r] + 1));
      s = numeric_chi2(x, yc, static_cast<int>(classes.size()));
    } else {
      s = task == Task::classification ? anova(x, yc, "F (ANOVA)") : regression_f(x, yv);
    }
    out.push_back({s.score, s.p_value, s.test});
  }
  return out;
}

std::size_t kbest_count(std::size_t n, std::size_t k, double percentile) {
  if (percentile <= 0) return std::min(k, n);
  if (percentile > 100) throw UsageError("percentile must be in (0, 100], got " + format_number(percentile));
  return static_cast<std::size_t>(std::ceil(percentile / 100.0 * static_cast<double>(n) - 1e-9));
}

std::vector<std::size_t> univariate_ranking(const std::vector<UnivariateScore>& scores, UnivariateTest test) {
  std::vector<std::size_t> order(scores.size());
  std::iota(order.begin(), order.end(), std::size_t{0});
  std::stable_sort(order.begin(), order.end(), [&](std::size_t i, std::size_t j) {
    const UnivariateScore &a = scores[i], &b = scores[j];
    if (test != UnivariateTest::mutual_info && a.p_value != b.p_value && !std::isnan(a.p_value) &&
        !std::isnan(b.p_value))
      return a.p_value < b.p_value;
    if (std::isnan(a.score) != std::isnan(b.score)) return std::isnan(b.score);
    return a.score > b.score;
  });
  return order;
}

}  // namespace shipml
