#include "shipml/estimators/feature_matrix.hpp"

namespace shipml {

FeatureMatrix::FeatureMatrix(const Matrix& dense) {
  rows_ = static_cast<std::size_t>(dense.rows());
  auto infos = std::make_shared<std::vector<FeatureInfo>>();
  auto block = std::make_shared<std::vector<double>>(dense.data(), dense.data() + dense.size());
  for (Eigen::Index j = 0; j < dense.cols(); ++j) {
    std::string name = "x";  // built in two steps: g++ 12 -O3 misreports "x" + to_string() (-Wrestrict, GCC bug 105651)
    name += std::to_string(j);
    infos->push_back({std::move(name)});
    columns_.push_back(block->data() + j * dense.rows());
  }
  info_ = std::move(infos);
  keep_alive_.push_back(std::move(block));
}

FeatureMatrix::FeatureMatrix(std::shared_ptr<const std::vector<FeatureInfo>> infos, std::size_t rows)
    : rows_(rows), info_(std::move(infos)) {
  columns_.reserve(info_->size());
}

void FeatureMatrix::add_shared(FeatureInfo info, std::shared_ptr<const void> keep_alive, const double* data) {
  keep_alive_.push_back(std::move(keep_alive));
  columns_.push_back(data);
  auto infos = std::make_shared<std::vector<FeatureInfo>>(*info_);  // views built column by column: training, tests
  infos->push_back(std::move(info));
  info_ = std::move(infos);
}

void FeatureMatrix::add_owned(FeatureInfo info, std::vector<double> values) {
  auto owned = std::make_shared<const std::vector<double>>(std::move(values));
  const double* data = owned->data();
  add_shared(std::move(info), std::move(owned), data);
}

std::vector<std::string> FeatureMatrix::names() const {
  std::vector<std::string> out;
  for (const auto& i : *info_) out.push_back(i.name);
  return out;
}

Matrix FeatureMatrix::dense() const {
  Matrix out(static_cast<Eigen::Index>(rows_), static_cast<Eigen::Index>(columns_.size()));
  for (std::size_t j = 0; j < columns_.size(); ++j) std::copy(columns_[j], columns_[j] + rows_, out.data() + j * rows_);
  return out;
}

}  // namespace shipml
