#include "request_id.hpp"

#include <random>

#include "request_table.hpp"

namespace shipml::serve {

namespace {

// One generator per thread, seeded from the OS: no lock on the request path,
// and two threads (or two servers) never share a sequence.
std::mt19937_64& thread_bits() {
  thread_local std::mt19937_64 bits = [] {
    std::random_device os;
    std::seed_seq seed{os(), os(), os(), os(), os(), os(), os(), os()};
    return std::mt19937_64(seed);
  }();
  return bits;
}

// The top 53 bits of `bits` as a double in [0, 1).
double unit(std::uint64_t bits) { return static_cast<double>(bits >> 11) * 0x1.0p-53; }

}  // namespace

double key_position(std::string_view key, std::uint64_t salt) {
  // FNV-1a (over the salt's bytes, then the key's), then a splitmix64 finish so
  // that keys differing in their last character spread over the whole range.
  std::uint64_t h = 1469598103934665603ULL;
  for (int i = 0; salt != 0 && i < 8; ++i) h = (h ^ ((salt >> (8 * i)) & 0xff)) * 1099511628211ULL;
  for (unsigned char c : key) h = (h ^ c) * 1099511628211ULL;
  h ^= h >> 30;
  h *= 0xbf58476d1ce4e5b9ULL;
  h ^= h >> 27;
  h *= 0x94d049bb133111ebULL;
  return unit(h ^ (h >> 31));
}

double random_position() { return unit(thread_bits()()); }

std::string new_request_id() {
  std::mt19937_64& bits = thread_bits();
  static constexpr char kHex[] = "0123456789abcdef";
  std::string id(32, '0');
  for (int half = 0; half < 2; ++half) {
    std::uint64_t v = bits();
    for (int i = 0; i < 16; ++i, v >>= 4) id[static_cast<std::size_t>(half * 16 + i)] = kHex[v & 15];
  }
  return id;
}

std::string request_id_of(const HttpRequest& request) { return request_id_from(request.header("x-request-id")); }

std::string request_id_from(std::string_view given) {
  if (given.empty()) return new_request_id();
  if (given.size() > kMaxRequestIdBytes)
    throw RequestError(400, "X-Request-Id is " + std::to_string(given.size()) + " bytes long; at most " +
                                std::to_string(kMaxRequestIdBytes) + " are accepted");
  for (unsigned char c : given)
    if (c <= 0x20 || c >= 0x7f)
      throw RequestError(400, "X-Request-Id may hold only printable ASCII characters without spaces");
  return std::string(given);
}

}  // namespace shipml::serve
