#include "shipml/io/data_source.hpp"

#include "shipml/core/error.hpp"

namespace shipml {

DataSource::~DataSource() = default;
DataSink::~DataSink() = default;

IfExists parse_if_exists(const std::string& text) {
  if (text == "fail") return IfExists::fail;
  if (text == "append") return IfExists::append;
  if (text == "replace") return IfExists::replace;
  throw UsageError("--if-exists: '" + text + "' is not one of fail, append, replace");
}

bool is_database_uri(const std::string& location) {
  return location.starts_with("sqlite:") || location.starts_with("postgres:") || location.starts_with("postgresql:");
}

std::string redact_location(const std::string& location) {
  // scheme://user:password@host/...: the password is the text between the
  // first ':' after "//" and the '@' that ends the user part.
  const auto scheme = location.find("://");
  if (scheme == std::string::npos) return location;
  const auto start = scheme + 3;
  const auto at = location.find('@', start);
  const auto slash = location.find('/', start);
  if (at == std::string::npos || (slash != std::string::npos && slash < at)) return location;
  const auto colon = location.find(':', start);
  if (colon == std::string::npos || colon > at) return location;
  return location.substr(0, colon + 1) + "***" + location.substr(at);
}

}  // namespace shipml
