#pragma once
// Temporaries of atomic writes (PATH.tmp.PID), shared by file.cpp and the
// streaming writer in atomic_file_writer.cpp.
#include <string>

namespace shipml::detail {

/// PATH.tmp.PID for this process.
std::string temporary_for(const std::string& path);

/// Removes temporaries a killed writer left beside `path` (PATH.tmp.PID of a
/// process that no longer exists), so kill -9 costs disk space only until the
/// next write of the same file.
void remove_stale_temporaries(const std::string& path);

}  // namespace shipml::detail
