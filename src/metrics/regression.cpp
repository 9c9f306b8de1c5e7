#include <cmath>
#include <limits>

#include "metrics/weights.hpp"
#include "shipml/metrics/metrics.hpp"

namespace shipml {

namespace {

// The weighted mean of f(i) over the rows (np.average with weights), or NaN
// when the weights sum to 0.
template <class F>
double weighted_mean(std::span<const double> w, std::size_t rows, const char* metric, F f) {
  const double total = total_weight(w, rows, metric);
  if (total == 0 && !w.empty()) return kNoWeight;
  double s = 0;
  for (std::size_t i = 0; i < rows; ++i) s += row_weight(w, i) * f(i);
  return s / total;
}

}  // namespace

double mean_squared_error(std::span<const double> y, std::span<const double> p, std::span<const double> w) {
  return weighted_mean(w, y.size(), "mse", [&](std::size_t i) { return (y[i] - p[i]) * (y[i] - p[i]); });
}

double root_mean_squared_error(std::span<const double> y, std::span<const double> p, std::span<const double> w) {
  return std::sqrt(mean_squared_error(y, p, w));
}

double mean_absolute_error(std::span<const double> y, std::span<const double> p, std::span<const double> w) {
  return weighted_mean(w, y.size(), "mae", [&](std::size_t i) { return std::abs(y[i] - p[i]); });
}

double mean_absolute_percentage_error(std::span<const double> y, std::span<const double> p, std::span<const double> w) {
  const double eps = std::numeric_limits<double>::epsilon();
  return weighted_mean(w, y.size(), "mape",
                       [&](std::size_t i) { return std::abs(y[i] - p[i]) / std::max(std::abs(y[i]), eps); });
}

// Weighted as scikit-learn's: both sums of squares weighted, around the weighted mean.
double r2_score(std::span<const double> y, std::span<const double> p, std::span<const double> w) {
  const double rows = total_weight(w, y.size(), "r2");
  if (rows == 0 && !w.empty()) return kNoWeight;
  double mean = 0;
  for (std::size_t i = 0; i < y.size(); ++i) mean += row_weight(w, i) * y[i];
  mean /= rows;
  double residual = 0, total = 0;
  for (std::size_t i = 0; i < y.size(); ++i) {
    residual += row_weight(w, i) * (y[i] - p[i]) * (y[i] - p[i]);
    total += row_weight(w, i) * (y[i] - mean) * (y[i] - mean);
  }
  if (total == 0) return residual == 0 ? 1.0 : 0.0;  // scikit-learn's force_finite
  return 1 - residual / total;
}

double pearson_correlation(std::span<const double> x, std::span<const double> y) {
  const double n = static_cast<double>(x.size());
  double mx = 0, my = 0;
  for (std::size_t i = 0; i < x.size(); ++i) mx += x[i] / n, my += y[i] / n;
  double sxy = 0, sxx = 0, syy = 0;
  for (std::size_t i = 0; i < x.size(); ++i) {
    sxy += (x[i] - mx) * (y[i] - my);
    sxx += (x[i] - mx) * (x[i] - mx);
    syy += (y[i] - my) * (y[i] - my);
  }
  return sxx > 0 && syy > 0 ? sxy / std::sqrt(sxx * syy) : 0;
}

}  // namespace shipml
