// Files as sources and sinks: which kind a path is.
#include "io/csv_source.hpp"
#include "shipml/core/error.hpp"
#include "shipml/io/data_source.hpp"

namespace shipml {
namespace {

// x.jsonl, x.ndjson, and either compressed (x.jsonl.gz, x.ndjson.zst).
bool is_json_lines(std::string path) {
  for (const char* compressed : {".gz", ".zst"})
    if (path.ends_with(compressed)) path.resize(path.size() - std::char_traits<char>::length(compressed));
  return path.ends_with(".jsonl") || path.ends_with(".ndjson");
}

void refuse_database(const std::string& location) {
  if (is_database_uri(location))
    throw UsageError(redact_location(location) + ": a database needs the full library (sources/open.hpp)");
}

}  // namespace

std::unique_ptr<DataSource> open_file_source(const SourceSpec& spec) {
  refuse_database(spec.location);
  if (is_json_lines(spec.location))
    throw UsageError(spec.location + ": JSON lines are read by the full library (sources/open.hpp), not the runtime");
  return csv::open_csv_source(spec);
}

std::unique_ptr<DataSink> open_file_sink(const SinkSpec& spec) {
  refuse_database(spec.location);
  if (is_json_lines(spec.location)) return csv::open_json_lines_sink(spec);
  return csv::open_csv_sink(spec);
}

}  // namespace shipml
