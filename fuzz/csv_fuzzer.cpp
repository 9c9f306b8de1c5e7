#include <string_view>

#include "harnesses.hpp"
#include "shipml/shipml.hpp"

namespace shipml::fuzz {

int csv(const std::uint8_t* data, std::size_t size) {
  try {
    const Frame f = parse_csv(std::string_view(reinterpret_cast<const char*>(data), size), {}, "fuzz.csv");
    // Whatever was read must write and read back to the same shape.
    if (f.cols() > 0) {
      const Frame again = parse_csv(to_csv(f), {}, "fuzz-again.csv");
      if (again.rows() != f.rows() || again.cols() != f.cols()) __builtin_trap();
    }
  } catch (const Error&) {
  }
  return 0;
}

}  // namespace shipml::fuzz
