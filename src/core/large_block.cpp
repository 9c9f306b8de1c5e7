#include "shipml/core/large_block.hpp"

#include <sys/mman.h>

#include <cstdint>
#include <cstdlib>
#include <new>

namespace shipml {

std::shared_ptr<double[]> uninitialised_doubles(std::size_t count) {
  constexpr std::size_t huge_page = std::size_t{2} << 20;
  // Below a few huge pages the saving is small and the rounding up is not.
  if (count * sizeof(double) < 4 * huge_page) return std::make_shared_for_overwrite<double[]>(count);
  // From malloc, not posix_memalign or mmap: a block freed by one batch serves
  // the next with its pages already there (glibc reuses it; an aligned
  // allocation of this size is mapped afresh each time). One huge page more,
  // never touched, leaves room to start the block on a huge-page boundary.
  const std::size_t bytes = (count * sizeof(double) + huge_page - 1) / huge_page * huge_page;
  void* raw = std::malloc(bytes + huge_page);
  if (!raw) throw std::bad_alloc();
  const auto start = (reinterpret_cast<std::uintptr_t>(raw) + huge_page - 1) & ~(huge_page - 1);
  auto* data = reinterpret_cast<double*>(start);
  // A hint: where transparent huge pages are off, ordinary pages serve as before.
  madvise(data, bytes, MADV_HUGEPAGE);
  return {data, [raw](double*) { std::free(raw); }};
}

}  // namespace shipml
