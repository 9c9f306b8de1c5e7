#include "request_id.hpp"

#include <random>

#include "request_table.hpp"

namespace shipml::serve {

std::string new_request_id() {
  // One generator per thread, seeded from the OS: no lock on the request path,
  // and two threads (or two servers) never share a sequence.
  thread_local std::mt19937_64 bits = [] {
    std::random_device os;
    std::seed_seq seed{os(), os(), os(), os(), os(), os(), os(), os()};
    return std::mt19937_64(seed);
  }();
  static constexpr char kHex[] = "0123456789abcdef";
  std::string id(32, '0');
  for (int half = 0; half < 2; ++half) {
    std::uint64_t v = bits();
    for (int i = 0; i < 16; ++i, v >>= 4) id[static_cast<std::size_t>(half * 16 + i)] = kHex[v & 15];
  }
  return id;
}

std::string request_id_of(const HttpRequest& request) {
  const std::string_view given = request.header("x-request-id");
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
