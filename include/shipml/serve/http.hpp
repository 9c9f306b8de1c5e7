#pragma once
/// \file
/// HTTP/1.1 messages as the server sees them: an incremental request parser that
/// never trusts the client (bounded header and body sizes, strict framing,
/// chunked bodies decoded), and a response that serialises itself.
#include <cstddef>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "shipml/core/export.hpp"

namespace shipml::serve {

/// One parsed request. Its views point into the connection's buffer, or into
/// the body storage of a chunked body.
struct SHIPML_API HttpRequest {
  /// The method ("GET", "POST").
  std::string_view method, path, query;  ///< the query string, after '?' ("" when none)
  /// \var path
  /// The target's path, without the query string.
  int minor_version = 1;                                               ///< the `minor_version` of HTTP/1.x
  std::vector<std::pair<std::string_view, std::string_view>> headers;  ///< name and value of each header, in order
  std::string_view body;                                               ///< the body (a chunked body decoded)
  bool keep_alive = true;  ///< whether the connection stays open after the response

  /// The value of a header (case-insensitive name), or "" when absent.
  std::string_view header(std::string_view name) const;
};

/// How large a request may be before it is refused.
struct SHIPML_API HttpLimits {
  std::size_t max_header_bytes = 64 * 1024;      ///< request line and headers (431 when over)
  std::size_t max_body_bytes = 8 * 1024 * 1024;  ///< the body (413 when over)
};

/// How far parsing got.
enum class ParseState {
  complete,    ///< a whole request is in the buffer
  incomplete,  ///< more bytes are needed
  error        ///< the request is malformed or too large: answer with ParseResult::status
};

/// What parse_request() found.
struct SHIPML_API ParseResult {
  ParseState state = ParseState::incomplete;  ///< how far parsing got
  std::size_t consumed = 0;                   ///< bytes of the buffer the complete request took
  int status = 0;                             ///< error: the status to answer with (400, 413, 431, 501, 505)
  std::string message;                        ///< error: what was wrong
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

/// A response the handler fills in and serialize() turns into bytes.
struct SHIPML_API HttpResponse {
  int status = 200;                                          ///< the status code
  std::string content_type = "application/json";             ///< the Content-Type header
  std::string body;                                          ///< the body
  std::vector<std::pair<std::string, std::string>> headers;  ///< extra headers
  bool close = false;                                        ///< close the connection after sending

  /// Sets the status code, the body and its content type at once.
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
