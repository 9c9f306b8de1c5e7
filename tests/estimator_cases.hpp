#pragma once
// Every registered estimator with every task it solves, as the parameters of a
// test suite run over all learners (the contract, the weights).
#include <gtest/gtest.h>

#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "shipml/shipml.hpp"

namespace shipml::test {

struct EstimatorCase {
  std::string estimator;
  Task task;
};

inline void PrintTo(const EstimatorCase& c, std::ostream* os) {
  *os << c.estimator << " (" << to_string(c.task) << ")";
}

/// Every (estimator, task) pair, or those of one task.
inline std::vector<EstimatorCase> estimator_cases(std::optional<Task> only = std::nullopt) {
  std::vector<EstimatorCase> out;
  for (const auto& e : estimators())
    for (Task t : e.tasks)
      if (!only || t == *only) out.push_back({e.name, t});
  return out;
}

/// The test name of a case: `hist_gbdt_classification`.
inline std::string estimator_case_name(const testing::TestParamInfo<EstimatorCase>& info) {
  return info.param.estimator + "_" + std::string(to_string(info.param.task));
}

}  // namespace shipml::test
