#pragma once
/// \file
/// Storage for a block of doubles about to be written whole (an encoded batch):
/// left uninitialised (zeroing it first would be one more pass over memory), and
/// when large, asked of the kernel on 2 MB pages, so that touching it costs a
/// few page faults instead of one per 4 kB (numpy does the same for its arrays).
#include <cstddef>
#include <memory>

#include "shipml/core/export.hpp"

namespace shipml {

/// `count` doubles, uninitialised. Throws std::bad_alloc when there is no memory.
SHIPML_API std::shared_ptr<double[]> uninitialised_doubles(std::size_t count);

}  // namespace shipml
