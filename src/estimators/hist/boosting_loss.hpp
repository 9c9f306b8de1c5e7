#pragma once
// The losses hist_gbdt fits, row by row: the score every row starts from,
// each row's gradient and hessian, the mean loss that early stopping watches,
// and for absolute error the leaves refitted to the median residual. Sums
// that span rows are taken over every rank (Communicator), so ranks agree.
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "grower.hpp"
#include "shipml/core/communicator.hpp"

namespace shipml::hist {

enum class Loss { log_loss, squared_error, absolute_error, huber, poisson };

/// The loss a `loss` parameter names ("auto": log loss for classes, squared error otherwise).
Loss parse_loss(const std::string& name, int n_classes);

// Each row's weight, kept only when some row's is not 1: a vector of ones
// would take 8 bytes a row for nothing, and multiplying by 1 changes no sum.
struct RowWeights {
  std::vector<double> values;  // empty: every row weighs 1
  double operator[](std::size_t r) const { return values.empty() ? 1.0 : values[r]; }
};

/// The weighted median of (value, weight) pairs (sorts them).
double weighted_median(std::vector<std::pair<double, double>>& v);

/// Where BoostingLoss::gradients() puts row r's gradient and hessian of score
/// k: at g and h + (r * width + k) * stride. A stride lets one score per row
/// land straight in the statistics a grower reads (gradient, hessian, count, _).
struct GradientsOut {
  float* g;
  float* h;
  std::size_t stride = 1;
};

/// One fit's loss: `classes` (0 for regression) and `width` scores a row
/// (1, or the classes for softmax).
struct BoostingLoss {
  Loss loss;
  int classes;
  std::size_t width;
  double huber_delta;

  /// The score every row starts from, fitted to the training rows of every rank.
  std::vector<double> initial_scores(std::span<const double> y, const RowWeights& w,
                                     const std::vector<std::uint32_t>& rows, Communicator& ranks) const;
  /// Each of `rows`' weighted gradients and hessians at its scores `raw`.
  void gradients(std::span<const double> y, const RowWeights& w, const std::vector<double>& raw,
                 const std::vector<std::uint32_t>& rows, GradientsOut out, int threads) const;
  /// The weighted mean loss over `rows` of every rank.
  double mean_loss(std::span<const double> y, const RowWeights& w, const std::vector<double>& raw,
                   const std::vector<std::uint32_t>& rows, Communicator& ranks) const;
  /// Absolute error: a leaf's best constant is the median residual, not the Newton step.
  void refit_leaves_to_median(GrownTree& grown, std::span<const double> y, const RowWeights& w,
                              const std::vector<double>& raw) const;
};

}  // namespace shipml::hist
