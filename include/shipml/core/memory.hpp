#pragma once
/// \file
/// Memory a piece of work may still take. Learners and encodings that would
/// allocate more than the machine (or the container) can give check first and
/// fail with an error that names the cause, never with std::bad_alloc or the
/// kernel's out-of-memory killer.
#include <cstdint>
#include <string>

#include "shipml/core/export.hpp"

namespace shipml {

/// Bytes this process can still allocate: the memory the machine has available
/// (MemAvailable), or less when its cgroup (a container's limit) allows less, or
/// the environment's SHIPML_MEMORY_LIMIT when that is lower still.
SHIPML_API std::uint64_t available_memory();

/// A DataError saying that `what` needs `bytes`, more than available_memory(),
/// and `advice` on what to do instead; nothing when it fits.
SHIPML_API void require_memory(std::uint64_t bytes, const std::string& what, const std::string& advice);

/// "8G", "512M", "1048576": bytes, or K, M, G, T as powers of 1024. A
/// UsageError for anything else.
SHIPML_API std::uint64_t parse_memory_size(const std::string& text);

/// "74.5 GB", "512 MB": a size for people.
SHIPML_API std::string format_bytes(std::uint64_t bytes);

}  // namespace shipml
