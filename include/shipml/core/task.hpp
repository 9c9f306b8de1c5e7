#pragma once
/// \file
/// What is learned: classes (classification) or numbers (regression). Data,
/// metrics, learners and models all speak of it, so it lives at the bottom.
#include <string>
#include <string_view>

#include "shipml/core/export.hpp"

namespace shipml {

/// What is learned.
enum class Task {
  classification,  ///< classes
  regression       ///< numbers
};
/// "classification" or "regression".
SHIPML_API std::string_view to_string(Task task);
/// "classification" or "regression"; a UsageError otherwise.
SHIPML_API Task parse_task(const std::string& text);

}  // namespace shipml
