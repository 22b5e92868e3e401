// SPDX-License-Identifier: MIT
// The client's response parser on inputs its fuzz target (tests/fuzz/response_fuzz.cpp)
// found accepted or mangled: each case is one finding, fixed in src/client/response_parser.
#include "client/response_parser.hpp"

#include <doctest/doctest.h>

#include <string>
#include <string_view>

using swoop::HeaderList;
using swoop::http::ClientResponse;
using swoop::http::detail::ResponseParser;
using State = ResponseParser::State;

namespace {

struct Parsed {
  State state;
  std::string error;
  ClientResponse response;
  bool reusable;
};

Parsed parse(std::string_view bytes, bool head = false) {
  Parsed out{};
  ResponseParser parser{out.response, head, 1024};
  out.state = parser.feed(bytes);
  out.error = out.state == State::error ? parser.error() : "";
  out.reusable = parser.is_reusable();
  return out;
}

}  // namespace

TEST_SUITE("client response parser") {
  TEST_CASE("a status code that is not three digits is a protocol error") {
    const Parsed p = parse("HTTP/1.1 2 \r\n\r\n");
    CHECK(p.state == State::error);
    CHECK(p.error == "invalid status code 2");
    CHECK(parse("HTTP/1.1 099 x\r\nContent-Length: 0\r\n\r\n").state == State::error);
    CHECK(parse("HTTP/1.1 600 x\r\nContent-Length: 0\r\n\r\n").state == State::error);
    CHECK(parse("HTTP/1.1 599 x\r\nContent-Length: 0\r\n\r\n").state == State::complete);
  }

  TEST_CASE("a response that is not HTTP/1.x is a protocol error") {
    const Parsed p = parse("HTTP/2.0 200 OK\r\nContent-Length: 0\r\n\r\n");
    CHECK(p.state == State::error);
    CHECK(p.error == "not an HTTP/1.x response");
    CHECK(parse("HTTP/1.0 200 OK\r\nContent-Length: 0\r\n\r\n").state == State::complete);
  }

  TEST_CASE("a header line without a name is a protocol error") {
    const Parsed p = parse("HTTP/1.1 200 OK\r\n: x\r\nContent-Length: 0\r\n\r\n");
    CHECK(p.state == State::error);
    CHECK(p.error == "a header line without a name");
  }

  TEST_CASE("trailer fields are not merged into the headers") {
    const Parsed p = parse(
        "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
        "5\r\nhello\r\n0\r\nContent-Length: 99\r\nX-Trailer: t\r\n\r\n");
    REQUIRE(p.state == State::complete);
    CHECK(p.response.body == "hello");
    CHECK(p.response.headers == HeaderList{{"Transfer-Encoding", "chunked"}});
    CHECK(p.reusable);
  }

  TEST_CASE("an interim response's headers are dropped, an empty value stays its own header") {
    const Parsed p = parse(
        "HTTP/1.1 100 Continue\r\nX-Interim: 1\r\n\r\n"
        "HTTP/1.1 404 Not Found\r\nA:\r\nB: x\r\nContent-Length: 0\r\n\r\n");
    REQUIRE(p.state == State::complete);
    CHECK(p.response.status == 404);
    CHECK(p.response.headers == HeaderList{{"A", ""}, {"B", "x"}, {"Content-Length", "0"}});
  }

  TEST_CASE("bytes after a complete response make the connection not reusable") {
    CHECK(parse("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok").reusable);
    CHECK_FALSE(parse("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nokHTTP/1.1").reusable);
    CHECK_FALSE(
        parse("HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok").reusable);
  }

  TEST_CASE("a 101 response never leaves the connection reusable, whatever Connection says") {
    // RFC 9110 15.2.2: after a 101 the connection speaks another protocol.
    const Parsed upgrade = parse(
        "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n");
    REQUIRE(upgrade.state == State::complete);
    CHECK(upgrade.response.status == 101);
    CHECK_FALSE(upgrade.reusable);
    CHECK_FALSE(parse("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n"
                      "Connection: keep-alive\r\n\r\n")
                    .reusable);
    CHECK_FALSE(parse("HTTP/1.1 101 Switching Protocols\r\n\r\n").reusable);
    CHECK(parse("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n").reusable);
  }

  TEST_CASE("leftover counts the bytes after the response, after a 101 too") {
    ClientResponse first;
    ResponseParser parser{first, false, 1024};
    const std::string_view two =
        "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"
        "HTTP/1.1 204 No Content\r\n\r\n";
    REQUIRE(parser.feed(two) == State::complete);
    CHECK(first.body == "ok");
    CHECK(two.substr(two.size() - parser.leftover()) == "HTTP/1.1 204 No Content\r\n\r\n");

    ClientResponse upgrade;
    ResponseParser ws{upgrade, false, 1024};
    CHECK(ws.feed("HTTP/1.1 101 Switching Protocols\r\nUpgrade: web") == State::incomplete);
    const std::string_view rest = "socket\r\nConnection: Upgrade\r\n\r\n\x81\x02hi";
    REQUIRE(ws.feed(rest) == State::complete);
    CHECK(upgrade.status == 101);
    CHECK(rest.substr(rest.size() - ws.leftover()) == "\x81\x02hi");

    ClientResponse exact;
    ResponseParser one{exact, false, 1024};
    REQUIRE(one.feed("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n") == State::complete);
    CHECK(one.leftover() == 0);
  }

  TEST_CASE("a HEAD response has no body whatever Content-Length says") {
    const Parsed p = parse("HTTP/1.1 200 OK\r\nContent-Length: 5000\r\n\r\n", true);
    REQUIRE(p.state == State::complete);
    CHECK(p.response.body.empty());
    CHECK(p.reusable);
  }
}
