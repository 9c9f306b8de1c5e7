#pragma once
// The max_features parameter shared by trees and forests: how many features a
// split may look at ("all", "sqrt", "log2", a fraction like 0.5, or a count).
#include <string>

#include "shipml/core/params.hpp"

namespace shipml::builtin {

/// The declaration, with the given default and doc.
ParamSpec max_features_param(std::string default_value, std::string doc);
/// How many of `features` a split tries.
int features_to_try(const std::string& spec, int features);

}  // namespace shipml::builtin
