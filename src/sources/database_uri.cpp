#include "sources/database_uri.hpp"

#include "shipml/core/error.hpp"
#include "shipml/io/data_source.hpp"

namespace shipml::sql {

DatabaseUri parse_database_uri(const std::string& location) {
  const std::string shown = redact_location(location);
  if (location.starts_with("postgresql://") || location.starts_with("postgres://"))
    return {Engine::postgresql, location, shown};
  if (location.starts_with("sqlite:")) {
    std::string path = location.substr(7);
    // sqlite:///abs/x.db is the absolute /abs/x.db (SQLAlchemy's sqlite:////abs
    // spelling reads the same); sqlite:x.db is x.db in the working folder.
    if (path.starts_with("//")) {
      path = path.substr(2);
      if (!path.starts_with("/"))
        throw UsageError(shown + ": a SQLite URI has no host; write sqlite:///absolute/path.db or sqlite:relative.db");
    }
    if (path.empty() || path.back() == '/')
      throw UsageError(shown + ": no database file (write sqlite:///absolute/path.db or sqlite:relative.db)");
    return {Engine::sqlite, path, shown};
  }
  throw UsageError(shown + ": not a database URI (sqlite:///path.db, postgresql://user@host/db)");
}

std::string quote_identifier(const std::string& name) {
  std::string out = "\"";
  for (char c : name) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

std::string quote_table(const std::string& table, const std::string& source) {
  auto refuse = [&](const std::string& why) {
    throw UsageError(source + ": table '" + table + "' " + why +
                     " (name a table, or schema.table; or read with --query)");
  };
  if (table.empty()) refuse("is empty");
  for (unsigned char c : table)
    if (c < 0x20 || c == 0x7f) refuse("has a control character");
  const auto dot = table.find('.');
  if (dot == std::string::npos) return quote_identifier(table);
  if (table.find('.', dot + 1) != std::string::npos) refuse("has more than one dot");
  if (dot == 0 || dot + 1 == table.size()) refuse("has an empty part");
  return quote_identifier(table.substr(0, dot)) + "." + quote_identifier(table.substr(dot + 1));
}

std::string table_name_only(const std::string& table) {
  const auto dot = table.find('.');
  return dot == std::string::npos ? table : table.substr(dot + 1);
}

}  // namespace shipml::sql
