#include "permutation_shapley.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>

#include "shipml/core/error.hpp"
#include "shipml/core/interrupt.hpp"
#include "shipml/core/parallel.hpp"
#include "shipml/core/progress.hpp"
#include "shipml/core/random.hpp"

namespace shipml::explain {
namespace {

// Two-sided 99% quantile of the normal distribution.
constexpr double kZ99 = 2.5758293035489004;

}  // namespace

FeatureContributions permutation_shapley(const FeatureMatrix& X, const Background& background, const RawOutput& raw,
                                         const ContributionRequest& request) {
  const std::size_t d = X.cols(), n = X.rows(), B = static_cast<std::size_t>(background.rows.rows());
  if (B == 0 || background.weights.size() != B || static_cast<std::size_t>(background.rows.cols()) != d)
    throw ModelError("sampled contributions need background rows as wide as the features, each with a weight");
  const std::size_t G = request.group_of.empty() ? d : request.groups;
  std::vector<std::vector<std::size_t>> members(G);
  for (std::size_t f = 0; f < d; ++f) members[request.group(f)].push_back(f);
  const std::size_t m = std::max<std::size_t>(2, (request.samples + B - 1) / B);  // orders per background row
  const std::size_t steps = 1 + m * G;                                            // evaluations per background row

  const Matrix base = raw(FeatureMatrix(background.rows));
  const auto outputs = static_cast<std::size_t>(base.cols());
  FeatureContributions out;
  out.method = "sampling";
  out.exact = false;
  out.expected.assign(outputs, 0.0);
  for (std::size_t b = 0; b < B; ++b)
    for (std::size_t o = 0; o < outputs; ++o)
      out.expected[o] += background.weights[b] * base(static_cast<Eigen::Index>(b), static_cast<Eigen::Index>(o));
  out.values.assign(outputs, Matrix::Zero(static_cast<Eigen::Index>(n), static_cast<Eigen::Index>(G)));

  std::vector<double> bound(n, 0.0);
  Progress progress("explaining", n);
  parallel_for(n, 0, [&](std::size_t i) {
    throw_if_stopped("explaining");
    Random rng = Random(request.seed).fork(i);
    // Every order's walk from each background row to row i, one evaluated row per step.
    Matrix walks(static_cast<Eigen::Index>(B * steps), static_cast<Eigen::Index>(d));
    std::vector<std::size_t> order(G), orders(B * m * G);
    std::iota(order.begin(), order.end(), std::size_t{0});
    for (std::size_t b = 0; b < B; ++b) {
      const auto first = static_cast<Eigen::Index>(b * steps);
      walks.row(first) = background.rows.row(static_cast<Eigen::Index>(b));
      for (std::size_t p = 0; p < m; ++p) {
        rng.shuffle(std::span(order));
        std::copy(order.begin(), order.end(), orders.begin() + static_cast<std::ptrdiff_t>((b * m + p) * G));
        Eigen::RowVectorXd current = background.rows.row(static_cast<Eigen::Index>(b));
        for (std::size_t s = 0; s < G; ++s) {
          for (std::size_t f : members[order[s]]) current[static_cast<Eigen::Index>(f)] = X(i, f);
          walks.row(first + static_cast<Eigen::Index>(1 + p * G + s)) = current;
        }
      }
    }
    const Matrix F = raw(FeatureMatrix(walks));
    std::vector<double> phi(G * outputs, 0.0), variance(G * outputs, 0.0), deltas(m * G * outputs);
    for (std::size_t b = 0; b < B; ++b) {
      const std::size_t first = b * steps;
      for (std::size_t p = 0; p < m; ++p) {
        std::size_t previous = first;
        for (std::size_t s = 0; s < G; ++s) {
          const std::size_t at = first + 1 + p * G + s, g = orders[(b * m + p) * G + s];
          for (std::size_t o = 0; o < outputs; ++o)
            deltas[(p * G + g) * outputs + o] = F(static_cast<Eigen::Index>(at), static_cast<Eigen::Index>(o)) -
                                                F(static_cast<Eigen::Index>(previous), static_cast<Eigen::Index>(o));
          previous = at;
        }
      }
      const double w = background.weights[b];
      for (std::size_t k = 0; k < G * outputs; ++k) {
        double mean = 0, spread = 0;
        for (std::size_t p = 0; p < m; ++p) mean += deltas[p * G * outputs + k];
        mean /= static_cast<double>(m);
        for (std::size_t p = 0; p < m; ++p) spread += std::pow(deltas[p * G * outputs + k] - mean, 2);
        phi[k] += w * mean;
        variance[k] += w * w * spread / static_cast<double>(m - 1) / static_cast<double>(m);
      }
    }
    for (std::size_t g = 0; g < G; ++g)
      for (std::size_t o = 0; o < outputs; ++o)
        out.values[o](static_cast<Eigen::Index>(i), static_cast<Eigen::Index>(g)) = phi[g * outputs + o];
    bound[i] = kZ99 * std::sqrt(*std::max_element(variance.begin(), variance.end()));
    progress.tick();
  });
  out.error_bound = n ? *std::max_element(bound.begin(), bound.end()) : 0.0;
  return out;
}

}  // namespace shipml::explain
