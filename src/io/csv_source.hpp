#pragma once
// CSV files as sources and sinks, and JSON lines as a sink (io/data_source.hpp).
#include <memory>

#include "shipml/io/data_source.hpp"

namespace shipml::csv {

/// A CSV file, plain, gzip or zstd (told by its first bytes).
std::unique_ptr<DataSource> open_csv_source(const SourceSpec& spec);
/// A CSV file (compressed by its extension, .gz or .zst), or "-": standard output.
std::unique_ptr<DataSink> open_csv_sink(const SinkSpec& spec);
/// A JSON-lines file (.jsonl or .ndjson, then optionally .gz or .zst).
std::unique_ptr<DataSink> open_json_lines_sink(const SinkSpec& spec);

}  // namespace shipml::csv
