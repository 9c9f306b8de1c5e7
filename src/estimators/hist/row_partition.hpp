#pragma once
// A node's rows split in two by its split: a stable partition of its slice of
// the row order, the rows going left first, each side in its old order.
#include <cstddef>
#include <cstdint>
#include <span>

#include "binning.hpp"
#include "split_search.hpp"

namespace shipml::hist {

/// Partitions `rows` (of `data`) by `split`, stably; returns how many go left.
/// `scratch` has room for rows.size(). Rows of more than one block of
/// `block_rows` are partitioned block by block on `threads` threads, with
/// the same result whatever the threads.
std::size_t partition_rows(std::span<std::uint32_t> rows, std::span<std::uint32_t> scratch, const BinnedRows& data,
                           const Split& split, std::size_t block_rows, int threads);

}  // namespace shipml::hist
