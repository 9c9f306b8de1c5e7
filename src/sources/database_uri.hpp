#pragma once
// Database URIs and SQL identifiers, for the sources and sinks: which engine a
// location names and how to reach it, and table names made safe to splice
// into SQL.
#include <string>

namespace shipml::sql {

enum class Engine { sqlite, postgresql };

struct DatabaseUri {
  Engine engine = Engine::sqlite;
  /// SQLite: the database file's path. PostgreSQL: the URI for libpq, as given.
  std::string target;
  /// The location fit for messages and records (a password shown as ***).
  std::string shown;
};

/// sqlite:///abs/path.db (absolute), sqlite:relative/path.db (from the working
/// folder), postgresql://user@host:port/db or postgres://...; a UsageError
/// naming the location for anything else (a host after sqlite://, no path).
DatabaseUri parse_database_uri(const std::string& location);

/// `name` or `schema.name` as a quoted SQL identifier ("name", "schema"."name"),
/// so any spelling is safe and case is kept. A UsageError naming `source` when
/// it is empty, has more than one dot, an empty part or a control character.
std::string quote_table(const std::string& table, const std::string& source);
/// One identifier (a column name), quoted: "a ""b""".
std::string quote_identifier(const std::string& name);
/// The unqualified last part of a table name ("t" of "s.t").
std::string table_name_only(const std::string& table);

}  // namespace shipml::sql
