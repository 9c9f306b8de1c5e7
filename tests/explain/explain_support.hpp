#pragma once
// Data and checks the explanation tests share: the three tasks on small
// synthetic data (numbers, numbers with missing values, a category with
// missing values), and how far a row's contributions are from its raw output.
#include <cmath>
#include <string>
#include <vector>

#include "shipml/shipml.hpp"
#include "support.hpp"

namespace shipml::test {

/// What an explanation test trains on.
enum class Kind { binary, multiclass, regression };

inline const char* name(Kind k) {
  return k == Kind::binary ? "binary" : k == Kind::multiclass ? "multiclass" : "regression";
}

/// test::synthetic with the target of `kind`: its three classes; its value; or
/// "yes" where the value is above 1.5 ("no" otherwise).
inline Dataset explain_data(Kind kind, std::size_t n = 240, std::uint64_t seed = 7) {
  if (kind == Kind::multiclass) return synthetic(Task::classification, n, seed);
  Dataset d = synthetic(Task::regression, n, seed);
  if (kind == Kind::regression) return d;
  std::vector<std::string> label;
  for (double v : d.frame.column("y").values()) label.push_back(v > 1.5 ? "yes" : "no");
  Frame f = d.frame.without("y");
  f.add(Column::from_strings("y", label));
  return {f, "y", "synthetic binary"};
}

/// The largest |Σ contributions + expected − raw output| over rows and outputs.
inline double largest_sum_error(const Contributions& c, const Matrix& raw) {
  double worst = 0;
  for (std::size_t o = 0; o < c.values.size(); ++o)
    for (Eigen::Index i = 0; i < c.values[o].rows(); ++i) {
      const double sum = c.values[o].row(i).sum() + c.expected[o];
      worst = std::max(worst, std::abs(sum - raw(i, static_cast<Eigen::Index>(o))));
    }
  return worst;
}

/// The first n rows of a frame.
inline Frame first_rows(const Frame& f, std::size_t n) {
  std::vector<std::size_t> rows;
  for (std::size_t i = 0; i < std::min(n, f.rows()); ++i) rows.push_back(i);
  return f.take(rows);
}

}  // namespace shipml::test
