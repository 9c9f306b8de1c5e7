#pragma once
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>

namespace shipml::test {

/// A JSON file written by sklearn_reference.py (the ctest fixture that runs first).
inline nlohmann::json oracle(const std::string& file) {
  std::ifstream in(std::string(SHIPML_ORACLE_DIR) + "/" + file);
  if (!in) throw std::runtime_error(std::string("oracle file missing: run the oracle.sklearn_reference test first (") +
                                    SHIPML_ORACLE_DIR + ")");
  return nlohmann::json::parse(in);
}

}  // namespace shipml::test
