#pragma once
#include <algorithm>
#include <cmath>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "shipml/core/matrix.hpp"
#include "shipml/data/split.hpp"

namespace shipml::test {

/// A JSON file written by sklearn_reference.py (the ctest fixture that runs first).
inline nlohmann::json oracle(const std::string& file) {
  std::ifstream in(std::string(SHIPML_ORACLE_DIR) + "/" + file);
  if (!in)
    throw std::runtime_error(std::string("oracle file missing: run the oracle.sklearn_reference test first (") +
                             SHIPML_ORACLE_DIR + ")");
  return nlohmann::json::parse(in);
}

/// The folds a reference used, from its test rows ("test_folds"): so both sides
/// score on exactly the same rows.
inline std::vector<Fold> given_folds(const nlohmann::json& test_folds, std::size_t rows) {
  std::vector<Fold> out;
  for (const auto& test_rows : test_folds) {
    Fold fold;
    fold.test = test_rows.get<std::vector<std::size_t>>();
    std::vector<bool> held(rows, false);
    for (auto i : fold.test) held[i] = true;
    for (std::size_t i = 0; i < rows; ++i)
      if (!held[i]) fold.train.push_back(i);
    out.push_back(fold);
  }
  return out;
}

/// The largest absolute difference between shipml's probabilities and a
/// reference's ("proba": one row of class probabilities per test row).
inline double largest_proba_difference(const Matrix& proba, const nlohmann::json& expected_json) {
  const auto expected = expected_json.get<std::vector<std::vector<double>>>();
  double worst = 0;
  for (std::size_t i = 0; i < expected.size(); ++i)
    for (std::size_t k = 0; k < expected[i].size(); ++k)
      worst =
          std::max(worst, std::abs(proba(static_cast<Eigen::Index>(i), static_cast<Eigen::Index>(k)) - expected[i][k]));
  return worst;
}

}  // namespace shipml::test
