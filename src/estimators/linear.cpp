// Least squares, with an L2 penalty on the one-hot category columns
// (category_l2) and optionally on every coefficient (alpha, ridge); never on
// the intercept.
//
// Why one-hot columns are penalised by default: plain least squares (scikit-learn's
// LinearRegression too) fits a category seen in one training row to that row's
// residual, and when numeric columns are (nearly) functions of the category (a
// town's tax rate, its census tract number) the fit splits their effect between
// huge, opposite coefficients on the numbers and the categories, held in balance
// by directions of the design with almost no variance. A category the training
// rows never saw has no coefficient to restore the balance, and its predictions
// are off by orders of magnitude (BostonHousing2: R² -2.8 in 5-fold CV, one fold
// -11.7). A unit penalty per category is one pseudo-row at the mean: a category
// seen in n rows keeps about n/(n + 1) of its effect, one never seen gets none,
// and numeric columns alone are fitted exactly as before.
#include <Eigen/QR>

#include "builtin.hpp"
#include "explain/linear_contributions.hpp"
#include "linear_scores.hpp"
#include "shipml/core/error.hpp"

namespace shipml::builtin {
namespace {

class Linear final : public Estimator {
 public:
  explicit Linear(const Params& p)
      : alpha_(p.real("alpha")), category_l2_(p.real("category_l2")), intercept_on_(p.boolean("fit_intercept")) {}

  // Weighted least squares as scikit-learn's LinearRegression and Ridge: the
  // weighted means are the centre, and each centred row is scaled by the square
  // root of its weight, so the squared residuals are summed with the weights.
  // The penalties are not scaled: a row of weight 2 is two rows.
  void fit(const FeatureMatrix& features, std::span<const double> y_in, int, std::span<const double> weights) override {
    const Matrix X = features.dense();
    const Eigen::Map<const Eigen::VectorXd> y(y_in.data(), static_cast<Eigen::Index>(y_in.size()));
    const Eigen::Map<const Eigen::VectorXd> w(weights.data(), static_cast<Eigen::Index>(weights.size()));
    Eigen::RowVectorXd x_mean = Eigen::RowVectorXd::Zero(X.cols());
    double y_mean = 0;
    if (intercept_on_ && weights.empty()) {
      x_mean = X.colwise().mean();
      y_mean = y.mean();
    } else if (intercept_on_) {
      x_mean = (w.transpose() * X) / w.sum();
      y_mean = w.dot(y) / w.sum();
    }
    Matrix Xc = X.rowwise() - x_mean;
    Eigen::VectorXd yc = y.array() - y_mean;
    if (!weights.empty()) {
      const Eigen::VectorXd root = w.cwiseSqrt();
      Xc = root.asDiagonal() * Xc;
      yc = yc.cwiseProduct(root);
    }
    // The penalty on each coefficient.
    Eigen::VectorXd penalty = Eigen::VectorXd::Constant(X.cols(), alpha_);
    for (Eigen::Index j = 0; j < X.cols(); ++j)
      if (features.info(static_cast<std::size_t>(j)).one_hot) penalty[j] += category_l2_;
    const Eigen::Index penalised = (penalty.array() > 0).count();
    if (penalised == X.cols() && X.cols() > 0) {
      // Every coefficient penalised: the normal equations are positive definite.
      Matrix gram = Xc.transpose() * Xc;
      gram.diagonal() += penalty;
      coef_ = gram.ldlt().solve(Xc.transpose() * yc);
    } else {
      // Some or none: least squares on the rows plus one pseudo-row sqrt(penalty)
      // per penalised coefficient, minimum-norm (as scipy's lstsq) when columns
      // that are not penalised are collinear.
      Matrix A(Xc.rows() + penalised, Xc.cols());
      A.topRows(Xc.rows()) = Xc;
      A.bottomRows(penalised).setZero();
      Eigen::VectorXd b = Eigen::VectorXd::Zero(A.rows());
      b.head(yc.size()) = yc;
      for (Eigen::Index j = 0, r = Xc.rows(); j < X.cols(); ++j)
        if (penalty[j] > 0) A(r++, j) = std::sqrt(penalty[j]);
      coef_ = A.completeOrthogonalDecomposition().solve(b);
    }
    intercept_ = y_mean - x_mean.dot(coef_);
  }

  std::vector<double> predict(const FeatureMatrix& X) const override {
    if (static_cast<Eigen::Index>(X.cols()) != coef_.size())
      throw ModelError("linear: expected " + std::to_string(coef_.size()) + " encoded features");
    const Eigen::VectorXd out = vector_scores(X, coef_).array() + intercept_;
    return {out.data(), out.data() + out.size()};
  }

  void save(BinaryWriter& out) const override {
    out.array(std::vector<double>(coef_.data(), coef_.data() + coef_.size()));
    out.f64(intercept_);
  }

  void load(BinaryReader& in) override {
    const auto coef = in.array<double>();
    coef_ = Eigen::Map<const Eigen::VectorXd>(coef.data(), static_cast<Eigen::Index>(coef.size()));
    intercept_ = in.f64();
  }

  EstimatorShape shape() const override { return {static_cast<std::size_t>(coef_.size()), 0}; }

  std::optional<FeatureContributions> contributions(const FeatureMatrix& X,
                                                    const ContributionRequest& request) const override {
    return explain::linear_contributions(X, coef_, {intercept_}, request, "linear");
  }

  nlohmann::json inspect(const std::vector<std::string>& names, const std::vector<std::string>&) const override {
    nlohmann::json coef = nlohmann::json::object();
    for (Eigen::Index j = 0; j < coef_.size(); ++j)
      coef[j < static_cast<Eigen::Index>(names.size()) ? names[j] : std::to_string(j)] = coef_[j];
    return {{"intercept", intercept_}, {"coefficients", coef}};
  }

 private:
  double alpha_, category_l2_;
  bool intercept_on_;
  Eigen::VectorXd coef_;
  double intercept_ = 0;
};

}  // namespace

EstimatorInfo linear_info() {
  return {
      .name = "linear",
      .summary = "Least-squares linear regression; L2 penalty on category columns, optional ridge on all",
      .tasks = {Task::regression},
      .encoding = InputEncoding::one_hot_scaled,
      .params =
          {
              real_param("alpha", 0.0, 0.0, "L2 penalty on every coefficient (0 = none: ordinary least squares)"),
              real_param("category_l2", 1.0, 0.0,
                         "L2 penalty on each one-hot category column, added to alpha: a category seen in n rows "
                         "keeps about n/(n + category_l2) of its effect (0 = none, as LinearRegression)"),
              bool_param("fit_intercept", true, "learn an intercept"),
          },
      .create = [](const Params& p, Task) { return std::make_unique<Linear>(p); },
  };
}

}  // namespace shipml::builtin