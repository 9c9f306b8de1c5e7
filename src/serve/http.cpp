#include "shipml/serve/http.hpp"

#include <charconv>

namespace shipml::serve {
namespace {

char lower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i)
    if (lower(a[i]) != lower(b[i])) return false;
  return true;
}

// RFC 9110 token characters: what a method or header name may contain.
bool is_token(std::string_view s) {
  if (s.empty()) return false;
  for (unsigned char c : s) {
    if (c >= '0' && c <= '9') continue;
    if ((c | 0x20) >= 'a' && (c | 0x20) <= 'z') continue;
    if (std::string_view("!#$%&'*+-.^_`|~").find(static_cast<char>(c)) != std::string_view::npos) continue;
    return false;
  }
  return true;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// Splits off one line (CRLF or bare LF); false when no line end is in `rest`.
bool next_line(std::string_view& rest, std::string_view& line) {
  const auto lf = rest.find('\n');
  if (lf == std::string_view::npos) return false;
  line = rest.substr(0, lf);
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  rest.remove_prefix(lf + 1);
  return true;
}

ParseResult fail(int status, std::string message) {
  ParseResult r;
  r.state = ParseState::error;
  r.status = status;
  r.message = std::move(message);
  return r;
}

// Decodes a chunked body from `rest` into `out`; returns the bytes it took, 0
// when more input is needed, or sets `error`.
std::size_t decode_chunked(std::string_view rest, std::size_t max_body, std::string& out, ParseResult& error) {
  const std::size_t start = rest.size();
  out.clear();
  while (true) {
    std::string_view line;
    if (!next_line(rest, line)) return 0;
    line = line.substr(0, line.find(';'));  // chunk extensions are ignored
    line = trim(line);
    std::size_t size = 0;
    const auto [end, ec] = std::from_chars(line.data(), line.data() + line.size(), size, 16);
    if (line.empty() || ec != std::errc() || end != line.data() + line.size()) {
      error = fail(400, "malformed chunk size");
      return 0;
    }
    if (size == 0) break;
    if (size > max_body || out.size() + size > max_body) {
      error = fail(413, "request body is larger than the limit of " + std::to_string(max_body) + " bytes");
      return 0;
    }
    if (rest.size() < size + 2) return 0;
    out.append(rest.data(), size);
    rest.remove_prefix(size);
    if (rest.starts_with("\r\n")) rest.remove_prefix(2);
    else if (rest.starts_with("\n")) rest.remove_prefix(1);
    else {
      error = fail(400, "chunk data is not followed by a line end");
      return 0;
    }
  }
  // Trailers, ignored, up to the empty line.
  for (std::string_view line;;) {
    if (!next_line(rest, line)) return 0;
    if (line.empty()) break;
  }
  return start - rest.size();
}

}  // namespace

std::string_view HttpRequest::header(std::string_view name) const {
  for (const auto& [k, v] : headers)
    if (iequals(k, name)) return v;
  return {};
}

