// Elastic net and lasso: least squares with L1 and L2 penalties, by cyclic
// coordinate descent, as scikit-learn's ElasticNet/Lasso define them:
//   1/(2n) ||y - Xw - b||² + alpha·l1_ratio·||w||₁ + alpha·(1 - l1_ratio)/2·||w||²
// with the same stopping rule (the duality gap below tol·||y||²). The path from
// the smallest alpha that zeroes every coefficient down to the one asked for is
// walked with warm starts: each solution starts the next, which is how
// coordinate descent is fast for small penalties. Weights follow scikit-learn's
// ElasticNet: rescaled to sum to n, then the weighted means centre the data
// and each row is scaled by the root of its weight, so the squared error is
// weighted and alpha keeps its meaning whatever the weights' scale.
#include <cmath>

#include "builtin.hpp"
#include "explain/linear_contributions.hpp"
#include "linear_scores.hpp"
#include "shipml/core/error.hpp"
#include "shipml/core/interrupt.hpp"

namespace shipml::builtin {
namespace {

class ElasticNet final : public Estimator {
 public:
  ElasticNet(const Params& p, double l1_ratio)
      : alpha_(p.real("alpha")), l1_ratio_(l1_ratio), intercept_on_(p.boolean("fit_intercept")),
        max_iter_(static_cast<int>(p.integer("max_iter"))), tol_(p.real("tol")),
        path_steps_(static_cast<int>(p.integer("path_steps"))) {}

  void fit(const FeatureMatrix& X, std::span<const double> y_in, int, std::span<const double> weights) override {
    const std::size_t n = X.rows(), d = X.cols();
    const double nn = static_cast<double>(n);
    // Weights summing to n (1 each when none are given: products with 1 are
    // exact, so unweighted fits are as before), and their roots.
    std::vector<double> w(n, 1.0), root(n, 1.0);
    if (!weights.empty()) {
      double total = 0;
      for (double v : weights) total += v;
      for (std::size_t i = 0; i < n; ++i) w[i] = weights[i] * (nn / total), root[i] = std::sqrt(w[i]);
    }
    // Centred, row-scaled copies of the columns and the target: the intercept is not penalised.
    std::vector<std::vector<double>> cols(d, std::vector<double>(n));
    mean_.assign(d, 0.0);
    double y_mean = 0;
    for (std::size_t j = 0; j < d; ++j) {
      const double* c = X.column(j);
      if (intercept_on_)
        for (std::size_t i = 0; i < n; ++i) mean_[j] += w[i] * c[i] / nn;
      for (std::size_t i = 0; i < n; ++i) cols[j][i] = (c[i] - mean_[j]) * root[i];
    }
    std::vector<double> y(y_in.begin(), y_in.end());
    if (intercept_on_)
      for (std::size_t i = 0; i < n; ++i) y_mean += w[i] * y[i] / nn;
    for (std::size_t i = 0; i < n; ++i) y[i] = (y[i] - y_mean) * root[i];
    std::vector<double> norm(d, 0.0);
    for (std::size_t j = 0; j < d; ++j)
      for (double v : cols[j]) norm[j] += v * v;

    // alpha_max: the smallest penalty with every coefficient zero.
    double alpha_max = 0;
    for (std::size_t j = 0; j < d; ++j) {
      double xy = 0;
      for (std::size_t i = 0; i < n; ++i) xy += cols[j][i] * y[i];
      alpha_max = std::max(alpha_max, std::abs(xy) / (nn * std::max(l1_ratio_, 1e-3)));
    }
    coef_.assign(d, 0.0);
    std::vector<double> residual = y;  // y - Xw with w = 0
    iterations_ = 0;
    const int steps = alpha_ < alpha_max && path_steps_ > 1 ? path_steps_ : 1;
    for (int s = 0; s < steps; ++s) {
      const double a =
          steps == 1 ? alpha_ : alpha_max * std::pow(alpha_ / alpha_max, static_cast<double>(s + 1) / steps);
      iterations_ += descend(cols, norm, y, residual, a);
    }
    intercept_ = y_mean;
    for (std::size_t j = 0; j < d; ++j) intercept_ -= mean_[j] * coef_[j];
  }

  std::vector<double> predict(const FeatureMatrix& X) const override {
    if (X.cols() != coef_.size())
      throw ModelError("elastic_net: expected " + std::to_string(coef_.size()) + " encoded features");
    return sparse_linear_scores(X, coef_, intercept_);
  }

  void save(BinaryWriter& out) const override {
    out.array(coef_);
    out.f64(intercept_);
    out.u64(static_cast<std::uint64_t>(iterations_));
    out.f64(gap_);
  }

  void load(BinaryReader& in) override {
    coef_ = in.array<double>();
    intercept_ = in.f64();
    iterations_ = static_cast<int>(in.u64());
    gap_ = in.f64();
  }

  EstimatorShape shape() const override { return {coef_.size(), 0}; }

  std::optional<FeatureContributions> contributions(const FeatureMatrix& X,
                                                    const ContributionRequest& request) const override {
    const Matrix coef = Eigen::Map<const Eigen::VectorXd>(coef_.data(), static_cast<Eigen::Index>(coef_.size()));
    return explain::linear_contributions(X, coef, {intercept_}, request, "elastic_net");
  }

