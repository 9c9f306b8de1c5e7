#include "shipml/sources/open.hpp"

#include "shipml/core/error.hpp"
#include "sources/sql_source.hpp"

namespace shipml {
namespace {

// .jsonl and .ndjson, also compressed (data.jsonl.gz, data.ndjson.zst).
bool is_json_lines(std::string location) {
  for (const char* compressed : {".gz", ".zst"})
    if (location.ends_with(compressed)) location.resize(location.size() - std::string_view(compressed).size());
  return location.ends_with(".jsonl") || location.ends_with(".ndjson");
}

}  // namespace

std::unique_ptr<DataSource> open_source(const SourceSpec& spec) {
  if (is_database_uri(spec.location)) return sources::open_sql_source(spec);
  if (!spec.table.empty() || !spec.query.empty())
    throw UsageError(spec.location + ": --table and --query are for databases; this is a file");
  if (is_json_lines(spec.location)) return sources::open_json_lines_source(spec);
  return open_file_source(spec);
}

std::unique_ptr<DataSink> open_sink(const SinkSpec& spec) {
  if (is_database_uri(spec.location)) return sources::open_sql_sink(spec);
  if (!spec.table.empty()) throw UsageError(spec.location + ": --table is for databases; this is a file");
  return open_file_sink(spec);
}

Dataset read_dataset(const SourceSpec& spec, const std::string& target) {
  SourceSpec with_target = spec;
  with_target.read.required.push_back(target);
  Dataset d{open_source(with_target)->read_all(), target, redact_location(spec.location)};
  d.query = spec.query.empty() ? spec.table : spec.query;
  return d;
}

}  // namespace shipml
