#include "row_partition.hpp"

#include <algorithm>
#include <array>
#include <vector>

#include "shipml/core/parallel.hpp"

namespace shipml::hist {
namespace {

constexpr std::size_t kAhead = 64;  // a deep node's rows are scattered: fetch their bins early

}  // namespace

// Each block puts its left rows at its start in scratch and its right rows,
// backwards, at its end; then each block copies both sides to their place.
std::size_t partition_rows(std::span<std::uint32_t> rows, std::span<std::uint32_t> scratch, const BinnedRows& data,
                           const Split& split, std::size_t block_rows, int threads) {
  const std::size_t n = rows.size(), blocks = (n + block_rows - 1) / block_rows;
  std::vector<std::size_t> lefts(blocks);
  const BinnedRows::Column column = data.column(static_cast<std::size_t>(split.feature));
  const std::array<std::uint8_t, 256> left_of = split.sides();  // a load a row, not the split's tests
  parallel_for(blocks, blocks > 1 ? threads : 1, [&](std::size_t b) {
    const std::size_t from = b * block_rows, to = std::min(n, from + block_rows);
    std::size_t l = from, r = to;  // [l, r) is still free
    for (std::size_t i = from; i < to; ++i) {
      if (i + kAhead < to) __builtin_prefetch(column.at(rows[i + kAhead]));
      // Branch-free: the row is written at both free ends, and only its
      // side's end moves (a left/right branch would be mispredicted half
      // the time); the other write lands in a slot still free.
      const std::uint32_t row = rows[i];
      const bool left = left_of[column[row]];
      scratch[l] = row;
      scratch[r - 1] = row;
      l += left;
      r -= !left;
    }
    lefts[b] = l - from;
  });
  std::vector<std::size_t> left_at(blocks + 1, 0), right_at(blocks + 1, 0);
  for (std::size_t b = 0; b < blocks; ++b) {
    const std::size_t in_block = std::min(n, (b + 1) * block_rows) - b * block_rows;
    left_at[b + 1] = left_at[b] + lefts[b];
    right_at[b + 1] = right_at[b] + in_block - lefts[b];
  }
  const std::size_t mid = left_at[blocks];
  parallel_for(blocks, blocks > 1 ? threads : 1, [&](std::size_t b) {
    const auto from = scratch.begin() + static_cast<std::ptrdiff_t>(b * block_rows);
    const auto lefts_end = from + static_cast<std::ptrdiff_t>(lefts[b]);
    const auto to = lefts_end + static_cast<std::ptrdiff_t>(right_at[b + 1] - right_at[b]);
    std::copy(from, lefts_end, rows.begin() + static_cast<std::ptrdiff_t>(left_at[b]));
    std::reverse_copy(lefts_end, to, rows.begin() + static_cast<std::ptrdiff_t>(mid + right_at[b]));
  });
  return mid;
}

}  // namespace shipml::hist
