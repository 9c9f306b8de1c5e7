#pragma once
// Parameters that trees, forests and boosting declare alike, declared once here.
#include <string>

#include "shipml/core/params.hpp"

namespace shipml::builtin {

/// How many features a split may look at ("all", "sqrt", "log2", a fraction
/// like 0.5, or a count), with the given default and doc.
ParamSpec max_features_param(std::string default_value, std::string doc);
/// Split quality: auto (gini for classes, squared error for values), gini, entropy, squared_error.
ParamSpec criterion_param();
/// The criterion a fit uses: "auto" resolved for the task; a UsageError naming
/// `owner` when a classification criterion meets values or the reverse.
std::string resolve_criterion(const std::string& owner, const std::string& criterion, int n_classes);
/// Bins per numeric feature for histogram learners, 2 to 255.
ParamSpec max_bins_param();
/// How many of `features` a split tries.
int features_to_try(const std::string& spec, int features);

}  // namespace shipml::builtin
