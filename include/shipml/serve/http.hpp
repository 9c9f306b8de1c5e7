#pragma once
// HTTP/1.1 messages as the server sees them: an incremental request parser that
// never trusts the client (bounded header and body sizes, strict framing,
// chunked bodies decoded), and a response that serialises itself.
#include <cstddef>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "shipml/core/export.hpp"

namespace shipml::serve {

struct SHIPML_API HttpRequest {
  std::string_view method, path, query;  // views into the connection's buffer
  int minor_version = 1;                 // HTTP/1.<minor_version>
  std::vector<std::pair<std::string_view, std::string_view>> headers;
  std::string_view body;
  bool keep_alive = true;

  /// The value of a header (case-insensitive name), or "" when absent.
  std::string_view header(std::string_view name) const;
};

struct SHIPML_API HttpLimits {
  std::size_t max_header_bytes = 64 * 1024;
  std::size_t max_body_bytes = 8 * 1024 * 1024;
};

enum class ParseState { complete, incomplete, error };

struct SHIPML_API ParseResult {
  ParseState state = ParseState::incomplete;
  std::size_t consumed = 0;  // bytes of the buffer the complete request took
  int status = 0;            // error: the status to answer with (400, 413, 431, 501, 505)
  std::string message;       // error: what was wrong
  /// incomplete: the buffer must hold at least this many bytes before parsing
  /// can succeed (0 when unknown), so a large body is not re-parsed per read.
  std::size_t needed = 0;
  /// incomplete: the headers are in and the body is still to come (a client
  /// that sent `Expect: 100-continue` waits for an interim response now).
  bool head_complete = false;
};

/// Parses one request from the start of `buffer`. The request's views point into
/// `buffer`, or into `body_storage` for a chunked body.
SHIPML_API ParseResult parse_request(std::string_view buffer, const HttpLimits& limits, HttpRequest& request,
                          std::string& body_storage);

struct SHIPML_API HttpResponse {
  int status = 200;
  std::string content_type = "application/json";
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;  // extra headers
  bool close = false;                                        // close the connection after sending

  void set(int status_code, std::string content, std::string type = "application/json") {
    status = status_code;
    body = std::move(content);
    content_type = std::move(type);
  }
};

/// The standard reason phrase of a status code ("Not Found").
SHIPML_API std::string_view reason_phrase(int status);

/// Appends the response's bytes to `out`; `keep_alive` says what the
/// Connection header promises.
SHIPML_API void serialize(const HttpResponse& response, bool keep_alive, std::string& out);

/// Compares two secrets in time that depends only on their lengths.
SHIPML_API bool constant_time_equal(std::string_view a, std::string_view b);

}  // namespace shipml::serve
