#pragma once
/// \file
/// Dense matrices (class probabilities, coefficients): Eigen's, column-major.
#include <Eigen/Dense>

namespace shipml {

/// A dense matrix of doubles, column-major.
using Matrix = Eigen::MatrixXd;

}  // namespace shipml
