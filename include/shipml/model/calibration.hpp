#pragma once
/// \file
/// Probability calibration: maps from a classifier's scores to probabilities
/// that match observed frequencies, fitted on out-of-fold predictions (Model
/// cross-fits them; see Model::calibrated). The same maps as scikit-learn's
/// CalibratedClassifierCV: Platt's sigmoid and isotonic regression, one per
/// class against the rest, only the positive class for two classes.
#include <cstddef>
#include <nlohmann/json.hpp>
#include <span>
#include <string>
#include <vector>

#include "shipml/core/binary.hpp"
#include "shipml/core/export.hpp"
#include "shipml/core/matrix.hpp"

namespace shipml {

/// The map a calibrator fits.
enum class CalibrationMethod {
  sigmoid,  ///< Platt: p = 1 / (1 + exp(a·s + b)), two parameters; for small data
  isotonic  ///< a non-decreasing step-free curve through the data; needs more rows, bends freely
};
/// "sigmoid" or "isotonic".
SHIPML_API const char* to_string(CalibrationMethod method);
/// The method named; a UsageError listing the methods otherwise.
SHIPML_API CalibrationMethod parse_calibration_method(const std::string& text);

/// What a calibrator reads from the learner's probabilities p (one row).
enum class CalibrationInput {
  /// p itself: the learners without a decision function in scikit-learn.
  probability,
  /// The learner's decision function, recovered from p: two classes,
  /// ln(p1) − ln(p0); more, ln(p_k) − mean_j ln(p_j) (a softmax's scores, centred,
  /// which is scikit-learn's multinomial decision_function). Probabilities below
  /// 2^−52 count as 2^−52, so a saturated probability gives a finite score.
  log_odds,
};
/// "probability" or "log_odds".
SHIPML_API const char* to_string(CalibrationInput input);
/// The input named; a ModelError otherwise (it is read from model files).
SHIPML_API CalibrationInput parse_calibration_input(const std::string& text);
/// What scikit-learn calibrates for this estimator: its decision function
/// where it has one (logistic; hist_gbdt, whose raw margin is its log-odds),
/// its probabilities otherwise.
SHIPML_API CalibrationInput calibration_input_for(const std::string& estimator);
/// The scores a calibrator reads from probabilities (rows x classes): one
/// column (the second class's) for two classes, one per class otherwise.
SHIPML_API Matrix calibration_scores(const Matrix& proba, CalibrationInput input);

/// How a model is calibrated: what Model::calibrated takes.
struct SHIPML_API CalibrationSpec {
  CalibrationMethod method = CalibrationMethod::sigmoid;  ///< the map fitted
  int folds = 5;                                          ///< out-of-fold predictions from this many folds
};

/// Platt's sigmoid, as scikit-learn's `_sigmoid_calibration`: targets with
/// Platt's prior correction, (n₊ + 1)/(n₊ + 2) and 1/(n₋ + 2), and the
/// log-likelihood maximised to its optimum (Newton's method with a line search).
struct SHIPML_API SigmoidCalibration {
  /// Slope (negative when higher scores mean the class).
  double a = 0, b = 0;  ///< intercept
  /// Fits a and b to `scores` and `positive` (1 for the class, 0 otherwise).
  static SigmoidCalibration fit(std::span<const double> scores, std::span<const int> positive);
  /// 1 / (1 + exp(a·s + b)).
  double operator()(double s) const;
};

/// Isotonic regression, as scikit-learn's IsotonicRegression(out_of_bounds="clip"):
/// scores equal to within 1e-15 of the first of their run merged (their
/// targets averaged), the pool-adjacent-violators fit, points inside flat runs
/// dropped; a score maps by linear interpolation between the thresholds, clipped
/// to the first and last.
struct SHIPML_API IsotonicCalibration {
  /// Scores, strictly increasing (at least one).
  std::vector<double> x, y;  ///< the calibrated probability at each, non-decreasing, in [0, 1]
  /// Fits the thresholds to `scores` and `positive` (1 for the class, 0 otherwise).
  static IsotonicCalibration fit(std::span<const double> scores, std::span<const int> positive);
  /// numpy.interp of the clipped score over (x, y).
  double operator()(double s) const;
};

/// A fitted calibrator: one map per class, against the rest (one, for the
/// second class, with two classes), applied to a learner's probabilities.
class SHIPML_API Calibrator {
 public:
  /// An empty calibrator (to load into).
  Calibrator() = default;
  /// Fits one map per calibrated column of `scores` (calibration_scores of
  /// out-of-fold probabilities) to the classes `y` (index per row).
  static Calibrator fit(CalibrationMethod method, CalibrationInput input, const Matrix& scores, std::span<const int> y,
                        std::size_t n_classes);

  /// The calibrated probabilities of a learner's probabilities (rows x classes):
  /// each class's map on its score; two classes: p0 = 1 − p1; more: rows
  /// renormalised to sum to 1 (uniform when every map gives 0); values in
  /// (1, 1 + 1e-5] become 1, as scikit-learn does.
  Matrix apply(const Matrix& proba) const;

  /// The map fitted.
  CalibrationMethod method() const { return method_; }
  /// What the maps read.
  CalibrationInput input() const { return input_; }
  /// Number of maps: 1 for two classes, the class count otherwise.
  std::size_t size() const { return method_ == CalibrationMethod::sigmoid ? sigmoids_.size() : isotonics_.size(); }

  /// Writes the maps (the model file's calibration state).
  void save(BinaryWriter& out) const;
  /// Reads what save() wrote for `n_classes` classes, refusing maps that do not
  /// hold together (a count for other classes, parameters that are not numbers,
  /// thresholds not increasing, probabilities out of [0, 1]).
  void load(BinaryReader& in, CalibrationMethod method, CalibrationInput input, std::size_t n_classes);
  /// The maps as JSON, for `shipml inspect`: a and b, or the thresholds, per class.
  nlohmann::json describe(const std::vector<std::string>& classes) const;

 private:
  CalibrationMethod method_ = CalibrationMethod::sigmoid;
  CalibrationInput input_ = CalibrationInput::probability;
  std::size_t n_classes_ = 0;
  std::vector<SigmoidCalibration> sigmoids_;
  std::vector<IsotonicCalibration> isotonics_;
};

}  // namespace shipml
