#pragma once
// Limited-memory BFGS with a backtracking (Armijo) line search: the quasi-Newton
// solver scikit-learn's LogisticRegression uses by default.
#include <Eigen/Dense>
#include <functional>

namespace shipml {

struct LbfgsOptions {
  int max_iter = 1000;
  double tol = 1e-6;  // stop when the largest gradient entry is at most this
  int memory = 10;
};

struct LbfgsResult {
  int iterations = 0;
  bool converged = false;
  double value = 0;
};

/// Minimises f, which returns f(x) and writes its gradient. `x` is the start and the result.
using Objective = std::function<double(const Eigen::VectorXd& x, Eigen::VectorXd& grad)>;
LbfgsResult minimize_lbfgs(const Objective& f, Eigen::VectorXd& x, const LbfgsOptions& options);

}  // namespace shipml
