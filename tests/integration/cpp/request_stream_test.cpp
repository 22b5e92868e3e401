// SPDX-License-Identifier: MIT
// Request bodies read as they arrive (RouteOptions::stream_body) over real sockets.
#include <doctest/doctest.h>

#include <chrono>
#include <string>
#include <thread>

#include "support/raw_socket.hpp"
#include "swoop/swoop.hpp"

using swoop::Request;
using swoop::Response;
using swoop::TestClient;

namespace {

swoop::Task<Response> count_body(Request& req) {
  std::size_t total = 0, pieces = 0, largest = 0;
  std::uint64_t sum = 0;
  for (;;) {
    std::string piece = co_await req.stream().read();
    if (piece.empty()) break;
    ++pieces;
    total += piece.size();
    largest = std::max(largest, piece.size());
    for (unsigned char c : piece) sum += c;
    if (req.args().get("slow", "") == "1") co_await swoop::sleep(std::chrono::milliseconds{1});
  }
  co_return swoop::text("total=" + std::to_string(total) + " sum=" + std::to_string(sum) +
                        " small=" + (largest <= 128 * 1024 ? "yes" : "no") +
                        " body=" + std::to_string(req.body().size()));
}

void add_routes(swoop::App& app) {
  swoop::RouteOptions o;
  o.methods = {"POST", "PUT"};
  o.stream_body = true;
  app.route("/upload", o)([](Request& req) { return count_body(req); });
  app.route("/early", o)([](Request&) { return swoop::text("early"); });
  app.post("/plain")([](Request& req) -> swoop::Task<Response> {
    std::string all;
    for (std::string p; !(p = co_await req.stream().read()).empty();) all += p;
    co_return swoop::text("plain:" + all);
  });
  app.get("/hello")([](Request&) { return swoop::text("hello"); });
}

std::uint64_t byte_sum(const std::string& s) {
  std::uint64_t sum = 0;
  for (unsigned char c : s) sum += c;
  return sum;
}

std::string pattern(std::size_t n) {
  std::string s(n, '\0');
  for (std::size_t i = 0; i < n; ++i) s[i] = static_cast<char>(i * 31 + i / 1000);
  return s;
}

}  // namespace

