#pragma once
/// \file
/// Every kind of source and sink behind one call: files (io/data_source.hpp)
/// and, here, SQLite and PostgreSQL tables and queries, and JSON lines.
#include <memory>
#include <string>

#include "shipml/core/export.hpp"
#include "shipml/data/dataset.hpp"
#include "shipml/io/data_source.hpp"

namespace shipml {

/// The source `spec.location` names: a database URI (with a table or a query),
/// JSON lines (.jsonl, .ndjson, optionally compressed) or a CSV file.
SHIPML_API std::unique_ptr<DataSource> open_source(const SourceSpec& spec);
/// The sink `spec.location` names, the same way.
SHIPML_API std::unique_ptr<DataSink> open_sink(const SinkSpec& spec);
/// Every row of a source, as data to learn from: its `target` must be a column.
/// `source` of the result names the location; `query` the table or query read.
SHIPML_API Dataset read_dataset(const SourceSpec& spec, const std::string& target);

}  // namespace shipml
