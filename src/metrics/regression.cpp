#include <cmath>
#include <limits>

#include "shipml/metrics/metrics.hpp"

namespace shipml {

double mean_squared_error(std::span<const double> y, std::span<const double> p) {
  double s = 0;
  for (std::size_t i = 0; i < y.size(); ++i) s += (y[i] - p[i]) * (y[i] - p[i]);
  return s / static_cast<double>(y.size());
}

double root_mean_squared_error(std::span<const double> y, std::span<const double> p) {
  return std::sqrt(mean_squared_error(y, p));
}

double mean_absolute_error(std::span<const double> y, std::span<const double> p) {
  double s = 0;
  for (std::size_t i = 0; i < y.size(); ++i) s += std::abs(y[i] - p[i]);
  return s / static_cast<double>(y.size());
}

double mean_absolute_percentage_error(std::span<const double> y, std::span<const double> p) {
  const double eps = std::numeric_limits<double>::epsilon();
  double s = 0;
  for (std::size_t i = 0; i < y.size(); ++i) s += std::abs(y[i] - p[i]) / std::max(std::abs(y[i]), eps);
  return s / static_cast<double>(y.size());
}

double r2_score(std::span<const double> y, std::span<const double> p) {
  double mean = 0;
  for (double v : y) mean += v;
  mean /= static_cast<double>(y.size());
  double residual = 0, total = 0;
  for (std::size_t i = 0; i < y.size(); ++i) {
    residual += (y[i] - p[i]) * (y[i] - p[i]);
    total += (y[i] - mean) * (y[i] - mean);
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
