// The HTTP/1.1 request parser: framing, limits, and every way a request can be malformed.
#include <gtest/gtest.h>

#include "shipml/serve/http.hpp"

namespace shipml::serve {
namespace {

struct Parsed {
  ParseResult result;
  HttpRequest request;
  std::string storage;
};

Parsed parse(std::string_view text, HttpLimits limits = {}) {
  Parsed p;
  p.result = parse_request(text, limits, p.request, p.storage);
  return p;
}

TEST(HttpParser, ReadsRequestLineHeadersAndBody) {
  const std::string text = "POST /v2/models/m/infer?x=1 HTTP/1.1\r\nHost: a\r\nContent-Type:  application/json \r\n"
                           "Content-Length: 4\r\n\r\nbodyNEXT";
  const auto p = parse(text);
  ASSERT_EQ(p.result.state, ParseState::complete);
  EXPECT_EQ(p.request.method, "POST");
  EXPECT_EQ(p.request.path, "/v2/models/m/infer");
  EXPECT_EQ(p.request.query, "x=1");
  EXPECT_EQ(p.request.header("content-type"), "application/json");
  EXPECT_EQ(p.request.header("CONTENT-TYPE"), "application/json");
  EXPECT_EQ(p.request.header("absent"), "");
  EXPECT_EQ(p.request.body, "body");
  EXPECT_EQ(p.result.consumed, text.size() - 4);
  EXPECT_TRUE(p.request.keep_alive);
}

TEST(HttpParser, SaysHowManyBytesABodyStillNeeds) {
  const std::string head = "POST / HTTP/1.1\r\nContent-Length: 100\r\nExpect: 100-continue\r\n\r\n";
  const std::string text = head + "abc";  // the request's views point into it
  const auto p = parse(text);
  EXPECT_EQ(p.result.state, ParseState::incomplete);
  EXPECT_EQ(p.result.needed, head.size() + 100);
  EXPECT_TRUE(p.result.head_complete);
  EXPECT_EQ(p.request.header("expect"), "100-continue");
  const auto partial_head = parse("GET / HTTP/1.1\r\nHost:");
  EXPECT_EQ(partial_head.result.state, ParseState::incomplete);
  EXPECT_FALSE(partial_head.result.head_complete);
}

TEST(HttpParser, KeepAliveFollowsTheVersionAndTheConnectionHeader) {
  EXPECT_FALSE(parse("GET / HTTP/1.0\r\n\r\n").request.keep_alive);
  EXPECT_TRUE(parse("GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n").request.keep_alive);
  EXPECT_FALSE(parse("GET / HTTP/1.1\r\nConnection: close\r\n\r\n").request.keep_alive);
}

TEST(HttpParser, AcceptsBareLineFeedsAndLeadingEmptyLines) {
  const auto p = parse("\r\n\nGET /ping HTTP/1.1\nHost: x\n\n");
  ASSERT_EQ(p.result.state, ParseState::complete);
  EXPECT_EQ(p.request.path, "/ping");
  EXPECT_EQ(p.request.header("host"), "x");
}

TEST(HttpParser, DecodesChunkedBodies) {
  const std::string text =
      "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n4;ext=1\r\nWiki\r\n5\r\npedia\r\n0\r\nTrailer: x\r\n\r\n";
  const auto p = parse(text);
  ASSERT_EQ(p.result.state, ParseState::complete);
  EXPECT_EQ(p.request.body, "Wikipedia");
  EXPECT_EQ(p.result.consumed, text.size());
  EXPECT_EQ(parse(text.substr(0, text.size() - 3)).result.state, ParseState::incomplete);
}

TEST(HttpParser, RefusesMalformedRequestsWithTheRightStatus) {
  struct Case {
    std::string text;
    int status;
  };
  const Case cases[] = {
      {"GET\r\n\r\n", 400},
      {"GET / HTTP/1.1 extra\r\n\r\n", 400},
      {"G(T / HTTP/1.1\r\n\r\n", 400},
      {"GET nopath HTTP/1.1\r\n\r\n", 400},
      {"GET / HTTP/2.0\r\n\r\n", 505},
      {"GET / FTP/1.0\r\n\r\n", 400},
      {"GET / HTTP/1.1\r\nno colon here\r\n\r\n", 400},
      {"GET / HTTP/1.1\r\nbad name: x\r\n\r\n", 400},
      {"POST / HTTP/1.1\r\nContent-Length: -1\r\n\r\n", 400},
      {"POST / HTTP/1.1\r\nContent-Length: 12abc\r\n\r\n", 400},
      {"POST / HTTP/1.1\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nab", 400},
      {"POST / HTTP/1.1\r\nContent-Length: 99999999999999999999999\r\n\r\n", 400},
      {"POST / HTTP/1.1\r\nTransfer-Encoding: gzip\r\n\r\n", 501},
      {"POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\nContent-Length: 3\r\n\r\n", 400},
      {"POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n", 400},
      {"POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabcX\r\n", 400},
  };
  for (const auto& c : cases) {
    const auto p = parse(c.text);
    EXPECT_EQ(p.result.state, ParseState::error) << c.text;
    EXPECT_EQ(p.result.status, c.status) << c.text;
    EXPECT_FALSE(p.result.message.empty()) << c.text;
  }
}

TEST(HttpParser, EnforcesHeaderAndBodyLimits) {
  HttpLimits small;
  small.max_header_bytes = 64;
  small.max_body_bytes = 10;
  EXPECT_EQ(parse("GET / HTTP/1.1\r\nX: " + std::string(100, 'a'), small).result.status, 431);
  EXPECT_EQ(parse("GET / HTTP/1.1\r\nX: " + std::string(100, 'a') + "\r\n\r\n", small).result.status, 431);
  EXPECT_EQ(parse("POST / HTTP/1.1\r\nContent-Length: 11\r\n\r\n", small).result.status, 413);
  EXPECT_EQ(parse("POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n8\r\n12345678\r\n8\r\n", small).result.status,
            413);
}

TEST(HttpResponse, SerialisesStatusHeadersAndLength) {
  HttpResponse r;
  r.set(404, "{\"error\":\"x\"}");
  r.headers.emplace_back("Allow", "GET");
  std::string out;
  serialize(r, false, out);
  EXPECT_EQ(out, "HTTP/1.1 404 Not Found\r\nServer: shipml\r\nContent-Type: application/json\r\nContent-Length: 13\r\n"
                 "Connection: close\r\nAllow: GET\r\n\r\n{\"error\":\"x\"}");
}

TEST(ConstantTimeEqual, ComparesWholeSecrets) {
  EXPECT_TRUE(constant_time_equal("secret", "secret"));
  EXPECT_FALSE(constant_time_equal("secret", "secreT"));
  EXPECT_FALSE(constant_time_equal("secret", "secret2"));
  EXPECT_FALSE(constant_time_equal("", "x"));
}

}  // namespace
}  // namespace shipml::serve
