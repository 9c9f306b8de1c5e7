#pragma once
// Pipeline steps written in YAML (a model spec file, an experiment file's
// estimators), read with line and column errors.
#include <vector>

#include "io/yaml_reader.hpp"
#include "shipml/preprocess/pipeline.hpp"

namespace shipml {

/// Pipeline steps from a list: "TRANSFORMER", {TRANSFORMER: {param: value,
/// columns: [...], name: N}}, or {transformer: T, name: N, columns: [...], param: value}.
std::vector<StepSpec> read_steps(const Reader& r, const YAML::Node& list);

}  // namespace shipml
