// On wide data the threads share a node's split search, each a run of
// features, and its histogram subtraction (src/estimators/hist/grower.cpp).
// The split must be the one a single thread finds, also where two features
// tie: the first in feature order wins, whichever thread looked at it.
#include <gtest/gtest.h>

#include <cmath>
#include <string>
#include <vector>

#include "shipml/model/model_file.hpp"
#include "support.hpp"

namespace shipml {
namespace {

// 100 numeric columns (25,600 histogram slots, enough to be shared) with a
// missing value now and then, columns 60..64 copies of 0..4, which carry the
// signal, so their splits tie across threads; and a categorical column, last,
// that carries `shade_weight` of it (categorical splits win in the last run).
Dataset wide(Task task, double shade_weight, std::size_t n = 3000) {
  constexpr std::size_t kColumns = 100, kCopies = 5, kCopyAt = 60;
  Random rng(11);
  std::vector<std::vector<double>> x(kColumns, std::vector<double>(n));
  std::vector<std::string> shade(n), label(n);
  std::vector<double> target(n);
  for (std::size_t i = 0; i < n; ++i) {
    for (std::size_t j = 0; j < kColumns; ++j)
      x[j][i] = j % 13 == 5 && rng.uniform() < 0.05 ? NAN : std::round(rng.uniform() * 1000) / 10;
    for (std::size_t j = 0; j < kCopies; ++j) x[kCopyAt + j][i] = x[j][i];
    shade[i] = "s";  // not "s" + ...: GCC 12 warns wrongly of an overlapping copy there
    shade[i] += std::to_string(rng.below(12));
    const double signal = x[0][i] / 100 - x[1][i] / 200 + x[2][i] / 300 +
                          (shade[i] == "s3" || shade[i] == "s7" ? shade_weight : 0.0) + 0.2 * rng.uniform();
    target[i] = signal;
    label[i] = signal < 0.2 ? "low" : signal < 0.5 ? "mid" : "high";
  }
  Frame f;
  for (std::size_t j = 0; j < kColumns; ++j) {
    std::string name = "x";
    name += std::to_string(j);
    f.add(Column::numeric(name, x[j]));
  }
  f.add(Column::from_strings("shade", shade));
  f.add(task == Task::classification ? Column::from_strings("y", label) : Column::numeric("y", target));
  return {f, "y", "wide"};
}

std::string trained(const Dataset& d, const std::string& threads) {
  Model m("hist_gbdt", {{"threads", threads}, {"n_estimators", "8"}, {"max_leaves", "16"}});
  m.fit(d);
  return test::body_of(encode_model(m));
}

TEST(WideNodes, SharedSplitSearchFindsTheSplitOneThreadFinds) {
  for (const Task task : {Task::classification, Task::regression})
    for (const double shade_weight : {0.4, 3.0}) {
      const Dataset d = wide(task, shade_weight);
      EXPECT_EQ(trained(d, "1"), trained(d, "2"))
          << (task == Task::classification ? "classes" : "regression") << ", shade weighs " << shade_weight;
    }
}

}  // namespace
}  // namespace shipml
