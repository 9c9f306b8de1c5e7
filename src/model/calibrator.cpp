// A calibrator: one map per class against the rest, what it reads from the
// learner's probabilities, and how its calibrated columns become probabilities
// again (scikit-learn's _CalibratedClassifier.predict_proba).
#include <cfloat>
#include <cmath>

#include "shipml/core/error.hpp"
#include "shipml/core/names.hpp"
#include "shipml/model/calibration.hpp"

namespace shipml {

const char* to_string(CalibrationMethod method) {
  return method == CalibrationMethod::sigmoid ? "sigmoid" : "isotonic";
}

CalibrationMethod parse_calibration_method(const std::string& text) {
  if (text == "sigmoid") return CalibrationMethod::sigmoid;
  if (text == "isotonic") return CalibrationMethod::isotonic;
  throw UsageError("unknown calibration method '" + echoed(text) + "' (methods: sigmoid, isotonic)");
}

const char* to_string(CalibrationInput input) {
  return input == CalibrationInput::probability ? "probability" : "log_odds";
}

CalibrationInput parse_calibration_input(const std::string& text) {
  if (text == "probability") return CalibrationInput::probability;
  if (text == "log_odds") return CalibrationInput::log_odds;
  throw ModelError("unknown calibration input '" + echoed(text) + "' (inputs: probability, log_odds)");
}

CalibrationInput calibration_input_for(const std::string& estimator) {
  // scikit-learn's CalibratedClassifierCV reads decision_function when the
  // estimator has one. Among shipml's learners the logistic regression and
  // the gradient boosting have one in scikit-learn, and their probabilities
  // are a sigmoid or softmax of it, so it is recovered from them.
  return estimator == "logistic" || estimator == "hist_gbdt" ? CalibrationInput::log_odds
                                                             : CalibrationInput::probability;
}

Matrix calibration_scores(const Matrix& proba, CalibrationInput input) {
  const Eigen::Index rows = proba.rows(), k = proba.cols();
  if (input == CalibrationInput::probability) return k == 2 ? Matrix(proba.col(1)) : proba;
  // ln of a probability below the resolution of one near 1 says more about
  // rounding than about the row: the floor keeps the scores finite.
  auto ln = [](double p) { return std::log(std::max(p, DBL_EPSILON)); };
  if (k == 2) {
    Matrix out(rows, 1);
    for (Eigen::Index i = 0; i < rows; ++i) out(i, 0) = ln(proba(i, 1)) - ln(proba(i, 0));
    return out;
  }
  Matrix out(rows, k);
  for (Eigen::Index i = 0; i < rows; ++i) {
    double mean = 0;
    for (Eigen::Index c = 0; c < k; ++c) mean += out(i, c) = ln(proba(i, c));
    mean /= static_cast<double>(k);
    for (Eigen::Index c = 0; c < k; ++c) out(i, c) -= mean;
  }
  return out;
}

Calibrator Calibrator::fit(CalibrationMethod method, CalibrationInput input, const Matrix& scores,
                           std::span<const int> y, std::size_t n_classes) {
  Calibrator c;
  c.method_ = method;
  c.input_ = input;
  c.n_classes_ = n_classes;
  std::vector<double> column(static_cast<std::size_t>(scores.rows()));
  std::vector<int> positive(column.size());
  for (Eigen::Index j = 0; j < scores.cols(); ++j) {
    // With two classes the one column is the second class's.
    const int k = n_classes == 2 ? 1 : static_cast<int>(j);
    for (std::size_t i = 0; i < column.size(); ++i) {
      column[i] = scores(static_cast<Eigen::Index>(i), j);
      positive[i] = y[i] == k ? 1 : 0;
    }
    if (method == CalibrationMethod::sigmoid) c.sigmoids_.push_back(SigmoidCalibration::fit(column, positive));
    else c.isotonics_.push_back(IsotonicCalibration::fit(column, positive));
  }
  return c;
}

Matrix Calibrator::apply(const Matrix& proba) const {
  const Matrix scores = calibration_scores(proba, input_);
  const Eigen::Index rows = proba.rows(), k = proba.cols();
  Matrix out(rows, k);
  for (Eigen::Index j = 0; j < scores.cols(); ++j) {
    const Eigen::Index c = k == 2 ? 1 : j;
    const auto u = static_cast<std::size_t>(j);
    for (Eigen::Index i = 0; i < rows; ++i)
      out(i, c) = method_ == CalibrationMethod::sigmoid ? sigmoids_[u](scores(i, j)) : isotonics_[u](scores(i, j));
  }
  for (Eigen::Index i = 0; i < rows; ++i) {
    if (k == 2) {
      out(i, 0) = 1.0 - out(i, 1);
    } else {
      double sum = 0;
      for (Eigen::Index c = 0; c < k; ++c) sum += out(i, c);
      for (Eigen::Index c = 0; c < k; ++c) out(i, c) = sum != 0 ? out(i, c) / sum : 1.0 / static_cast<double>(k);
    }
    for (Eigen::Index c = 0; c < k; ++c)
      if (out(i, c) > 1.0 && out(i, c) <= 1.0 + 1e-5) out(i, c) = 1.0;
  }
  return out;
}

void Calibrator::save(BinaryWriter& out) const {
  out.u64(size());
  for (const auto& s : sigmoids_) out.f64(s.a), out.f64(s.b);
  for (const auto& m : isotonics_) out.array(m.x), out.array(m.y);
}

void Calibrator::load(BinaryReader& in, CalibrationMethod method, CalibrationInput input, std::size_t n_classes) {
  method_ = method;
  input_ = input;
  n_classes_ = n_classes;
  sigmoids_.clear();
  isotonics_.clear();
  const std::size_t expected = n_classes == 2 ? 1 : n_classes;
  const std::uint64_t count = in.u64();
  if (count != expected)
    BinaryReader::fail("calibration: " + std::to_string(count) + " calibrators for " + std::to_string(n_classes) +
                       " classes (" + std::to_string(expected) +
                       " expected: " + (n_classes == 2 ? "one, for the second class" : "one per class") + ")");
  for (std::size_t c = 0; c < expected; ++c) {
    const std::string which = "calibration: calibrator " + std::to_string(c + 1) + ": ";
    if (method == CalibrationMethod::sigmoid) {
      SigmoidCalibration s;
      s.a = in.f64();
      s.b = in.f64();
      if (!std::isfinite(s.a) || !std::isfinite(s.b)) BinaryReader::fail(which + "a sigmoid parameter is not a number");
      sigmoids_.push_back(s);
      continue;
    }
    IsotonicCalibration m;
    m.x = in.array<double>();
    m.y = in.array<double>();
    if (m.x.empty() || m.x.size() != m.y.size())
      BinaryReader::fail(which + std::to_string(m.x.size()) + " thresholds but " + std::to_string(m.y.size()) +
                         " values (as many, at least one)");
    for (std::size_t i = 0; i < m.x.size(); ++i) {
      if (!std::isfinite(m.x[i]) || (i > 0 && !(m.x[i] > m.x[i - 1])))
        BinaryReader::fail(which + "thresholds not increasing (at " + std::to_string(i + 1) + ")");
      if (!(m.y[i] >= 0 && m.y[i] <= 1) || (i > 0 && m.y[i] < m.y[i - 1]))
        BinaryReader::fail(which + "values not non-decreasing probabilities (at " + std::to_string(i + 1) + ")");
    }
    isotonics_.push_back(std::move(m));
  }
}

nlohmann::json Calibrator::describe(const std::vector<std::string>& classes) const {
  nlohmann::json maps = nlohmann::json::array();
  for (std::size_t j = 0; j < size(); ++j) {
    const std::size_t k = n_classes_ == 2 ? 1 : j;
    nlohmann::json m = {{"class", k < classes.size() ? classes[k] : std::to_string(k)}};
    if (method_ == CalibrationMethod::sigmoid) {
      m["a"] = sigmoids_[j].a;
      m["b"] = sigmoids_[j].b;
    } else {
      m["thresholds"] = isotonics_[j].x.size();
      m["x"] = isotonics_[j].x;
      m["y"] = isotonics_[j].y;
    }
    maps.push_back(m);
  }
  return {{"method", to_string(method_)}, {"input", to_string(input_)}, {"maps", maps}};
}

}  // namespace shipml
