#include "shipml/sources/open.hpp"

#include "shipml/core/error.hpp"

namespace shipml {

std::unique_ptr<DataSource> open_source(const SourceSpec& spec) { return open_file_source(spec); }

std::unique_ptr<DataSink> open_sink(const SinkSpec& spec) { return open_file_sink(spec); }

Dataset read_dataset(const SourceSpec& spec, const std::string& target) {
  SourceSpec with_target = spec;
  with_target.read.required.push_back(target);
  Dataset d{open_source(with_target)->read_all(), target, spec.location};
  d.query = spec.query.empty() ? spec.table : spec.query;
  return d;
}

}  // namespace shipml
