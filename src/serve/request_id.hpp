#pragma once
// The request id of an inference request: the client's X-Request-Id when it
// sends one (so its logs and ours join), or a fresh one. Returned in the
// response's X-Request-Id and kept in the prediction log.
#include <cstdint>
#include <string>
#include <string_view>

#include "shipml/serve/http.hpp"

namespace shipml::serve {

/// The longest X-Request-Id accepted.
inline constexpr std::size_t kMaxRequestIdBytes = 128;

/// The request's X-Request-Id, or a new one when it sends none. A 400
/// RequestError when it is longer than kMaxRequestIdBytes or has a character
/// other than printable ASCII without spaces.
std::string request_id_of(const HttpRequest& request);
/// The same for an id sent some other way (gRPC's `x-request-id` metadata); empty: a new one.
std::string request_id_from(std::string_view given);
/// 128 random bits as 32 hexadecimal digits.
std::string new_request_id();

/// Where `key` falls in [0, 1): a stable hash, the same on every build and
/// machine, so a key always lands in the same place (a request id is logged or
/// not, a user is always sent to the same variant). Decisions made with
/// different salts are independent of each other.
double key_position(std::string_view key, std::uint64_t salt = 0);
/// A uniform draw from [0, 1) from this thread's generator.
double random_position();

}  // namespace shipml::serve
