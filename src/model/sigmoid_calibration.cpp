// Platt's sigmoid calibration, p = 1 / (1 + exp(a·s + b)), fitted as
// scikit-learn's _sigmoid_calibration defines it: the targets carry Platt's
// prior correction, and (a, b) minimise the cross-entropy against them.
// scikit-learn stops BFGS at a gradient norm of 1e-5; Newton's method here runs
// to the optimum itself, so two fits of the same scores agree to the last bits
// instead of to the solver's tolerance.
#include <algorithm>
#include <cmath>

#include "shipml/core/error.hpp"
#include "shipml/model/calibration.hpp"

namespace shipml {
namespace {

// ln(1 + exp(z)) without overflow.
double softplus(double z) { return z > 0 ? z + std::log1p(std::exp(-z)) : std::log1p(std::exp(z)); }

struct PlattProblem {
  std::span<const double> score;
  std::vector<double> target;  // Platt's corrected 0/1 labels

  // Cross-entropy of the targets against p = 1 / (1 + exp(z)), z = a·s + b:
  // −[t ln p + (1 − t) ln(1 − p)] = t·softplus(z) + (1 − t)·softplus(−z).
  double loss(double a, double b) const {
    double total = 0;
    for (std::size_t i = 0; i < score.size(); ++i) {
      const double z = a * score[i] + b;
      total += target[i] * softplus(z) + (1 - target[i]) * softplus(-z);
    }
    return total;
  }
};

}  // namespace

SigmoidCalibration SigmoidCalibration::fit(std::span<const double> score, std::span<const int> positive) {
  if (score.empty() || score.size() != positive.size())
    throw DataError("sigmoid calibration needs as many labels as scores, and at least one");
  double prior1 = 0;
  for (int p : positive) prior1 += p > 0 ? 1 : 0;
  const double prior0 = static_cast<double>(score.size()) - prior1;
  // Platt's Bayesian targets (his section 2.2): never exactly 0 or 1, so the
  // fit does not chase separable scores to an infinite slope.
  PlattProblem problem{score, {}};
  for (int p : positive) problem.target.push_back(p > 0 ? (prior1 + 1) / (prior1 + 2) : 1 / (prior0 + 2));

  SigmoidCalibration m{0, std::log((prior0 + 1) / (prior1 + 1))};  // scikit-learn's starting point
  double current = problem.loss(m.a, m.b);
  const double tolerance = 1e-12 * static_cast<double>(score.size());
  for (int iteration = 0; iteration < 200; ++iteration) {
    double ga = 0, gb = 0, haa = 0, hab = 0, hbb = 0;
    for (std::size_t i = 0; i < score.size(); ++i) {
      const double s = score[i], p = 1 / (1 + std::exp(m.a * s + m.b));
      const double d = problem.target[i] - p, w = p * (1 - p);
      ga += d * s, gb += d;
      haa += w * s * s, hab += w * s, hbb += w;
    }
    if (std::max(std::abs(ga), std::abs(gb)) <= tolerance) break;
    // A tiny ridge keeps the step defined when every score is the same (then
    // only a·s + b matters, and any point of that line is the optimum).
    haa += 1e-12, hbb += 1e-12;
    const double det = haa * hbb - hab * hab;
    const double da = -(hbb * ga - hab * gb) / det, db = -(haa * gb - hab * ga) / det;
    const double slope = ga * da + gb * db;  // negative: a descent direction
    if (!(slope < 0)) break;
    double step = 1, next = problem.loss(m.a + da, m.b + db);
    while (next > current + 1e-4 * step * slope && step > 1e-12) {
      step /= 2;
      next = problem.loss(m.a + step * da, m.b + step * db);
    }
    if (!(next <= current)) break;  // no step improves: at the optimum to rounding
    m.a += step * da, m.b += step * db;
    current = next;
  }
  return m;
}

double SigmoidCalibration::operator()(double s) const { return 1.0 / (1.0 + std::exp(a * s + b)); }

}  // namespace shipml
