#pragma once
/// \file
/// FeatureChunks: a learner's rows given chunk by chunk, for training on data
/// that does not fit in memory as numbers (hist_gbdt reads the chunks twice: a
/// sample for its bins, then one byte per value) and on one rank's share of
/// the rows of a data-parallel job.
#include <cstddef>
#include <functional>
#include <memory>
#include <vector>

#include "shipml/core/export.hpp"
#include "shipml/estimators/feature_matrix.hpp"

namespace shipml {

/// Encoded rows in chunks, read in order as often as a learner asks.
class SHIPML_API FeatureChunks {
 public:
  virtual ~FeatureChunks() = default;
  /// Rows in all chunks together (this rank's rows, in a data-parallel job).
  virtual std::size_t rows() const = 0;
  /// What every chunk's columns are (the same for every chunk and rank).
  virtual const std::vector<FeatureInfo>& infos() const = 0;
  /// Calls `each(first_row, chunk)` for every chunk in order; `first_row` is
  /// the chunk's first row among rows(). A chunk lives only during its call.
  virtual void for_each(const std::function<void(std::size_t first_row, const FeatureMatrix& chunk)>& each) = 0;
};

/// One matrix held in memory, as one chunk.
class SHIPML_API WholeMatrix final : public FeatureChunks {
 public:
  /// Refers to `X`, which must outlive this.
  explicit WholeMatrix(const FeatureMatrix& X) : X_(X) {}
  std::size_t rows() const override { return X_.rows(); }
  const std::vector<FeatureInfo>& infos() const override { return X_.infos(); }
  /// Calls `each(0, X)`: the whole matrix is the one chunk.
  void for_each(const std::function<void(std::size_t, const FeatureMatrix&)>& each) override { each(0, X_); }
  /// The matrix itself, for learners that need every row at once.
  const FeatureMatrix& matrix() const { return X_; }

 private:
  const FeatureMatrix& X_;
};

}  // namespace shipml