  nlohmann::json inspect(const std::vector<std::string>& names, const std::vector<std::string>&) const override {
    nlohmann::json coef = nlohmann::json::object();
    std::size_t nonzero = 0;
    for (std::size_t j = 0; j < coef_.size(); ++j) {
      coef[j < names.size() ? names[j] : std::to_string(j)] = coef_[j];
      nonzero += coef_[j] != 0;
    }
    return {{"intercept", intercept_},
            {"coefficients", coef},
            {"nonzero_coefficients", nonzero},
            {"iterations", iterations_},
            {"duality_gap", gap_}};
  }

 private:
  // Coordinate descent at penalty `alpha` from the current coefficients
  // (scikit-learn's enet_coordinate_descent); returns the passes made.
  int descend(const std::vector<std::vector<double>>& cols, const std::vector<double>& norm,
              const std::vector<double>& y, std::vector<double>& residual, double alpha) {
    const std::size_t n = y.size(), d = cols.size();
    const double nn = static_cast<double>(n);
    const double l1 = alpha * l1_ratio_ * nn, l2 = alpha * (1 - l1_ratio_) * nn;
    double y_norm2 = 0;
    for (double v : y) y_norm2 += v * v;
    const double tol = tol_ * y_norm2;
    for (int pass = 1; pass <= max_iter_; ++pass) {
      throw_if_stopped("coordinate descent");
      double w_max = 0, dw_max = 0;
      for (std::size_t j = 0; j < d; ++j) {
        if (norm[j] == 0) continue;
        const double old = coef_[j];
        const double* x = cols[j].data();
        double rho = 0;
        for (std::size_t i = 0; i < n; ++i) rho += x[i] * residual[i];
        rho += norm[j] * old;
        const double w = std::copysign(std::max(std::abs(rho) - l1, 0.0), rho) / (norm[j] + l2);
        if (w != old) {
          const double delta = w - old;
          for (std::size_t i = 0; i < n; ++i) residual[i] -= delta * x[i];
          coef_[j] = w;
        }
        dw_max = std::max(dw_max, std::abs(w - old));
        w_max = std::max(w_max, std::abs(w));
      }
      if (w_max == 0 || dw_max / w_max < tol_ || pass == max_iter_) {
        gap_ = duality_gap(cols, y, residual, l1, l2);
        if (gap_ < tol) return pass;
      }
    }
    return max_iter_;
  }

  double duality_gap(const std::vector<std::vector<double>>& cols, const std::vector<double>& y,
                     const std::vector<double>& residual, double l1, double l2) const {
    double dual_norm = 0, r2 = 0, w2 = 0, w1 = 0, ry = 0;
    for (std::size_t j = 0; j < cols.size(); ++j) {
      double xr = 0;
      for (std::size_t i = 0; i < y.size(); ++i) xr += cols[j][i] * residual[i];
      dual_norm = std::max(dual_norm, std::abs(xr - l2 * coef_[j]));
      w2 += coef_[j] * coef_[j];
      w1 += std::abs(coef_[j]);
    }
    for (std::size_t i = 0; i < y.size(); ++i) r2 += residual[i] * residual[i], ry += residual[i] * y[i];
    double scale = 1, gap = r2;
    if (dual_norm > l1) {
      scale = l1 / dual_norm;
      gap = 0.5 * (r2 + r2 * scale * scale);
    }
    return gap + l1 * w1 - scale * ry + 0.5 * l2 * (1 + scale * scale) * w2;
  }

  double alpha_, l1_ratio_;
  bool intercept_on_;
  int max_iter_;
  double tol_;
  int path_steps_;
  std::vector<double> coef_, mean_;
  double intercept_ = 0, gap_ = 0;
  int iterations_ = 0;
};

std::vector<ParamSpec> common_params() {
  return {
      real_param("alpha", 1.0, 0.0, "penalty strength (scikit-learn's alpha)", true),
      bool_param("fit_intercept", true, "learn an intercept (not penalised)"),
      int_param("max_iter", 1000, 1, "coordinate-descent passes at most, per step of the path"),
      real_param("tol", 1e-4, 0.0, "stop when the duality gap is below tol x ||y||²", true),
      int_param("path_steps", 8, 1,
                "penalties walked down from the one that zeroes everything, warm-starting (1 = none)"),
  };
}

}  // namespace

EstimatorInfo elastic_net_info() {
  auto params = common_params();
  params.insert(params.begin() + 1, real_param("l1_ratio", 0.5, 0.0, "mix of L1 (1) and L2 (0) penalties", false, 1.0));
  return {
      .name = "elastic_net",
      .summary = "Linear regression with L1 and L2 penalties, by coordinate descent",
      .tasks = {Task::regression},
      .encoding = InputEncoding::one_hot_scaled,
      .params = params,
      .create = [](const Params& p, Task) { return std::make_unique<ElasticNet>(p, p.real("l1_ratio")); },
  };
}

EstimatorInfo lasso_info() {
  return {
      .name = "lasso",
      .summary = "Linear regression with an L1 penalty (sparse coefficients), by coordinate descent",
      .tasks = {Task::regression},
      .encoding = InputEncoding::one_hot_scaled,
      .params = common_params(),
      .create = [](const Params& p, Task) { return std::make_unique<ElasticNet>(p, 1.0); },
  };
}

}  // namespace shipml::builtin
