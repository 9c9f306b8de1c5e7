#include "linear_scores.hpp"

#include <algorithm>

#include "shipml/core/parallel.hpp"

namespace shipml::builtin {
namespace {

// Rows per chunk: a multiple of 16 (Eigen's widest run of rows in its
// matrix-vector kernel), so a row is computed by the same code path in its
// chunk as in the whole matrix; and large enough to keep Eigen off its
// coefficient-by-coefficient path for small products, which sums in another order.
constexpr std::size_t kChunkRows = 4096;

// Chunks of kChunkRows; the last one takes the rest (at most 2·kChunkRows - 1).
std::size_t chunks_of(std::size_t rows) { return rows / kChunkRows; }

std::pair<std::size_t, std::size_t> chunk(std::size_t c, std::size_t chunks, std::size_t rows) {
  const std::size_t begin = c * kChunkRows;
  return {begin, c + 1 == chunks ? rows : begin + kChunkRows};
}

// The columns as one column-major block when they lie that way (an encoder's
// output does), read in place; null when they lie apart.
const double* contiguous_block(const FeatureMatrix& X) {
  if (X.cols() == 0) return nullptr;
  for (std::size_t j = 1; j < X.cols(); ++j)
    if (X.column(j) != X.column(0) + j * X.rows()) return nullptr;
  return X.column(0);
}

// Out is Matrix for a W of any width, Eigen::VectorXd for a vector: the
// product's kind (and so its order of sums for small batches) is the one the
// learners used before, W's compile-time shape choosing it.
template <typename Out, typename Weights>
Out scores(const FeatureMatrix& X, const Weights& W) {
  const auto rows = static_cast<Eigen::Index>(X.rows()), cols = static_cast<Eigen::Index>(X.cols());
  // In place when the columns form one block (an encoder's output); a copy
  // otherwise. Either way the leading dimension is rows, as Eigen's kernel
  // (which picks its column blocking by it) saw it in a dense copy.
  Matrix copy;
  const double* data = contiguous_block(X);
  if (!data) {
    copy = X.dense();
    data = copy.data();
  }
  const Eigen::Map<const Matrix> A(data, rows, cols);
  // Several classes: one matrix product (its blocking depends on the sizes,
  // so it is not split).
  const std::size_t chunks = W.cols() == 1 ? chunks_of(X.rows()) : 0;
  if (chunks < 2) return A * W;
  Out Z(rows, 1);
  parallel_for(chunks, 0, [&](std::size_t c) {
    const auto [begin, end] = chunk(c, chunks, X.rows());
    const auto b = static_cast<Eigen::Index>(begin), n = static_cast<Eigen::Index>(end - begin);
    Z.middleRows(b, n).noalias() = A.middleRows(b, n) * W;
  });
  return Z;
}

}  // namespace

Matrix linear_scores(const FeatureMatrix& X, const Eigen::Ref<const Matrix>& W) { return scores<Matrix>(X, W); }

Eigen::VectorXd vector_scores(const FeatureMatrix& X, const Eigen::VectorXd& w) {
  return scores<Eigen::VectorXd>(X, w);
}

std::vector<double> sparse_linear_scores(const FeatureMatrix& X, const std::vector<double>& coef, double intercept) {
  std::vector<double> out(X.rows(), intercept);
  // Chunks of rows small enough to stay in cache while every column is added.
  const std::size_t chunks = std::max<std::size_t>(chunks_of(X.rows()), 1);
  parallel_for(chunks, 0, [&](std::size_t c) {
    const auto [begin, end] = chunk(c, chunks, X.rows());
    double* o = out.data();
    for (std::size_t j = 0; j < coef.size(); ++j) {
      if (coef[j] == 0) continue;  // sparse solutions skip whole columns
      const double w = coef[j];
      const double* x = X.column(j);
      for (std::size_t i = begin; i < end; ++i) o[i] += w * x[i];
    }
  });
  return out;
}

}  // namespace shipml::builtin
