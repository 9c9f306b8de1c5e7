// Least squares, with optional L2 (ridge) penalty on the coefficients (never the intercept).
#include <Eigen/QR>

#include "builtin.hpp"
#include "shipml/core/error.hpp"

namespace shipml::builtin {
namespace {

class Linear final : public Estimator {
 public:
  explicit Linear(const Params& p) : alpha_(p.real("alpha")), intercept_on_(p.boolean("fit_intercept")) {}

  void fit(const FeatureMatrix& features, std::span<const double> y_in, int) override {
    const Matrix X = features.dense();
    const Eigen::Map<const Eigen::VectorXd> y(y_in.data(), static_cast<Eigen::Index>(y_in.size()));
    Eigen::RowVectorXd x_mean = Eigen::RowVectorXd::Zero(X.cols());
    double y_mean = 0;
    if (intercept_on_) {
      x_mean = X.colwise().mean();
      y_mean = y.mean();
    }
    const Matrix Xc = X.rowwise() - x_mean;
    const Eigen::VectorXd yc = y.array() - y_mean;
    if (alpha_ == 0) {
      // Minimum-norm solution, as scipy's lstsq gives: stable when one-hot
      // columns make the design rank-deficient.
      coef_ = Xc.completeOrthogonalDecomposition().solve(yc);
    } else {
      Matrix gram = Xc.transpose() * Xc;
      gram.diagonal().array() += alpha_;
      coef_ = gram.ldlt().solve(Xc.transpose() * yc);
    }
    intercept_ = y_mean - x_mean.dot(coef_);
  }

  std::vector<double> predict(const FeatureMatrix& X) const override {
    if (static_cast<Eigen::Index>(X.cols()) != coef_.size())
      throw ModelError("linear: expected " + std::to_string(coef_.size()) + " encoded features");
    const Eigen::VectorXd out = (X.dense() * coef_).array() + intercept_;
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

  nlohmann::json inspect(const std::vector<std::string>& names, const std::vector<std::string>&) const override {
    nlohmann::json coef = nlohmann::json::object();
    for (Eigen::Index j = 0; j < coef_.size(); ++j)
      coef[j < static_cast<Eigen::Index>(names.size()) ? names[j] : std::to_string(j)] = coef_[j];
    return {{"intercept", intercept_}, {"coefficients", coef}};
  }

 private:
  double alpha_;
  bool intercept_on_;
  Eigen::VectorXd coef_;
  double intercept_ = 0;
};

}  // namespace

EstimatorInfo linear_info() {
  return {
      .name = "linear",
      .summary = "Least-squares linear regression, with optional L2 (ridge) penalty",
      .tasks = {Task::regression},
      .encoding = InputEncoding::one_hot_scaled,
      .params =
          {
              real_param("alpha", 0.0, 0.0, "L2 penalty on the coefficients (0 = ordinary least squares)"),
              bool_param("fit_intercept", true, "learn an intercept"),
          },
      .create = [](const Params& p, Task) { return std::make_unique<Linear>(p); },
  };
}

}  // namespace shipml::builtin