TEST_SUITE("request_stream") {
  TEST_CASE("a streamed body arrives whole, in bounded pieces, beyond max_body_size") {
    swoop::App app;
    add_routes(app);
    swoop::RunOptions options;
    options.max_body_size = 1024 * 1024;
    TestClient client{app, options};
    const std::string body = pattern(5 * 1024 * 1024 + 3);
    auto r = client.post("/upload", body);
    CHECK(r.status == 200);
    CHECK(r.body == "total=" + std::to_string(body.size()) +
                        " sum=" + std::to_string(byte_sum(body)) + " small=yes body=0");
    auto slow = client.post("/upload?slow=1", body.substr(0, 2 * 1024 * 1024));
    CHECK(slow.body.starts_with("total=2097152 "));
    CHECK(client.post("/plain", std::string(2 * 1024 * 1024, 'x')).status == 413);
    CHECK(client.post("/plain", "abc").body == "plain:abc");  // read() on a buffered body
  }

  TEST_CASE("a chunked streamed body is de-chunked across reads and pipelining holds") {
    swoop::App app;
    add_routes(app);
    TestClient client{app};
    swoop::test::RawSocket s{client.port()};
    s.send("POST /upload HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhel");
    std::this_thread::sleep_for(std::chrono::milliseconds{50});
    s.send("lo\r\n6\r\n world\r");
    std::this_thread::sleep_for(std::chrono::milliseconds{50});
    s.send("\n0\r\n\r\nGET /hello HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
    s.wait_closed(std::chrono::seconds{5});
    auto rs = TestClient::parse_responses(s.received());
    REQUIRE(rs.size() == 2);
    CHECK(rs[0].body ==
          "total=11 sum=" + std::to_string(byte_sum("hello world")) + " small=yes body=0");
    CHECK(rs[1].body == "hello");
  }

  TEST_CASE("100-continue is sent before a streamed body is read") {
    swoop::App app;
    add_routes(app);
    TestClient client{app};
    swoop::test::RawSocket s{client.port()};
    s.send("PUT /upload HTTP/1.1\r\nHost: x\r\nContent-Length: 4\r\nExpect: 100-continue\r\n\r\n");
    CHECK(s.read_until("\r\n\r\n", std::chrono::seconds{5}) == "HTTP/1.1 100 Continue\r\n\r\n");
    s.send("abcd");
    CHECK(s.read_until("body=0", std::chrono::seconds{5}).find("total=4 ") != std::string::npos);
  }

  TEST_CASE("a malformed streamed body is a 400 and an early answer closes the connection") {
    swoop::App app;
    add_routes(app);
    TestClient client{app};
    auto rs = TestClient::parse_responses(client.raw(
        "POST /upload HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabcXX\r\n"));
    REQUIRE(rs.size() == 1);
    CHECK(rs[0].status == 400);
    swoop::test::RawSocket s{client.port()};
    s.send("POST /early HTTP/1.1\r\nHost: x\r\nContent-Length: 100000\r\n\r\nxyz");
    CHECK(s.wait_closed(std::chrono::seconds{5}));
    CHECK(s.received().find("Connection: close") != std::string::npos);
    CHECK(s.received().ends_with("early"));
    CHECK(client.get("/hello").body == "hello");
  }
}

TEST_SUITE("request stream timeouts") {
  using namespace std::chrono_literals;
  using swoop::test::RawSocket;

  TEST_CASE("a buffered body that drips is answered 408 at request_timeout and closed") {
    swoop::App app;
    add_routes(app);
    TestClient client{app, {.request_timeout = 300ms}};
    RawSocket s{client.port()};
    s.send("POST /plain HTTP/1.1\r\nHost: a\r\nContent-Length: 50\r\n\r\n");
    std::string got;
    for (int i = 0; i < 20 && got.empty(); ++i) {  // 1 byte per 100 ms: 5 s for the body
      s.send("x");
      got = s.read_until("\r\n\r\n", 100ms);
    }
    CHECK(got.starts_with("HTTP/1.1 408 "));
    CHECK(got.find("Connection: close") != std::string::npos);
    CHECK(s.wait_closed(1s));
  }

  TEST_CASE("a stalled streamed upload is answered 408 at request_timeout, not held") {
    // Before: the handler's response_timeout (a minute by default) held the connection.
    swoop::App app;
    add_routes(app);
    TestClient client{app, {.request_timeout = 300ms, .response_timeout = 60s}};
    RawSocket s{client.port()};
    s.send("POST /upload HTTP/1.1\r\nHost: a\r\nContent-Length: 1000\r\n\r\nabc");
    const std::string got = s.read_until("\r\n\r\n", 3s);
    CHECK(got.starts_with("HTTP/1.1 408 "));
    CHECK(s.wait_closed(1s));
    CHECK(client.get("/hello").status == 200);
  }

  TEST_CASE("a slow streamed upload that keeps coming outlives response_timeout") {
    // Before: cut with a 503 once response_timeout passed since the handler started.
    swoop::App app;
    add_routes(app);
    TestClient client{app, {.request_timeout = 400ms, .response_timeout = 500ms}};
    RawSocket s{client.port()};
    s.send("POST /upload HTTP/1.1\r\nHost: a\r\nContent-Length: 10\r\n\r\n");
    for (int i = 0; i < 10; ++i) {  // 10 bytes over about a second
      std::this_thread::sleep_for(100ms);
      s.send("y");
    }
    const std::string got = s.read_until("body=", 2s);
    CHECK(got.starts_with("HTTP/1.1 200 "));
    CHECK(got.find("total=10 ") != std::string::npos);
  }
}
