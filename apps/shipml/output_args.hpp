#pragma once
// Options of the commands that write rows (predict, explain): where they go.
#include <CLI/CLI.hpp>
#include <string>

#include "shipml/core/error.hpp"
#include "shipml/io/data_source.hpp"

namespace shipml::cli {

// Where a command's rows go: a file (CSV or JSON lines, optionally .gz/.zst), standard
// output, or a database table.
struct OutputArgs {
  std::string location, table, if_exists = "fail";
  void add(CLI::App* cmd) {
    cmd->add_option("--out,-o", location,
                    "where to write: a CSV or JSON-lines file (.csv, .jsonl, optionally .gz or .zst), or a database "
                    "URI with --out-table (default: CSV on standard output)");
    cmd->add_option("--out-table", table, "table to write in the --out database (created if missing)");
    cmd->add_option("--if-exists", if_exists, "when --out-table exists: fail (default), append or replace")
        ->check(CLI::IsMember({"fail", "append", "replace"}));
  }
  /// The sink; `input` is where the rows come from, which it must not be.
  SinkSpec spec(const SourceSpec& input) const {
    const bool database = is_database_uri(location);
    if (database && table.empty()) throw UsageError("--out " + redact_location(location) + " needs --out-table");
    if (!database && !table.empty()) throw UsageError("--out-table needs a database URI in --out");
    if (database && location == input.location && table == input.table)
      throw UsageError("--out-table " + table + " is the --table the rows come from; writing it would replace " +
                       "your data (choose another table)");
    return {location.empty() ? "-" : location, table, parse_if_exists(if_exists)};
  }
};

}  // namespace shipml::cli
