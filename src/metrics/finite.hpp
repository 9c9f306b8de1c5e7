#pragma once
// Metrics refuse values that are not finite numbers. NaN compares false with
// everything: sorting it is undefined and tie-walking over it never advances,
// so a NaN score would hang roc_auc or curves, and quietly poison the rest.
#include <cmath>
#include <span>
#include <string>
#include <string_view>

#include "shipml/core/error.hpp"

namespace shipml {

// A DataError naming `what` when any value is NaN or infinite.
inline void require_finite(std::span<const double> values, std::string_view what) {
  std::size_t bad = 0, first = 0;
  for (std::size_t i = values.size(); i-- > 0;)
    if (!std::isfinite(values[i])) ++bad, first = i;
  if (bad == 0) return;
  throw DataError(std::string(what) + ": " + std::to_string(bad) + " of " + std::to_string(values.size()) +
                  " are not finite numbers (the first, at position " + std::to_string(first + 1) + ", is " +
                  (std::isnan(values[first]) ? "nan"
                   : values[first] > 0       ? "inf"
                                             : "-inf") +
                  "); nothing can be measured on them");
}

}  // namespace shipml
