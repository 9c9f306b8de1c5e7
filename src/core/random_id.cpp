#include <cstdint>
#include <random>

#include "shipml/core/random.hpp"

namespace shipml {

std::string random_id() {
  std::random_device device;
  static constexpr char hex[] = "0123456789abcdef";
  std::string id;
  for (int i = 0; i < 4; ++i) {
    std::uint32_t bits = device();
    for (int k = 0; k < 8; ++k, bits >>= 4) id += hex[bits & 15];
  }
  return id;
}

}  // namespace shipml
