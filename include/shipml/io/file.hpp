#pragma once
/// \file
/// Reading whole files, and writing them atomically.
#include <string>

#include "shipml/core/export.hpp"

namespace shipml {

/// Reads a whole file; a FileError naming the file when it cannot be read.
SHIPML_API std::string read_file(const std::string& path);

/// Writes a file atomically: to a temporary name beside it, flushed to disk, then
/// renamed over the target. A crash leaves the old file or the new, never half.
SHIPML_API void write_file_atomic(const std::string& path, const std::string& contents);

}  // namespace shipml
