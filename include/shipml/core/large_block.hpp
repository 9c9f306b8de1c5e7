#pragma once
/// \file
/// Storage about to be written whole (an encoded batch, binned rows): left
/// uninitialised (zeroing it first would be one more pass over memory, and
/// a page fault a 4 kB page in one thread), and when large, asked of the
/// kernel on 2 MB pages, so that touching it costs a few page faults instead
/// of one per 4 kB (numpy does the same for its arrays).
#include <cstddef>
#include <memory>
#include <new>
#include <utility>

#include "shipml/core/export.hpp"

namespace shipml {

/// `bytes` bytes, uninitialised, aligned as operator new aligns. Throws
/// std::bad_alloc when there is no memory. Give it back with release_large_block.
SHIPML_API void* allocate_large_block(std::size_t bytes);
/// Frees a block of allocate_large_block(bytes).
SHIPML_API void release_large_block(void* block, std::size_t bytes) noexcept;

/// `count` doubles, uninitialised. Throws std::bad_alloc when there is no memory.
SHIPML_API std::shared_ptr<double[]> uninitialised_doubles(std::size_t count);

/// A vector's allocator for elements about to be written whole: resize()
/// leaves them uninitialised, and large vectors come from allocate_large_block.
template <class T>
struct UninitialisedAllocator {
  using value_type = T;  ///< What it allocates.
  UninitialisedAllocator() = default;
  /// Every such allocator serves every other's blocks: it holds nothing.
  template <class U>
  UninitialisedAllocator(const UninitialisedAllocator<U>&) noexcept {}
  /// Room for `n` elements, uninitialised.
  T* allocate(std::size_t n) { return static_cast<T*>(allocate_large_block(n * sizeof(T))); }
  /// Frees what allocate(n) gave.
  void deallocate(T* p, std::size_t n) noexcept { release_large_block(p, n * sizeof(T)); }
  /// A new element without a value: left as it is, for the writer to fill.
  template <class U>
  void construct(U* p) noexcept {
    ::new (static_cast<void*>(p)) U;  // default-initialised: left as it is
  }
  /// A new element from a value (insert, push_back, assign): as std::allocator.
  template <class U, class... Args>
  void construct(U* p, Args&&... args) {
    ::new (static_cast<void*>(p)) U(std::forward<Args>(args)...);
  }
  /// Always equal: blocks move between vectors freely.
  template <class U>
  bool operator==(const UninitialisedAllocator<U>&) const noexcept {
    return true;
  }
};

}  // namespace shipml
