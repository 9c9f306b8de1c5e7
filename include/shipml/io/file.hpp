#pragma once
/// \file
/// Reading whole files, and writing them atomically.
#include <string>
#include <string_view>

#include "shipml/core/export.hpp"

namespace shipml {

/// Reads a whole file; a FileError naming the file when it cannot be read.
SHIPML_API std::string read_file(const std::string& path);

/// Writes a file atomically: to a temporary name beside it, flushed to disk, then
/// renamed over the target. A crash leaves the old file or the new, never half;
/// the temporary (PATH.tmp.PID) of a killed writer is removed at the next write.
SHIPML_API void write_file_atomic(const std::string& path, const std::string& contents);

/// Copies `from` to `to` the same way: beside `to` first, then renamed over it.
/// Temporaries that killed writers left beside `to` are removed first.
SHIPML_API void copy_file_atomic(const std::string& from, const std::string& to);

/// Whether `a` and `b` name one existing file: the same device and inode, so a
/// link or another spelling of the path is the same file too.
SHIPML_API bool same_file(const std::string& a, const std::string& b);

/// Whether `path` exists and starts with `prefix` (a format's magic bytes).
SHIPML_API bool file_starts_with(const std::string& path, std::string_view prefix);

}  // namespace shipml
