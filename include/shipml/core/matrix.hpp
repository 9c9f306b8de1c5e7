#pragma once
// Dense matrices (class probabilities, coefficients): Eigen's, column-major.
#include <Eigen/Dense>

namespace shipml {

using Matrix = Eigen::MatrixXd;

}  // namespace shipml
