#pragma once
// What is learned: classes (classification) or numbers (regression). Data,
// metrics, learners and models all speak of it, so it lives at the bottom.
#include <string>
#include <string_view>

#include "shipml/core/export.hpp"

namespace shipml {

enum class Task { classification, regression };
SHIPML_API std::string_view to_string(Task task);
/// "classification" or "regression"; a UsageError otherwise.
SHIPML_API Task parse_task(const std::string& text);

}  // namespace shipml
