#pragma once
#include <CLI/CLI.hpp>

namespace shipml::cli {

/// Registers every subcommand; each runs from its callback during parse.
void add_commands(CLI::App& app);

/// `shipml serve` (in serve_command.cpp).
void add_serve(CLI::App& app);

}  // namespace shipml::cli
