#pragma once
/// \file
/// FeatureMatrix: the read-only, column-major view of encoded features a learner
/// sees. Columns may point into the caller's frame (numbers pass through without
/// a copy, which keeps training on millions of rows within memory) or into
/// storage the view owns (one-hot columns, category codes as numbers).
#include <Eigen/Dense>
#include <memory>
#include <string>
#include <vector>

#include "shipml/core/export.hpp"
#include "shipml/core/frame.hpp"
#include "shipml/core/matrix.hpp"

namespace shipml {

/// What a learner may know about an encoded column.
struct SHIPML_API FeatureInfo {
  std::string name;          ///< the encoded column's name
  bool categorical = false;  ///< values are category codes 0..categories-1 (NaN = missing)
  int categories = 0;        ///< number of categories, for a categorical column
  /// A 0/1 column of one category of a one-hot encoded column (linear models
  /// penalise these: a category seen in a few rows, or in none, is not to be
  /// fitted as if it were a measured number).
  bool one_hot = false;
};

/// A read-only, column-major view of encoded features: what a learner sees.
class SHIPML_API FeatureMatrix {
 public:
  /// An empty view: no rows, no columns.
  FeatureMatrix() = default;
  /// A view of an Eigen matrix (copied into owned columns); all features numeric.
  explicit FeatureMatrix(const Matrix& dense);
  /// An empty view of `rows` rows whose columns `infos` describes, shared (an
  /// encoder builds it once, so a one-row prediction copies no names); give the
  /// columns in order with add_column.
  FeatureMatrix(std::shared_ptr<const std::vector<FeatureInfo>> infos, std::size_t rows);

  /// Adds a column that lives in `keep_alive` (shared, not copied).
  void add_shared(FeatureInfo info, std::shared_ptr<const void> keep_alive, const double* data);
  /// Adds a column the view owns.
  void add_owned(FeatureInfo info, std::vector<double> values);
  /// Adds the next column of a view made with shared infos; keep() its storage alive.
  void add_column(const double* data) { columns_.push_back(data); }
  /// Keeps `storage` alive as long as the view (for columns added with add_column()).
  void keep(std::shared_ptr<const void> storage) { keep_alive_.push_back(std::move(storage)); }
  /// Sets the number of rows.
  void set_rows(std::size_t rows) { rows_ = rows; }

  /// Number of rows.
  std::size_t rows() const { return rows_; }
  /// Number of columns.
  std::size_t cols() const { return columns_.size(); }
  /// Column `j`: rows() values, contiguous.
  const double* column(std::size_t j) const { return columns_[j]; }
  /// The value at row `i`, column `j`.
  double operator()(std::size_t i, std::size_t j) const { return columns_[j][i]; }
  /// What a learner may know about column `j`.
  const FeatureInfo& info(std::size_t j) const { return (*info_)[j]; }
  /// What a learner may know about every column, in order.
  const std::vector<FeatureInfo>& infos() const { return *info_; }
  /// Column names, in order.
  std::vector<std::string> names() const;

  /// A dense copy, for learners built on linear algebra.
  Matrix dense() const;

 private:
  std::size_t rows_ = 0;
  std::vector<const double*> columns_;
  std::shared_ptr<const std::vector<FeatureInfo>> info_ = std::make_shared<const std::vector<FeatureInfo>>();
  std::vector<std::shared_ptr<const void>> keep_alive_;
};

}  // namespace shipml
