// What a fit records of its data: the fingerprint of the rows it learned
// from, whether hashed beside the drift reference on a thread of its own (a
// large data set: here 4.2 million values) or in line (a small one).
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "shipml/data/dataset.hpp"
#include "shipml/model/model.hpp"

namespace shipml {
namespace {

Dataset numbers(std::size_t rows, std::size_t cols) {
  Frame f;
  for (std::size_t j = 0; j < cols; ++j) {
    std::vector<double> x(rows);
    for (std::size_t i = 0; i < rows; ++i) x[i] = static_cast<double>((i * (j + 3)) % 97) / 7.0;
    f.add(Column::numeric("x" + std::to_string(j), std::move(x)));
  }
  std::vector<std::string> y(rows);
  for (std::size_t i = 0; i < rows; ++i) y[i] = (i * 7) % 10 < 4 ? "yes" : "no";
  f.add(Column::from_strings("y", y));
  return {f, "y", "numbers"};
}

TEST(FitFingerprint, TheModelRecordsItsDatasFingerprintLargeOrSmall) {
  for (const auto& [rows, cols] : {std::pair<std::size_t, std::size_t>{65536, 64}, {200, 3}}) {
    const Dataset data = numbers(rows, cols);
    Model m("gaussian_nb");
    m.fit(data);
    EXPECT_EQ(m.metadata()["training"]["fingerprint"], data.fingerprint()) << rows << " x " << cols;
    EXPECT_EQ(m.metadata()["training"]["rows"], rows);
    ASSERT_TRUE(m.drift_reference());
  }
}

}  // namespace
}  // namespace shipml
