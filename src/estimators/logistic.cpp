// L2-penalised logistic regression: sigmoid for two classes, softmax (multinomial)
// for more, solved with L-BFGS. Same objective as scikit-learn's lbfgs solver:
// mean log loss + ||W||² / (2·C·n), intercept not penalised. With weights each
// row's loss counts its weight times (Σ w·loss / n + ||W||² / (2·C·n)), as
// scikit-learn's sum of weighted losses + ||W||² / (2·C): the penalty does not
// change, so a row of weight 2 is two rows.
#include <cmath>

#include "builtin.hpp"
#include "explain/linear_contributions.hpp"
#include "lbfgs.hpp"
#include "linear_scores.hpp"
#include "shipml/core/error.hpp"

namespace shipml::builtin {
namespace {

class Logistic final : public Estimator {
 public:
  explicit Logistic(const Params& p)
      : C_(p.real("C")),
        intercept_on_(p.boolean("fit_intercept")), options_{.max_iter = static_cast<int>(p.integer("max_iter")),
                                                            .tol = p.real("tol")} {}

  void fit(const FeatureMatrix& features, std::span<const double> y, int n_classes,
           std::span<const double> weights) override {
    const Matrix X = features.dense();
    const Eigen::Index n = X.rows(), d = X.cols();
    // Unweighted rows weigh 1: products with 1 are exact, so unweighted fits are as before.
    Eigen::VectorXd row_weight = Eigen::VectorXd::Ones(n);
    if (!weights.empty()) row_weight = Eigen::Map<const Eigen::VectorXd>(weights.data(), n);
    n_classes_ = n_classes;
    const Eigen::Index k = n_classes == 2 ? 1 : n_classes;  // binary: one weight vector
    Matrix target = Matrix::Zero(n, k);
    for (Eigen::Index i = 0; i < n; ++i) {
      const auto c = static_cast<Eigen::Index>(y[static_cast<std::size_t>(i)]);
      if (k == 1) target(i, 0) = static_cast<double>(c);
      else target(i, c) = 1.0;
    }
    const double penalty = 1.0 / (C_ * static_cast<double>(n));
    Eigen::VectorXd w = Eigen::VectorXd::Zero((d + 1) * k);  // column c: d weights then the intercept
    auto objective = [&](const Eigen::VectorXd& theta, Eigen::VectorXd& grad) {
      const Eigen::Map<const Matrix> W(theta.data(), d + 1, k);
      Matrix Z = X * W.topRows(d);
      if (intercept_on_) Z.rowwise() += W.row(d);
      double loss = 0;
      Matrix residual(n, k);
      if (k == 1) {
        for (Eigen::Index i = 0; i < n; ++i) {
          const double z = Z(i, 0);
          loss += row_weight[i] * ((z > 0 ? z + std::log1p(std::exp(-z)) : std::log1p(std::exp(z))) - target(i, 0) * z);
          residual(i, 0) = row_weight[i] * (1.0 / (1.0 + std::exp(-z)) - target(i, 0));
        }
      } else {
        for (Eigen::Index i = 0; i < n; ++i) {
          const double top = Z.row(i).maxCoeff();
          const double lse = top + std::log((Z.row(i).array() - top).exp().sum());
          loss += row_weight[i] * (lse - (Z.row(i).array() * target.row(i).array()).sum());
          residual.row(i) = row_weight[i] * ((Z.row(i).array() - lse).exp().matrix() - target.row(i));
        }
      }
      const double inv_n = 1.0 / static_cast<double>(n);
      Eigen::Map<Matrix> G(grad.data(), d + 1, k);
      G.topRows(d) = X.transpose() * residual * inv_n + penalty * W.topRows(d);
      G.row(d) = intercept_on_ ? Eigen::RowVectorXd(residual.colwise().sum() * inv_n) : Eigen::RowVectorXd::Zero(k);
      return loss * inv_n + 0.5 * penalty * W.topRows(d).squaredNorm();
    };
    const LbfgsResult r = minimize_lbfgs(objective, w, options_);
    iterations_ = r.iterations;
    converged_ = r.converged;
    weights_ = Eigen::Map<const Matrix>(w.data(), d + 1, k);
  }

  Matrix predict_proba(const FeatureMatrix& features) const override {
    const Eigen::Index d = weights_.rows() - 1;
    if (static_cast<Eigen::Index>(features.cols()) != d)
      throw ModelError("logistic: expected " + std::to_string(d) + " encoded features");
    Matrix Z = linear_scores(features, weights_.topRows(d));
    Z.rowwise() += weights_.row(d);
    Matrix P(Z.rows(), n_classes_);
    if (weights_.cols() == 1) {
      P.col(1) = (1.0 + (-Z.col(0).array()).exp()).inverse();
      P.col(0) = 1.0 - P.col(1).array();
      return P;
    }
    for (Eigen::Index i = 0; i < Z.rows(); ++i) {
      const Eigen::RowVectorXd e = (Z.row(i).array() - Z.row(i).maxCoeff()).exp();
      P.row(i) = e / e.sum();
    }
    return P;
  }

