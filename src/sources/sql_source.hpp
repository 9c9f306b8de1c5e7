#pragma once
// The sources and sinks open.cpp dispatches to, beyond the file ones.
#include <memory>

#include "shipml/io/data_source.hpp"

namespace shipml::sources {

/// A SQLite or PostgreSQL table or query (spec.location a database URI).
std::unique_ptr<DataSource> open_sql_source(const SourceSpec& spec);
/// A SQLite or PostgreSQL table, written in one transaction.
std::unique_ptr<DataSink> open_sql_sink(const SinkSpec& spec);
/// A JSON lines file (.jsonl, .ndjson): one object per line.
std::unique_ptr<DataSource> open_json_lines_source(const SourceSpec& spec);

}  // namespace shipml::sources
