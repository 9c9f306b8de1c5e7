#include "shipml/core/large_block.hpp"

#include <sys/mman.h>

#include <cstdint>
#include <cstdlib>
#include <new>

namespace shipml {
namespace {

constexpr std::size_t kHugePage = std::size_t{2} << 20;
// From one huge page up. A 4 kB page's first touch can cost 10 us (a virtual
// machine's page faults: 11 us measured on the 2-core benchmark VM), so even
// one huge page saves 5 ms where its 512 small pages are faulted one by one.
constexpr std::size_t kLarge = kHugePage;

}  // namespace

void* allocate_large_block(std::size_t bytes) {
  if (bytes < kLarge) return ::operator new(bytes);
  // From malloc, not posix_memalign or mmap: a block freed by one batch serves
  // the next with its pages already there (glibc reuses it; an aligned
  // allocation of this size is mapped afresh each time). A huge page more,
  // never touched, leaves room to start the block on a huge-page boundary
  // with malloc's pointer kept just before it.
  void* raw = std::malloc(bytes + kHugePage + sizeof(void*));
  if (!raw) throw std::bad_alloc();
  const auto start = (reinterpret_cast<std::uintptr_t>(raw) + sizeof(void*) + kHugePage - 1) & ~(kHugePage - 1);
  void* block = reinterpret_cast<void*>(start);
  static_cast<void**>(block)[-1] = raw;
  // A hint, on whole huge pages only (a partly used last one would be held
  // whole): where transparent huge pages are off, ordinary pages serve as before.
  madvise(block, bytes & ~(kHugePage - 1), MADV_HUGEPAGE);
  return block;
}

void release_large_block(void* block, std::size_t bytes) noexcept {
  if (!block) return;
  if (bytes < kLarge) return ::operator delete(block);
  std::free(static_cast<void**>(block)[-1]);
}

std::shared_ptr<double[]> uninitialised_doubles(std::size_t count) {
  const std::size_t bytes = count * sizeof(double);
  return {static_cast<double*>(allocate_large_block(bytes)), [bytes](double* p) { release_large_block(p, bytes); }};
}

}  // namespace shipml
