// Linear learners read a large batch in place and split its rows into chunks
// over threads: every row must still come out bit for bit as in a small batch,
// computed in one piece on one thread.
#include <gtest/gtest.h>

#include <numeric>

#include "shipml/shipml.hpp"
#include "support.hpp"

namespace shipml {
namespace {

// Rows [begin, end) of `f`.
Frame rows_of(const Frame& f, std::size_t begin, std::size_t end) {
  std::vector<std::size_t> rows(end - begin);
  std::iota(rows.begin(), rows.end(), begin);
  return f.take(rows);
}

// A binary target: the regression target cut at 1.5.
Dataset binary(const Dataset& regression) {
  Frame f = regression.features();
  const auto y = target_values(regression.labels());
  std::vector<std::string> label(y.size());
  for (std::size_t i = 0; i < y.size(); ++i) label[i] = y[i] < 1.5 ? "no" : "yes";
  f.add(Column::from_strings("y", label));
  return {f, "y", "binary"};
}

void expect_each_row_as_in_small_batches(const Model& m, const Frame& f) {
  const Predictions whole = m.predict(f);
  const Matrix raw = m.raw_output(f);
  constexpr std::size_t batch = 100;  // well below the rows a chunk holds
  for (std::size_t begin = 0; begin < f.rows(); begin += batch) {
    const std::size_t end = std::min(f.rows(), begin + batch);
    const Frame part = rows_of(f, begin, end);
    const Predictions p = m.predict(part);
    const Matrix r = m.raw_output(part);
    const auto b = static_cast<Eigen::Index>(begin), n = static_cast<Eigen::Index>(end - begin);
    ASSERT_TRUE(test::same_bits(std::vector<double>(whole.values.begin() + b, whole.values.begin() + b + n), p.values))
        << m.estimator() << " rows " << begin << " to " << end;
    ASSERT_TRUE(test::same_bits(Matrix(raw.middleRows(b, n)), r)) << m.estimator() << " rows " << begin;
    if (!p.classes.empty()) {
      ASSERT_TRUE(test::same_bits(Matrix(whole.proba.middleRows(b, n)), p.proba)) << m.estimator() << " rows " << begin;
    }
  }
}

TEST(LinearBatches, LargeBatchesPredictEachRowAsSmallBatchesDo) {
  // 10,000 rows: chunks of rows over threads, and the encoding spread over
  // threads too; numbers, missing values and a categorical column.
  const Dataset regression = test::synthetic(Task::regression, 10000);
  const Dataset classes = test::synthetic(Task::classification, 10000);
  const Dataset two = binary(regression);
  for (const char* name : {"linear", "elastic_net", "lasso"}) {
    Model m(name);
    m.fit(regression);
    expect_each_row_as_in_small_batches(m, regression.features());
  }
  for (const Dataset* d : {&two, &classes}) {
    Model m("logistic");
    m.fit(*d);
    expect_each_row_as_in_small_batches(m, d->features());
  }
}

}  // namespace
}  // namespace shipml
