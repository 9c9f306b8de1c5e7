#pragma once
// The few special functions univariate tests need: p-values of the F and
// chi-squared distributions (regularised incomplete beta and gamma functions,
// by Lentz's continued fraction and the series, as in Numerical Recipes ch. 6)
// and the digamma function for the nearest-neighbour mutual-information estimators.
#include <cmath>
#include <limits>

namespace shipml::special {

// Continued fraction for the incomplete beta function (modified Lentz).
inline double beta_fraction(double a, double b, double x) {
  constexpr double tiny = 1e-300, eps = 1e-15;
  double c = 1, d = 1 - (a + b) * x / (a + 1);
  if (std::abs(d) < tiny) d = tiny;
  d = 1 / d;
  double h = d;
  for (int m = 1; m <= 10000; ++m) {
    const double m2 = 2.0 * m;
    double aa = m * (b - m) * x / ((a + m2 - 1) * (a + m2));
    d = 1 + aa * d;
    if (std::abs(d) < tiny) d = tiny;
    c = 1 + aa / c;
    if (std::abs(c) < tiny) c = tiny;
    d = 1 / d;
    h *= d * c;
    aa = -(a + m) * (a + b + m) * x / ((a + m2) * (a + m2 + 1));
    d = 1 + aa * d;
    if (std::abs(d) < tiny) d = tiny;
    c = 1 + aa / c;
    if (std::abs(c) < tiny) c = tiny;
    d = 1 / d;
    const double step = d * c;
    h *= step;
    if (std::abs(step - 1) < eps) break;
  }
  return h;
}

/// I_x(a, b), the regularised incomplete beta function.
inline double incomplete_beta(double a, double b, double x) {
  if (x <= 0) return 0;
  if (x >= 1) return 1;
  const double front =
      std::exp(std::lgamma(a + b) - std::lgamma(a) - std::lgamma(b) + a * std::log(x) + b * std::log1p(-x));
  if (x < (a + 1) / (a + b + 2)) return front * beta_fraction(a, b, x) / a;
  return 1 - front * beta_fraction(b, a, 1 - x) / b;
}

/// Q(a, x) = Γ(a, x) / Γ(a), the upper regularised incomplete gamma function.
inline double upper_incomplete_gamma(double a, double x) {
  if (x <= 0) return 1;
  const double log_front = a * std::log(x) - x - std::lgamma(a);
  if (x < a + 1) {  // series for P, then Q = 1 - P
    double sum = 1 / a, term = sum;
    for (int n = 1; n < 10000; ++n) {
      term *= x / (a + n);
      sum += term;
      if (std::abs(term) < std::abs(sum) * 1e-16) break;
    }
    return 1 - sum * std::exp(log_front);
  }
  constexpr double tiny = 1e-300;  // continued fraction for Q (modified Lentz)
  double b = x + 1 - a, c = 1 / tiny, d = 1 / b, h = d;
  for (int i = 1; i < 10000; ++i) {
    const double an = -i * (i - a);
    b += 2;
    d = an * d + b;
    if (std::abs(d) < tiny) d = tiny;
    c = b + an / c;
    if (std::abs(c) < tiny) c = tiny;
    d = 1 / d;
    const double step = d * c;
    h *= step;
    if (std::abs(step - 1) < 1e-16) break;
  }
  return std::exp(log_front) * h;
}

/// P(F > f) for the F distribution with (d1, d2) degrees of freedom.
inline double f_survival(double f, double d1, double d2) {
  if (std::isnan(f)) return std::numeric_limits<double>::quiet_NaN();
  if (f <= 0) return 1;
  if (std::isinf(f)) return 0;
  return incomplete_beta(d2 / 2, d1 / 2, d2 / (d2 + d1 * f));
}

/// P(X > x) for the chi-squared distribution with k degrees of freedom.
inline double chi2_survival(double x, double k) {
  if (std::isnan(x)) return std::numeric_limits<double>::quiet_NaN();
  return upper_incomplete_gamma(k / 2, x / 2);
}

/// ψ(x) for x > 0: recurrence up to 6, then the asymptotic series.
inline double digamma(double x) {
  double result = 0;
  while (x < 6) {
    result -= 1 / x;
    x += 1;
  }
  const double f = 1 / (x * x);
  return result + std::log(x) - 0.5 / x -
         f * (1.0 / 12 - f * (1.0 / 120 - f * (1.0 / 252 - f * (1.0 / 240 - f * (1.0 / 132)))));
}

}  // namespace shipml::special
