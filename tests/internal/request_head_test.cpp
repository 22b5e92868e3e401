// SPDX-License-Identifier: MIT
// The head of an outbound request (src/client/request_head), built for Client and TestClient.
#include "client/request_head.hpp"

#include <doctest/doctest.h>

#include <string>

#include "swoop/client.hpp"

using swoop::HeaderList;
using swoop::http::ClientError;
using swoop::http::detail::request_head;

TEST_SUITE("request head") {
  TEST_CASE("a GET gets Host and User-Agent, no Content-Length") {
    CHECK(request_head("GET", "/a?b=1", "example.com:8080", {}, 0, "swoop") ==
          "GET /a?b=1 HTTP/1.1\r\nHost: example.com:8080\r\nUser-Agent: swoop\r\n\r\n");
    CHECK(request_head("GET", "/", "h", {}, 0, "") == "GET / HTTP/1.1\r\nHost: h\r\n\r\n");
  }

  TEST_CASE("given Host and User-Agent replace the defaults, in the given order and case") {
    const HeaderList given{{"user-agent", "me"}, {"X-A", "1"}, {"HOST", "other"}};
    CHECK(request_head("GET", "/", "h", given, 0, "swoop") ==
          "GET / HTTP/1.1\r\nuser-agent: me\r\nX-A: 1\r\nHOST: other\r\n\r\n");
  }

  TEST_CASE("a body or a POST, PUT or PATCH gets Content-Length unless a length is given") {
    CHECK(request_head("POST", "/", "h", {}, 0, "") ==
          "POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 0\r\n\r\n");
    CHECK(request_head("DELETE", "/", "h", {}, 3, "") ==
          "DELETE / HTTP/1.1\r\nHost: h\r\nContent-Length: 3\r\n\r\n");
    CHECK(request_head("PUT", "/", "h", {{"content-length", "3"}}, 3, "") ==
          "PUT / HTTP/1.1\r\nHost: h\r\ncontent-length: 3\r\n\r\n");
    // RFC 9112 6.2: never Content-Length next to Transfer-Encoding.
    CHECK(request_head("POST", "/", "h", {{"Transfer-Encoding", "chunked"}}, 9, "") ==
          "POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n");
  }

  TEST_CASE("a method or header that could split the request is refused") {
    CHECK_THROWS_AS(request_head("GET /x", "/", "h", {}, 0, ""), ClientError);
    CHECK_THROWS_AS(request_head("GET", "/", "h", {{"X-A", "1\r\nEvil: 1"}}, 0, ""), ClientError);
    CHECK_THROWS_AS(request_head("GET", "/", "h", {{"X-A", std::string{"a\0b", 3}}}, 0, ""),
                    ClientError);
    CHECK_THROWS_AS(request_head("GET", "/", "h", {{"Bad Name", "1"}}, 0, ""), ClientError);
    CHECK_THROWS_AS(request_head("GET", "/", "h", {{"", "1"}}, 0, ""), ClientError);
  }
}
