#pragma once
/// \file
/// FNV-1a, 64 bit: the checksum of model files and the fingerprint of data.
/// Not cryptographic; it detects corruption and tells data sets apart.
#include <cstdint>
#include <string>
#include <string_view>

#include "shipml/core/export.hpp"

namespace shipml {

/// FNV-1a, 64 bit, over bytes, texts and values; see word() for fingerprints.
class SHIPML_API Hasher {
 public:
  /// Mixes in `size` bytes.
  Hasher& bytes(const void* data, std::size_t size) {
    const auto* p = static_cast<const unsigned char*>(data);
    for (std::size_t i = 0; i < size; ++i) {
      state_ ^= p[i];
      state_ *= 0x100000001b3ULL;
    }
    return *this;
  }
  /// Mixes in a string's length, then its bytes, so ("ab", "c") and ("a", "bc") differ.
  Hasher& text(std::string_view s) {
    const std::uint64_t n = s.size();
    bytes(&n, sizeof n);
    return bytes(s.data(), s.size());
  }
  /// Mixes in the bytes of a trivially copyable value.
  template <class T>
  Hasher& value(const T& v) {
    return bytes(&v, sizeof v);
  }
  /// Mixes a whole 64-bit word in one step: eight times fewer multiplies than
  /// bytes(), for fingerprints of millions of values (not the file checksum,
  /// which stays byte-wise FNV-1a).
  Hasher& word(std::uint64_t w) {
    state_ = (state_ ^ w) * 0x100000001b3ULL;
    state_ ^= state_ >> 29;
    return *this;
  }
  /// The hash so far.
  std::uint64_t digest() const { return state_; }
  /// The hash as 16 lowercase hexadecimal digits.
  std::string hex() const;

 private:
  std::uint64_t state_ = 0xcbf29ce484222325ULL;
};

inline std::string Hasher::hex() const {
  static const char* digits = "0123456789abcdef";
  std::string out(16, '0');
  for (int i = 0; i < 16; ++i) out[15 - i] = digits[(state_ >> (4 * i)) & 0xf];
  return out;
}

}  // namespace shipml
