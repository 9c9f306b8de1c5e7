#include "lbfgs.hpp"

#include <cmath>
#include <deque>

#include "shipml/core/interrupt.hpp"

namespace shipml {

LbfgsResult minimize_lbfgs(const Objective& f, Eigen::VectorXd& x, const LbfgsOptions& options) {
  Eigen::VectorXd g(x.size()), g_new(x.size()), x_new(x.size());
  double fx = f(x, g);
  std::deque<Eigen::VectorXd> s_hist, y_hist;
  std::deque<double> rho_hist;
  LbfgsResult result;
  for (result.iterations = 0; result.iterations < options.max_iter; ++result.iterations) {
    throw_if_stopped("the L-BFGS solver");
    if (g.lpNorm<Eigen::Infinity>() <= options.tol) {
      result.converged = true;
      break;
    }
    // Two-loop recursion: d = -H g.
    Eigen::VectorXd d = -g;
    std::vector<double> alpha(s_hist.size());
    for (std::size_t i = s_hist.size(); i-- > 0;) {
      alpha[i] = rho_hist[i] * s_hist[i].dot(d);
      d -= alpha[i] * y_hist[i];
    }
    if (!s_hist.empty()) d *= s_hist.back().dot(y_hist.back()) / y_hist.back().squaredNorm();
    for (std::size_t i = 0; i < s_hist.size(); ++i) {
      const double beta = rho_hist[i] * y_hist[i].dot(d);
      d += (alpha[i] - beta) * s_hist[i];
    }
    double slope = g.dot(d);
    if (slope >= 0) {  // not a descent direction: restart from steepest descent
      s_hist.clear(), y_hist.clear(), rho_hist.clear();
      d = -g;
      slope = -g.squaredNorm();
    }
    double step = s_hist.empty() ? std::min(1.0, 1.0 / g.norm()) : 1.0;
    double f_new = 0;
    bool moved = false;
    for (int tries = 0; tries < 60; ++tries, step *= 0.5) {
      x_new = x + step * d;
      f_new = f(x_new, g_new);
      if (std::isfinite(f_new) && f_new <= fx + 1e-4 * step * slope) {
        moved = true;
        break;
      }
    }
    if (!moved) break;  // no decrease possible at machine precision
    Eigen::VectorXd s = x_new - x, y = g_new - g;
    const double sy = s.dot(y);
    if (sy > 1e-12 * y.squaredNorm()) {
      if (static_cast<int>(s_hist.size()) == options.memory)
        s_hist.pop_front(), y_hist.pop_front(), rho_hist.pop_front();
      s_hist.push_back(std::move(s));
      y_hist.push_back(std::move(y));
      rho_hist.push_back(1.0 / sy);
    }
    const double previous = fx;
    x.swap(x_new);
    g.swap(g_new);
    fx = f_new;
    if (std::abs(previous - fx) <= 1e-16 * std::max(1.0, std::abs(fx)) &&
        g.lpNorm<Eigen::Infinity>() <= options.tol * 10) {
      result.converged = true;
      break;
    }
  }
  if (!result.converged && g.lpNorm<Eigen::Infinity>() <= options.tol) result.converged = true;
  result.value = fx;
  return result;
}

}  // namespace shipml
