#pragma once
/// \file
/// Little-endian binary encoding of fitted state (model file bodies). The reader
/// checks every length against what is left, so a truncated or corrupted body is
/// a ModelError, never an out-of-bounds read or a huge allocation.
#include <algorithm>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include "shipml/core/error.hpp"
#include "shipml/core/export.hpp"

namespace shipml {

/// Writes fitted state as little-endian bytes: the body of a model file.
class SHIPML_API BinaryWriter {
 public:
  /// The model-file format version the bytes are written in (0: not a model
  /// file's body). A state whose layout grew in a later version writes by it.
  std::uint32_t format_version = 0;
  /// Appends one byte.
  void u8(std::uint8_t v) { raw(&v, 1); }
  /// Appends a 32-bit unsigned integer (4 bytes).
  void u32(std::uint32_t v) { raw(&v, 4); }
  /// Appends a 64-bit unsigned integer (8 bytes).
  void u64(std::uint64_t v) { raw(&v, 8); }
  /// Appends a 64-bit signed integer (8 bytes).
  void i64(std::int64_t v) { raw(&v, 8); }
  /// Appends a double (8 bytes, IEEE 754).
  void f64(double v) { raw(&v, 8); }
  /// Appends a string: its length as u64, then its bytes.
  void text(std::string_view s) {
    u64(s.size());
    raw(s.data(), s.size());
  }
  /// Appends a vector of trivially copyable values: its size as u64, then their bytes.
  template <class T, class Allocator>
  void array(const std::vector<T, Allocator>& v) {
    static_assert(std::is_trivially_copyable_v<T>);
    u64(v.size());
    raw(v.data(), v.size() * sizeof(T));
  }
  /// Appends a list of strings: its size as u64, then each as text().
  void texts(const std::vector<std::string>& v) {
    u64(v.size());
    for (const auto& s : v) text(s);
  }
  /// The bytes written so far.
  const std::string& data() const { return out_; }

 private:
  void raw(const void* p, std::size_t n) { out_.append(static_cast<const char*>(p), n); }
  std::string out_;
};

/// Reads what BinaryWriter wrote, checking every length against the bytes left;
/// running past the end is a ModelError.
class SHIPML_API BinaryReader {
 public:
  /// Reads `data`, which must outlive the reader.
  explicit BinaryReader(std::string_view data) : data_(data) {}
  /// The model-file format version of the bytes (0: not a model file's body).
  /// A state whose layout grew in a later version reads by it.
  std::uint32_t format_version = 0;
  /// Reads one byte.
  std::uint8_t u8() { return scalar<std::uint8_t>(); }
  /// Reads a 32-bit unsigned integer.
  std::uint32_t u32() { return scalar<std::uint32_t>(); }
  /// Reads a 64-bit unsigned integer.
  std::uint64_t u64() { return scalar<std::uint64_t>(); }
  /// Reads a 64-bit signed integer.
  std::int64_t i64() { return scalar<std::int64_t>(); }
  /// Reads a double.
  double f64() { return scalar<double>(); }
  /// Reads a string written by BinaryWriter::text.
  std::string text() {
    const std::uint64_t n = count(1);
    std::string s(data_.substr(pos_, n));
    pos_ += n;
    return s;
  }
  /// Reads a vector written by BinaryWriter::array.
  template <class T>
  std::vector<T> array() {
    const std::uint64_t n = count(sizeof(T));
    std::vector<T> v(n);
    if (n) std::memcpy(v.data(), data_.data() + pos_, n * sizeof(T));
    pos_ += n * sizeof(T);
    return v;
  }
  /// Reads a list of strings written by BinaryWriter::texts.
  std::vector<std::string> texts() {
    const std::uint64_t n = count(8);  // each string has at least its 8-byte length
    std::vector<std::string> v;
    v.reserve(n);
    for (std::uint64_t i = 0; i < n; ++i) v.push_back(text());
    return v;
  }
  /// A count read from the data, checked against the bytes left for its items
  /// before anything is allocated for them. Every item takes at least a byte,
  /// so no count, whatever the item, asks for more items than there are bytes.
  std::uint64_t count(std::size_t item_size) {
    const std::uint64_t n = u64();
    if (n > remaining() / std::max<std::size_t>(item_size, 1)) fail("a length runs past the end");
    return n;
  }
  /// How many bytes are left to read.
  std::size_t remaining() const { return data_.size() - pos_; }
  /// Whether every byte has been read.
  bool at_end() const { return pos_ == data_.size(); }
  /// Throws a ModelError saying the body is corrupted and what was wrong.
  [[noreturn]] static void fail(const std::string& what) { throw ModelError("model body is corrupted: " + what); }

 private:
  template <class T>
  T scalar() {
    if (data_.size() - pos_ < sizeof(T)) fail("unexpected end of data");
    T v;
    std::memcpy(&v, data_.data() + pos_, sizeof(T));
    pos_ += sizeof(T);
    return v;
  }
  std::string_view data_;
  std::size_t pos_ = 0;
};

}  // namespace shipml
