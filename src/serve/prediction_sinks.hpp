#pragma once
// The prediction log's sinks, one file each; open_prediction_sink chooses by the target.
#include <memory>

#include "shipml/serve/prediction_log.hpp"

namespace shipml::serve {

/// A JSON-lines file, rotated by size.
std::unique_ptr<PredictionSink> open_file_prediction_sink(const PredictionLogOptions& options);
/// A `prediction_log` table in SQLite or PostgreSQL (created if absent).
std::unique_ptr<PredictionSink> open_sql_prediction_sink(const PredictionLogOptions& options);

}  // namespace shipml::serve
