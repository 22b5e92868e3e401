// SPDX-License-Identifier: MIT
// Limits, timeouts, cancellation and malformed input, over real loopback sockets.
#include <doctest/doctest.h>

#include <atomic>
#include <chrono>
#include <string>

#include "support/raw_socket.hpp"
#include "support/wait.hpp"
#include "swoop/swoop.hpp"

using namespace std::chrono_literals;
using swoop::Request;
using swoop::Response;
using swoop::Task;
using swoop::TestClient;
using swoop::test::RawSocket;
using swoop::test::wait_for;

namespace {

struct Flags {
  std::atomic<int> started{0};
  std::atomic<int> cancelled{0};
  std::atomic<int> finished{0};
};

void add_routes(swoop::App& app, Flags& flags) {
  app.get("/hello")([](Request&) { return swoop::text("hello"); });
  app.route("/echo", {.methods = {"POST"}})(
      [](Request& req) { return swoop::text(std::to_string(req.body().size())); });
  app.get("/slow")([&flags](Request&) -> Task<Response> {
    return [](Flags& f) -> Task<Response> {
      ++f.started;
      try {
        co_await swoop::sleep(10s);
      } catch (const swoop::Cancelled&) {
        ++f.cancelled;
        throw;
      }
      ++f.finished;
      co_return swoop::text("slow");
    }(flags);
  });
}

int status_of(const std::string& raw) {
  if (raw.size() < 12 || raw.rfind("HTTP/1.1 ", 0) != 0) return 0;
  return std::stoi(raw.substr(9, 3));
}

bool closes(const std::string& raw) {
  return raw.find("Connection: close\r\n") != std::string::npos;
}

}  // namespace

