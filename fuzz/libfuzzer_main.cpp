// libFuzzer entry point; FUZZ_TARGET picks the harness (see fuzz/CMakeLists.txt).
#include "harnesses.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  return shipml::fuzz::FUZZ_TARGET(data, size);
}
