// SPDX-License-Identifier: MIT
// ResponseWriter (src/server/response_writer.cpp): the bytes of HTTP/1.1 responses, byte for
// byte, and the two decisions it owns (does a response carry a body, may the connection stay).
#include "server/response_writer.hpp"

#include <doctest/doctest.h>

#include <string>

#include "http/request_builder.hpp"
#include "swoop/swoop.hpp"

namespace {

using swoop::Response;
using swoop::detail::ResponseWriter;

constexpr std::string_view stamp = "Server: swoop\r\nDate: Sun, 06 Dec 2026 02:00:00 GMT\r\n";

std::string write(const Response& res, int version = 11, bool head = false, bool keep = true) {
  std::string out = "before|";
  ResponseWriter{out, stamp}.response(res, version, head, keep);
  return out;
}

Response streamed(std::optional<std::uint64_t> length) {
  return swoop::stream([](swoop::ResponseStream&) -> swoop::Task<void> { co_return; },
                       {.content_type = "text/plain", .length = length});
}

// A request as the parser leaves it: version and keep-alive set.
struct ParsedRequest {
  explicit ParsedRequest(std::string_view head, bool keep_alive) : bytes(head) {
    swoop::detail::RequestBuilder::set_base(req, bytes.data());
    const auto target = static_cast<std::uint32_t>(bytes.find(' ') + 1);
    swoop::detail::HeadLayout layout{.method_off = 0,
                                     .method_len = target - 1,
                                     .target_off = target,
                                     .target_len = 1,
                                     .version_off = target + 2};
    swoop::detail::RequestBuilder::set_head(req, layout,
                                            bytes[layout.version_off + 7] == '0' ? 10 : 11);
    swoop::detail::RequestBuilder::set_keep_alive(req, keep_alive);
  }
  std::string bytes;
  swoop::Request req;
};

}  // namespace

TEST_SUITE("response writer") {
  TEST_CASE("a text response: status line, its type, Server and Date, length and body, appended") {
    CHECK(write(swoop::text("hi")) ==
          "before|HTTP/1.1 200 OK\r\nContent-Type: text/plain; charset=utf-8\r\n" +
              std::string{stamp} + "Content-Length: 2\r\n\r\nhi");
  }

  TEST_CASE("framing fields the handler set are the server's, and its Server and Date are kept") {
    Response res = swoop::text("abc", 201);
    res.set_header("Content-Length", "99");
    res.set_header("Transfer-Encoding", "gzip");
    res.set_header("Connection", "upgrade");
    res.set_header("Server", "mine");
    res.set_header("X-A", "1");
    const std::string out = write(res);
    CHECK(out.find("99") == std::string::npos);
    CHECK(out.find("Transfer-Encoding") == std::string::npos);
    CHECK(out.find("upgrade") == std::string::npos);
    CHECK(out.find("Server: mine\r\n") != std::string::npos);
    CHECK(out.find("Server: swoop") == std::string::npos);
    CHECK(out.find("Date: Sun, 06 Dec 2026 02:00:00 GMT\r\n") != std::string::npos);
    CHECK(out.find("X-A: 1\r\n") != std::string::npos);
    CHECK(out.ends_with("Content-Length: 3\r\n\r\nabc"));
  }

  TEST_CASE("HEAD, 204 and 304 send no body, and HEAD still says the length") {
    CHECK(write(swoop::text("hello"), 11, true).ends_with("Content-Length: 5\r\n\r\n"));
    Response no_content{204};
    CHECK(write(no_content).ends_with(std::string{stamp} + "\r\n"));
    Response not_modified{304};
    CHECK(write(not_modified).find("Content-Length") == std::string::npos);
    CHECK(swoop::detail::allows_body(200));
    CHECK_FALSE(swoop::detail::allows_body(101));
    CHECK_FALSE(swoop::detail::allows_body(204));
    CHECK_FALSE(swoop::detail::allows_body(304));
    CHECK(swoop::detail::sends_body(404, false));
    CHECK_FALSE(swoop::detail::sends_body(200, true));
  }

  TEST_CASE("Connection: close when the connection ends, keep-alive said to HTTP/1.0") {
    CHECK(write(swoop::text("x"), 11, false, false).ends_with("Connection: close\r\n\r\nx"));
    CHECK(write(swoop::text("x"), 10, false, true).ends_with("Connection: keep-alive\r\n\r\nx"));
    CHECK(write(swoop::text("x"), 11, false, true).find("Connection") == std::string::npos);
  }

  TEST_CASE("a streamed body: its length when known, else chunked (HTTP/1.1) or neither") {
    const std::string known = write(streamed(10));
    CHECK(known.ends_with("Content-Length: 10\r\n\r\n"));
    CHECK(write(streamed(std::nullopt)).ends_with("Transfer-Encoding: chunked\r\n\r\n"));
    const std::string old = write(streamed(std::nullopt), 10, false, false);
    CHECK(old.find("Transfer-Encoding") == std::string::npos);
    CHECK(old.find("Content-Length") == std::string::npos);
  }

  TEST_CASE(
      "chunks are size CRLF data CRLF in hex, an empty one is nothing, the last ends the body") {
    std::string out;
    ResponseWriter w{out, stamp};
    w.chunk("hello");
    w.chunk("");
    w.chunk(std::string(26, 'z'));
    w.last_chunk();
    CHECK(out == "5\r\nhello\r\n1a\r\n" + std::string(26, 'z') + "\r\n0\r\n\r\n");
    out.clear();
    w.continue_100();
    CHECK(out == "HTTP/1.1 100 Continue\r\n\r\n");
  }

  TEST_CASE("keeps_alive: the request's say, a handler's close, no unframed body for 1.0") {
    const ParsedRequest http11{"GET / HTTP/1.1", true};
    const ParsedRequest http10{"GET / HTTP/1.0", true};
    const ParsedRequest closing{"GET / HTTP/1.1", false};
    CHECK(swoop::detail::keeps_alive(http11.req, swoop::text("x")));
    CHECK_FALSE(swoop::detail::keeps_alive(closing.req, swoop::text("x")));
    Response asked = swoop::text("x");
    asked.set_header("Connection", "Close");
    CHECK_FALSE(swoop::detail::keeps_alive(http11.req, asked));
    CHECK(swoop::detail::keeps_alive(http11.req, streamed(std::nullopt)));
    CHECK_FALSE(swoop::detail::keeps_alive(http10.req, streamed(std::nullopt)));
    CHECK(swoop::detail::keeps_alive(http10.req, streamed(3)));
  }

  TEST_CASE("a 101 says Connection: Upgrade, carries Server and Date, and has no framing") {
    Response res{101};
    res.set_header("Upgrade", "websocket");
    res.set_header("Connection", "keep-alive");  // the server's business: replaced
    const std::string expected =
        "before|HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n" + std::string{stamp} +
        "Connection: Upgrade\r\n\r\n";
    CHECK(write(res) == expected);
    CHECK(write(res, 11, false, false) == expected);  // keep-alive does not apply to a switch
  }

  TEST_CASE("is_chunked_body: HTTP/1.1 with no declared length only") {
    CHECK(swoop::detail::is_chunked_body(std::nullopt, 11));
    CHECK_FALSE(swoop::detail::is_chunked_body(0, 11));
    CHECK_FALSE(swoop::detail::is_chunked_body(std::nullopt, 10));
  }
}