TEST_SUITE("limits") {
  TEST_CASE("malformed requests get a 4xx with Connection: close") {
    swoop::App app;
    Flags flags;
    add_routes(app, flags);
    TestClient client{app};
    struct Case {
      const char* name;
      std::string bytes;
      int status;
    };
    const Case cases[] = {
        {"garbage", "HELLO\r\n\r\n", 400},
        {"no Host in HTTP/1.1", "GET /hello HTTP/1.1\r\n\r\n", 400},
        {"two Hosts", "GET /hello HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n", 400},
        {"bare LF", "GET /hello HTTP/1.1\nHost: a\n\n", 400},
        {"obs-fold", "GET /hello HTTP/1.1\r\nHost: a\r\nX: a\r\n b\r\n\r\n", 400},
        {"space before colon", "GET /hello HTTP/1.1\r\nHost : a\r\n\r\n", 400},
        {"empty header name", "GET /hello HTTP/1.1\r\nHost: a\r\n: x\r\n\r\n", 400},
        {"NUL in a header", std::string{"GET /hello HTTP/1.1\r\nHost: a\r\nX: a\0b\r\n\r\n", 39},
         400},
        {"CR not followed by LF", "GET /hello HTTP/1.1\r\nHost: a\r\n\rX\r\n\r\n", 400},
        {"CL and TE",
         "POST /echo HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\nTransfer-Encoding: "
         "chunked\r\n\r\n0\r\n\r\n",
         400},
        {"two Content-Lengths",
         "POST /echo HTTP/1.1\r\nHost: a\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nab", 400},
        {"TE not ending in chunked",
         "POST /echo HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked, identity\r\n\r\n", 400},
        {"unsupported coding",
         "POST /echo HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: gzip, chunked\r\n\r\n", 501},
        {"TE in HTTP/1.0", "POST /echo HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
         400},
        {"chunk data without CRLF",
         "POST /echo HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabcXY0\r\n\r\n",
         400},
        {"chunk size CR without LF",
         "POST /echo HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: "
         "chunked\r\n\r\n5\rXhello\r\n0\r\n\r\n",
         400},
        {"last chunk size CR without LF",
         "POST /echo HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n0\rX\r\n\r\n", 400},
        {"chunk data then LF only",
         "POST /echo HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\nX0\r\n\r\n",
         400},
        {"chunk size overflow",
         "POST /echo HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: "
         "chunked\r\n\r\nFFFFFFFFFFFFFFFFF\r\n",
         400},
        {"long chunk extension",
         "POST /echo HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n1;" +
             std::string(1000, 'a') + "\r\nx\r\n0\r\n\r\n",
         400},
        {"unknown version", "GET /hello HTTP/2.0\r\nHost: a\r\n\r\n", 505},
        {"HTTP/0.9 style", "GET /hello\r\n\r\n", 400},
        {"unknown method", "FOO /hello HTTP/1.1\r\nHost: a\r\n\r\n", 501},
        {"space in target", "GET /a b HTTP/1.1\r\nHost: a\r\n\r\n", 400},
    };
    for (const Case& c : cases) {
      CAPTURE(c.name);
      const std::string raw = client.raw(c.bytes + "GET /hello HTTP/1.1\r\nHost: a\r\n\r\n");
      CHECK(status_of(raw) == c.status);
      CHECK(closes(raw));
      CHECK(raw.find("hello") == std::string::npos);  // nothing after the error is routed
    }
  }

  TEST_CASE("lines ending in a bare LF or CR are refused at once, not at the request timeout") {
    // RFC 9112 2.2: a server may refuse bare LF; swoop does, and must not wait for the CRLF
    // CRLF that such a client never sends. GET takes the llhttp-free path, POST the llhttp one.
    swoop::App app;
    Flags flags;
    add_routes(app, flags);
    TestClient client{app, {.request_timeout = 10s}};
    const std::string heads[] = {
        "GET /hello HTTP/1.1\nHost: a\n\n",
        "POST /echo HTTP/1.1\nHost: a\nContent-Length: 2\n\nab",
        "GET /hello HTTP/1.1\r\nHost: a\n\n",
        "\nGET /hello HTTP/1.1\r\nHost: a\r\n",
        "GET /hello HTTP/1.1\rHost: a\r\r",
        "POST /echo HTTP/1.1\r\nHost: a\r\nContent-Length: 2\rX",
    };
    for (const std::string& head : heads) {
      CAPTURE(head);
      const std::string raw = client.raw(head, 1s);  // no answer within 1 s: raw() gives ""
      CHECK(status_of(raw) == 400);
      CHECK(closes(raw));
    }
    CHECK(client.get("/hello").status == 200);
  }

  TEST_CASE("a higher HTTP/1 minor version is served as HTTP/1.1") {
    // RFC 9110 2.5: processed as the highest minor version the server implements.
    swoop::App app;
    Flags flags;
    add_routes(app, flags);
    TestClient client{app};
    const std::string get = client.raw(
        "GET /hello HTTP/1.2\r\nHost: a\r\n\r\nGET /hello HTTP/1.9\r\nHost: a\r\n\r\n", 300ms);
    const auto answers = TestClient::parse_responses(get);
    REQUIRE(answers.size() == 2);  // kept alive as HTTP/1.1 is
    CHECK(answers[0].status == 200);
    CHECK(answers[1].body == "hello");
    CHECK(get.starts_with("HTTP/1.1 200 "));
    const std::string post =
        client.raw("POST /echo HTTP/1.2\r\nHost: a\r\nContent-Length: 3\r\n\r\nabc", 300ms);
    CHECK(status_of(post) == 200);
    CHECK(post.ends_with("\r\n3"));
    CHECK(status_of(client.raw("GET /hello HTTP/3.0\r\nHost: a\r\n\r\n")) == 505);
  }

  TEST_CASE("a target longer than the limit is a 414") {
    swoop::App app;
    Flags flags;
    add_routes(app, flags);
    TestClient client{app, {.max_target_size = 100}};
    CHECK(status_of(client.raw("GET /" + std::string(200, 'a') + " HTTP/1.1\r\nHost: a\r\n\r\n")) ==
          414);
    // Refused before the end of the line arrives.
    CHECK(status_of(client.raw("GET /" + std::string(20000, 'a'))) == 414);
    CHECK(client.get("/hello").status == 200);
  }

  TEST_CASE("headers larger than the limit are a 431") {
    swoop::App app;
    Flags flags;
    add_routes(app, flags);
    TestClient client{app, {.max_header_size = 1024, .max_header_count = 10}};
    const std::string big =
        "GET /hello HTTP/1.1\r\nHost: a\r\nX: " + std::string(2000, 'v') + "\r\n\r\n";
    auto raw = client.raw(big);
    CHECK(status_of(raw) == 431);
    CHECK(closes(raw));
    std::string many = "GET /hello HTTP/1.1\r\nHost: a\r\n";
    for (int i = 0; i < 20; ++i) many.append("X").append(std::to_string(i)).append(": v\r\n");
    CHECK(status_of(client.raw(many + "\r\n")) == 431);
  }

  TEST_CASE("a body larger than the limit is a 413 sent before the body is read") {
    swoop::App app;
    Flags flags;
    add_routes(app, flags);
    TestClient client{app, {.max_body_size = 1000}};
    RawSocket s{client.port()};
    s.send("POST /echo HTTP/1.1\r\nHost: a\r\nContent-Length: 5000\r\n\r\n");
    auto got = s.read_until("\r\n\r\n", 2s);
    CHECK(status_of(got) == 413);
    CHECK(closes(got));
    CHECK(client.post("/echo", std::string(1000, 'x')).body == "1000");
    const std::string chunked =
        "POST /echo HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n"
        "3e8\r\n" +
        std::string(1000, 'x') + "\r\n1\r\nx\r\n0\r\n\r\n";
    CHECK(status_of(client.raw(chunked)) == 413);
  }

  TEST_CASE("an error response is not destroyed by a reset while the client still sends") {
    // RFC 9112 9.6: the server half-closes and drains, so unread request bytes do not turn
    // into a TCP reset that would discard the 413 before the client reads it.
    swoop::App app;
    Flags flags;
    add_routes(app, flags);
    TestClient client{app, {.max_body_size = 1000}};
    RawSocket s{client.port()};
    s.send("POST /echo HTTP/1.1\r\nHost: a\r\nContent-Length: 400000\r\n\r\n");
    s.send(std::string(20000, 'x'));  // part of the body the server will never read
    CHECK(s.wait_closed(1s));         // the server's FIN, while the client keeps its side open
    CHECK_FALSE(s.was_reset());
    CHECK(status_of(s.received()) == 413);
    CHECK(s.received().find("Content Too Large") != std::string::npos);
  }

  TEST_CASE("a client that sends its request too slowly gets a 408") {
    swoop::App app;
    Flags flags;
    add_routes(app, flags);
    TestClient client{app, {.request_timeout = 200ms}};
    RawSocket s{client.port()};
    s.send("GET /hello HTTP/1.1\r\nHo");
    const auto start = std::chrono::steady_clock::now();
    CHECK(s.wait_closed(3s));
    CHECK(std::chrono::steady_clock::now() - start < 2s);
    CHECK(status_of(s.received()) == 408);
    CHECK(closes(s.received()));
  }

  TEST_CASE("an idle keep-alive connection is closed after the keep-alive timeout") {
    swoop::App app;
    Flags flags;
    add_routes(app, flags);
    TestClient client{app, {.keep_alive_timeout = 200ms}};
    RawSocket s{client.port()};
    s.send("GET /hello HTTP/1.1\r\nHost: a\r\n\r\n");
    s.read_until("hello", 2s);
    const auto start = std::chrono::steady_clock::now();
    CHECK(s.wait_closed(3s));
    CHECK(std::chrono::steady_clock::now() - start < 2s);
  }

  TEST_CASE("a handler past the response timeout gets a 503 and is cancelled") {
    swoop::App app;
    Flags flags;
    add_routes(app, flags);
    TestClient client{app, {.response_timeout = 200ms}};
    const auto start = std::chrono::steady_clock::now();
    auto r = client.get("/slow");
    CHECK(r.status == 503);
    CHECK(std::chrono::steady_clock::now() - start < 3s);
    wait_for([&] { return flags.cancelled != 0; }, 10s);
    CHECK(flags.cancelled == 1);
    CHECK(flags.finished == 0);
    CHECK(client.get("/hello").status == 200);
  }

  TEST_CASE("a client that disconnects cancels its handler") {
    swoop::App app;
    Flags flags;
    add_routes(app, flags);
    TestClient client{app};
    {
      RawSocket s{client.port()};
      s.send("GET /slow HTTP/1.1\r\nHost: a\r\n\r\n");
      CHECK(wait_for([&] { return flags.started == 1; }, 10s));
    }
    wait_for([&] { return flags.cancelled != 0; }, 10s);
    CHECK(flags.cancelled == 1);
    CHECK(client.get("/hello").status == 200);
  }

  TEST_CASE("a reset mid-request and mid-response leaves the server serving") {
    swoop::App app;
    Flags flags;
    add_routes(app, flags);
    TestClient client{app};
    for (int i = 0; i < 20; ++i) {
      RawSocket s{client.port()};
      s.send(i % 2
                 ? "POST /echo HTTP/1.1\r\nHost: a\r\nContent-Length: 100\r\n\r\nabc"
                 : "GET /hello HTTP/1.1\r\nHost: a\r\n\r\nGET /hello HTTP/1.1\r\nHost: a\r\n\r\n");
      s.reset();
    }
    CHECK(client.get("/hello").status == 200);
  }

  TEST_CASE("beyond max_connections with every connection busy, accepting pauses") {
    // Idle connections give way to new clients (hostile_test.cpp); busy ones never do.
    swoop::App app;
    Flags flags;
    add_routes(app, flags);
    TestClient client{app, {.max_connections = 2}};
    auto a = std::make_unique<RawSocket>(client.port());
    RawSocket b{client.port()};
    a->send("GET /slow HTTP/1.1\r\nHost: a\r\n\r\n");
    b.send("GET /slow HTTP/1.1\r\nHost: a\r\n\r\n");
    wait_for([&] { return flags.started >= 2; }, 10s);
    REQUIRE(flags.started == 2);
    RawSocket c{client.port()};  // the kernel completes the handshake; swoop does not accept
    c.send("GET /hello HTTP/1.1\r\nHost: a\r\n\r\n");
    CHECK(c.read_until("hello", 300ms).empty());
    a.reset();  // its handler is cancelled, its connection closes: c is accepted
    CHECK(c.read_until("hello", 2s).find("hello") != std::string::npos);
    CHECK(!b.wait_closed(100ms));  // the other busy one was left alone
    b.reset();
  }
}
