#include "shipml/core/task.hpp"

#include "shipml/core/error.hpp"

namespace shipml {

std::string_view to_string(Task task) { return task == Task::classification ? "classification" : "regression"; }

Task parse_task(const std::string& text) {
  if (text == "classification") return Task::classification;
  if (text == "regression") return Task::regression;
  throw UsageError("unknown task '" + text + "' (allowed: classification, regression)");
}

}  // namespace shipml