  void save(BinaryWriter& out) const override {
    out.u32(static_cast<std::uint32_t>(n_classes_));
    out.u32(static_cast<std::uint32_t>(iterations_));
    out.u8(converged_);
    out.u64(static_cast<std::uint64_t>(weights_.rows()));
    out.array(std::vector<double>(weights_.data(), weights_.data() + weights_.size()));
  }

  void load(BinaryReader& in) override {
    n_classes_ = stored_class_count(in.u32(), "logistic");
    iterations_ = static_cast<int>(in.u32());
    converged_ = in.u8() != 0;
    const auto rows = static_cast<Eigen::Index>(in.u64());
    const auto w = in.array<double>();
    const Eigen::Index k = n_classes_ == 2 ? 1 : n_classes_;
    // Checked by division: a crafted file's sizes must not overflow a product.
    if (n_classes_ < 2 || rows < 1 || w.size() % static_cast<std::size_t>(k) != 0 ||
        static_cast<Eigen::Index>(w.size() / static_cast<std::size_t>(k)) != rows)
      BinaryReader::fail("logistic weights do not match their shape");
    weights_ = Eigen::Map<const Matrix>(w.data(), rows, k);
  }

  // The margins: log-odds of the second class (two classes), each class's
  // softmax score (more).
  Matrix raw_output(const FeatureMatrix& features) const override {
    const Eigen::Index d = weights_.rows() - 1;
    if (static_cast<Eigen::Index>(features.cols()) != d)
      throw ModelError("logistic: expected " + std::to_string(d) + " encoded features");
    Matrix Z = linear_scores(features, weights_.topRows(d));
    Z.rowwise() += weights_.row(d);
    return Z;
  }

  std::optional<FeatureContributions> contributions(const FeatureMatrix& X,
                                                    const ContributionRequest& request) const override {
    const Eigen::Index d = weights_.rows() - 1;
    const Eigen::RowVectorXd intercepts = weights_.row(d);
    return explain::linear_contributions(
        X, weights_.topRows(d), {intercepts.data(), intercepts.data() + intercepts.size()}, request, "logistic");
  }

  EstimatorShape shape() const override {
    const Eigen::Index features = std::max<Eigen::Index>(weights_.rows() - 1, 0);  // the last row: intercepts
    return {static_cast<std::size_t>(features), static_cast<std::size_t>(n_classes_)};
  }

  nlohmann::json inspect(const std::vector<std::string>& names,
                         const std::vector<std::string>& classes) const override {
    const Eigen::Index d = weights_.rows() - 1;
    auto label = [&](Eigen::Index c) {
      // Binary models have one weight vector: the log-odds of the second class.
      const auto k = static_cast<std::size_t>(weights_.cols() == 1 ? 1 : c);
      return k < classes.size() ? classes[k] : std::to_string(k);
    };
    nlohmann::json coef = nlohmann::json::object(), intercept = nlohmann::json::object();
    for (Eigen::Index c = 0; c < weights_.cols(); ++c) {
      nlohmann::json row = nlohmann::json::object();
      for (Eigen::Index j = 0; j < d; ++j)
        row[j < static_cast<Eigen::Index>(names.size()) ? names[j] : std::to_string(j)] = weights_(j, c);
      coef[label(c)] = row;
      intercept[label(c)] = weights_(d, c);
    }
    return {{"coefficients", coef}, {"intercepts", intercept}, {"iterations", iterations_}, {"converged", converged_}};
  }

 private:
  double C_;
  bool intercept_on_;
  LbfgsOptions options_;
  int n_classes_ = 0;
  int iterations_ = 0;
  bool converged_ = false;
  Matrix weights_;  // (features + 1) x (1 or classes); the last row holds intercepts
};

}  // namespace

EstimatorInfo logistic_info() {
  return {
      .name = "logistic",
      .summary = "Logistic regression (binary or multinomial) with L2 penalty, solved by L-BFGS",
      .tasks = {Task::classification},
      .encoding = InputEncoding::one_hot_scaled,
      .params =
          {
              real_param("C", 1.0, 0.0, "inverse of the L2 penalty strength (smaller = stronger)", true),
              int_param("max_iter", 1000, 1, "largest number of L-BFGS iterations"),
              real_param("tol", 1e-6, 0.0, "stop when every gradient entry is at most this", true),
              bool_param("fit_intercept", true, "learn an intercept per class"),
          },
      .create = [](const Params& p, Task) { return std::make_unique<Logistic>(p); },
  };
}

}  // namespace shipml::builtin
