#include "shipml/estimators/feature_matrix.hpp"

namespace shipml {

FeatureMatrix::FeatureMatrix(const Matrix& dense) {
  rows_ = static_cast<std::size_t>(dense.rows());
  for (Eigen::Index j = 0; j < dense.cols(); ++j) {
    const double* col = dense.data() + j * dense.rows();
    std::string name = "x";  // built in two steps: g++ 12 -O3 misreports "x" + to_string() (-Wrestrict, GCC bug 105651)
    name += std::to_string(j);
    add_owned({std::move(name)}, std::vector<double>(col, col + dense.rows()));
  }
}

void FeatureMatrix::add_shared(FeatureInfo info, std::shared_ptr<const void> keep_alive, const double* data) {
  keep_alive_.push_back(std::move(keep_alive));
  columns_.push_back(data);
  info_.push_back(std::move(info));
}

void FeatureMatrix::add_owned(FeatureInfo info, std::vector<double> values) {
  auto owned = std::make_shared<const std::vector<double>>(std::move(values));
  const double* data = owned->data();
  add_shared(std::move(info), std::move(owned), data);
}

std::vector<std::string> FeatureMatrix::names() const {
  std::vector<std::string> out;
  for (const auto& i : info_) out.push_back(i.name);
  return out;
}

Matrix FeatureMatrix::dense() const {
  Matrix out(static_cast<Eigen::Index>(rows_), static_cast<Eigen::Index>(columns_.size()));
  for (std::size_t j = 0; j < columns_.size(); ++j)
    std::copy(columns_[j], columns_[j] + rows_, out.data() + j * rows_);
  return out;
}

}  // namespace shipml