ParseResult parse_request(std::string_view buffer, const HttpLimits& limits, HttpRequest& request,
                          std::string& body_storage) {
  // Leading empty lines between pipelined requests are allowed (RFC 9112 2.2).
  std::size_t skipped = 0;
  while (skipped < buffer.size() && (buffer[skipped] == '\r' || buffer[skipped] == '\n')) ++skipped;
  std::string_view rest = buffer.substr(skipped);

  const auto head_end = rest.find("\n\r\n") != std::string_view::npos ? rest.find("\n\r\n") + 3
                        : rest.find("\n\n") != std::string_view::npos ? rest.find("\n\n") + 2
                                                                      : std::string_view::npos;
  if (head_end == std::string_view::npos) {
    if (rest.size() > limits.max_header_bytes) return fail(431, "request headers are larger than the limit");
    return {};
  }
  if (head_end > limits.max_header_bytes) return fail(431, "request headers are larger than the limit");

  std::string_view head = rest.substr(0, head_end);
  std::string_view line;
  next_line(head, line);
  const auto sp1 = line.find(' ');
  const auto sp2 = line.rfind(' ');
  if (sp1 == std::string_view::npos || sp2 == sp1) return fail(400, "malformed request line");
  request = HttpRequest{};
  request.method = line.substr(0, sp1);
  const std::string_view target = line.substr(sp1 + 1, sp2 - sp1 - 1);
  const std::string_view version = line.substr(sp2 + 1);
  if (!is_token(request.method)) return fail(400, "malformed request method");
  if (target.empty() || target.front() != '/' || target.find(' ') != std::string_view::npos)
    return fail(400, "malformed request target");
  if (version == "HTTP/1.1") request.minor_version = 1;
  else if (version == "HTTP/1.0") request.minor_version = 0;
  else if (version.starts_with("HTTP/")) return fail(505, "only HTTP/1.0 and HTTP/1.1 are supported");
  else return fail(400, "malformed request line");
  const auto q = target.find('?');
  request.path = target.substr(0, q);
  if (q != std::string_view::npos) request.query = target.substr(q + 1);

  std::size_t content_length = 0;
  bool has_length = false, chunked = false;
  request.keep_alive = request.minor_version == 1;
  while (next_line(head, line) && !line.empty()) {
    const auto colon = line.find(':');
    if (colon == std::string_view::npos || !is_token(line.substr(0, colon))) return fail(400, "malformed header line");
    const std::string_view name = line.substr(0, colon), value = trim(line.substr(colon + 1));
    request.headers.emplace_back(name, value);
    if (iequals(name, "content-length")) {
      std::size_t n = 0;
      const auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), n);
      if (value.empty() || ec != std::errc() || end != value.data() + value.size() ||
          (has_length && n != content_length))
        return fail(400, "invalid Content-Length");
      content_length = n;
      has_length = true;
    } else if (iequals(name, "transfer-encoding")) {
      if (!iequals(value, "chunked")) return fail(501, "only the chunked transfer encoding is supported");
      chunked = true;
    } else if (iequals(name, "connection")) {
      if (iequals(value, "close")) request.keep_alive = false;
      else if (iequals(value, "keep-alive")) request.keep_alive = true;
    }
  }
  if (chunked && has_length) return fail(400, "a request may not have both Content-Length and Transfer-Encoding");

  const std::size_t body_start = skipped + head_end;
  ParseResult r;
  r.head_complete = true;
  if (chunked) {
    const std::size_t used = decode_chunked(buffer.substr(body_start), limits.max_body_bytes, body_storage, r);
    if (r.state == ParseState::error) return r;
    if (used == 0) return r;  // incomplete
    request.body = body_storage;
    r.consumed = body_start + used;
  } else {
    if (content_length > limits.max_body_bytes)
      return fail(413, "request body is larger than the limit of " + std::to_string(limits.max_body_bytes) + " bytes");
    if (buffer.size() < body_start + content_length) {
      r.needed = body_start + content_length;
      return r;
    }
    request.body = buffer.substr(body_start, content_length);
    r.consumed = body_start + content_length;
  }
  r.state = ParseState::complete;
  return r;
}

std::string_view reason_phrase(int status) {
  switch (status) {
    case 100: return "Continue";
    case 200: return "OK";
    case 204: return "No Content";
    case 303: return "See Other";
    case 304: return "Not Modified";
    case 400: return "Bad Request";
    case 401: return "Unauthorized";
    case 403: return "Forbidden";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 408: return "Request Timeout";
    case 411: return "Length Required";
    case 413: return "Content Too Large";
    case 415: return "Unsupported Media Type";
    case 422: return "Unprocessable Content";
    case 431: return "Request Header Fields Too Large";
    case 500: return "Internal Server Error";
    case 501: return "Not Implemented";
    case 503: return "Service Unavailable";
    case 505: return "HTTP Version Not Supported";
    default: return "Unknown";
  }
}

void serialize(const HttpResponse& response, bool keep_alive, std::string& out) {
  char number[24];
  out += "HTTP/1.1 ";
  out.append(number, std::to_chars(number, number + sizeof number, response.status).ptr);
  out += ' ';
  out += reason_phrase(response.status);
  out += "\r\nServer: shipml\r\nContent-Type: ";
  out += response.content_type;
  out += "\r\nContent-Length: ";
  out.append(number, std::to_chars(number, number + sizeof number, response.body.size()).ptr);
  out += keep_alive ? "\r\n" : "\r\nConnection: close\r\n";
  for (const auto& [k, v] : response.headers) {
    out += k;
    out += ": ";
    out += v;
    out += "\r\n";
  }
  out += "\r\n";
  out += response.body;
}

bool constant_time_equal(std::string_view a, std::string_view b) {
  unsigned char diff = a.size() == b.size() ? 0 : 1;
  const std::size_t n = a.size() < b.size() ? a.size() : b.size();
  for (std::size_t i = 0; i < n; ++i) diff |= static_cast<unsigned char>(a[i] ^ b[i]);
  return diff == 0;
}

}  // namespace shipml::serve
