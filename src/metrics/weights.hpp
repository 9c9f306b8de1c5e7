#pragma once
// Row weights of a metric (scikit-learn's sample_weight): empty means every
// row counts once. Unweighted sums add 1 per row, so they are exactly what
// they were before metrics took weights.
#include <cmath>
#include <limits>
#include <span>
#include <string>

#include "shipml/core/error.hpp"

namespace shipml {

// Row i's weight: 1 when there are none.
inline double row_weight(std::span<const double> weights, std::size_t i) { return weights.empty() ? 1.0 : weights[i]; }

// The weights' total (the row count without weights). A DataError naming the
// metric when the weights do not match the rows or are not finite and >= 0.
inline double total_weight(std::span<const double> weights, std::size_t rows, const char* metric) {
  if (weights.empty()) return static_cast<double>(rows);
  if (weights.size() != rows)
    throw DataError(std::string(metric) + ": " + std::to_string(weights.size()) + " weights for " +
                    std::to_string(rows) + " rows");
  double total = 0;
  for (double w : weights) {
    if (!(w >= 0) || std::isinf(w))
      throw DataError(std::string(metric) + ": a weight of " + std::to_string(w) + "; weights are finite and >= 0");
    total += w;
  }
  return total;
}

// What a weighted metric is when its weights sum to 0: undefined.
inline constexpr double kNoWeight = std::numeric_limits<double>::quiet_NaN();

}  // namespace shipml
