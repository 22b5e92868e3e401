// SPDX-License-Identifier: MIT
// Streamed responses and server-sent events over real sockets.
#include <doctest/doctest.h>
#include <poll.h>

#include <atomic>
#include <chrono>
#include <string>
#include <thread>

#include "support/raw_socket.hpp"
#include "support/wait.hpp"
#include "swoop/swoop.hpp"

using swoop::Request;
using swoop::Response;
using swoop::ResponseStream;
using swoop::TestClient;
using swoop::test::wait_for;

namespace {

std::atomic<int> cancelled_writes{0};
std::atomic<int> finished_streams{0};

swoop::Task<void> count_to(int n, ResponseStream& out) {
  for (int i = 0; i < n; ++i) co_await out.write(std::to_string(i) + "\n");
}

void add_routes(swoop::App& app) {
  app.get("/count")([](Request& req) {
    const int n = std::stoi(std::string{req.args().get("n", "3")});
    return swoop::stream([n](ResponseStream& out) { return count_to(n, out); },
                         {.content_type = "text/plain"});
  });
  app.get("/sized")([](Request&) {
    return swoop::stream(
        [](ResponseStream& out) -> swoop::Task<void> {
          co_await out.write("hello ");
          co_await out.write("world");
        },
        {.content_type = "text/plain", .length = 11});
  });
  app.get("/short")([](Request&) {
    return swoop::stream(
        [](ResponseStream& out) -> swoop::Task<void> { co_await out.write("abc"); },
        {.length = 10});
  });
  app.get("/throws")([](Request&) {
    return swoop::stream([](ResponseStream& out) -> swoop::Task<void> {
      co_await out.write("partial");
      throw std::runtime_error("boom");
    });
  });
  app.get("/forever")([](Request&) {
    return swoop::stream([](ResponseStream& out) -> swoop::Task<void> {
      try {
        for (;;) {
          co_await out.write(std::string(16 * 1024, 'z'));
          co_await swoop::sleep(std::chrono::milliseconds{1});
        }
      } catch (const swoop::Cancelled&) {
        ++cancelled_writes;
        throw;
      }
    });
  });
  app.get("/big")([](Request& req) {
    const std::size_t n = std::stoul(std::string{req.args().get("n", "1000000")});
    return swoop::stream([n](ResponseStream& out) -> swoop::Task<void> {
      std::string chunk(8192, 'b');
      for (std::size_t sent = 0; sent < n; sent += chunk.size()) {
        if (n - sent < chunk.size()) chunk.resize(n - sent);
        co_await out.write(chunk);
      }
      ++finished_streams;
    });
  });
  app.get("/events")([](Request&) {
    return swoop::sse([](swoop::EventStream& events) -> swoop::Task<void> {
      co_await events.comment("hi");
      swoop::Event e;
      e.event = "update";
      e.id = "7";
      e.data = "line1\nline2";
      e.retry = std::chrono::milliseconds{1500};
      co_await events.send(e);
      co_await events.send("plain");
    });
  });
  app.get("/plain")([](Request&) { return swoop::text("plain"); });
}

}  // namespace

TEST_SUITE("stream") {
  TEST_CASE("a streamed body of unknown length is sent chunked and ends cleanly") {
    swoop::App app;
    add_routes(app);
    TestClient client{app};
    auto r = client.get("/count?n=5");
    CHECK(r.status == 200);
    CHECK(r.header("transfer-encoding") == "chunked");
    CHECK_FALSE(r.header("content-length"));
    CHECK(r.body == "0\n1\n2\n3\n4\n");
    const std::string raw =
        client.raw("GET /count?n=2 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
    CHECK(raw.find("\r\n\r\n2\r\n0\n\r\n2\r\n1\n\r\n0\r\n\r\n") != std::string::npos);
  }

  TEST_CASE("a streamed body with a declared length is sent with Content-Length") {
    swoop::App app;
    add_routes(app);
    TestClient client{app};
    auto r = client.get("/sized");
    CHECK(r.status == 200);
    CHECK(r.header("content-length") == "11");
    CHECK_FALSE(r.header("transfer-encoding"));
    CHECK(r.body == "hello world");
  }

  TEST_CASE("HEAD gets the head of a streamed response without running it") {
    swoop::App app;
    add_routes(app);
    TestClient client{app};
    const std::string raw =
        client.raw("HEAD /sized HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
    CHECK(raw.find("Content-Length: 11\r\n") != std::string::npos);
    CHECK(raw.ends_with("\r\n\r\n"));
  }

  TEST_CASE("HTTP/1.0 clients get a close-delimited body") {
    swoop::App app;
    add_routes(app);
    TestClient client{app};
    const std::string raw = client.raw("GET /count?n=2 HTTP/1.0\r\n\r\n");
    CHECK(raw.find("Connection: close\r\n") != std::string::npos);
    CHECK(raw.ends_with("\r\n\r\n0\n1\n"));
  }

  TEST_CASE("pipelined requests after a stream are answered after it, in order") {
    swoop::App app;
    add_routes(app);
    TestClient client{app};
    const std::string burst =
        "GET /big?n=300000 HTTP/1.1\r\nHost: x\r\n\r\n"
        "GET /plain HTTP/1.1\r\nHost: x\r\n\r\n"
        "GET /count?n=3 HTTP/1.1\r\nHost: x\r\n\r\n"
        "GET /sized HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n";
    auto rs = TestClient::parse_responses(client.raw(burst));
    REQUIRE(rs.size() == 4);
    CHECK(rs[0].body == std::string(300000, 'b'));
    CHECK(rs[1].body == "plain");
    CHECK(rs[2].body == "0\n1\n2\n");
    CHECK(rs[3].body == "hello world");
  }

  TEST_CASE("a stream shorter than its length or that throws cuts the connection") {
    swoop::App app;
    add_routes(app);
    TestClient client{app};
    std::string raw =
        client.raw("GET /short HTTP/1.1\r\nHost: x\r\n\r\nGET /plain HTTP/1.1\r\nHost: x\r\n\r\n");
    CHECK(raw.find("Content-Length: 10\r\n") != std::string::npos);
    CHECK(raw.ends_with("abc"));
    raw =
        client.raw("GET /throws HTTP/1.1\r\nHost: x\r\n\r\nGET /plain HTTP/1.1\r\nHost: x\r\n\r\n");
    CHECK(raw.find("7\r\npartial\r\n") != std::string::npos);
    CHECK(raw.find("0\r\n\r\n") == std::string::npos);  // never terminated
    CHECK(raw.find("plain") == std::string::npos);
    CHECK(client.get("/plain").body == "plain");  // the server keeps serving
  }

  TEST_CASE("a client that goes away surfaces as Cancelled at the stream's next write") {
    swoop::App app;
    add_routes(app);
    TestClient client{app};
    const int before = cancelled_writes.load();
    {
      swoop::test::RawSocket s{client.port()};
      s.send("GET /forever HTTP/1.1\r\nHost: x\r\n\r\n");
      CHECK(s.read_until("200 OK", std::chrono::seconds{5}).find("200 OK") != std::string::npos);
    }  // closed without reading the rest
    wait_for([&] { return cancelled_writes.load() != before; }, std::chrono::seconds{10});
    CHECK(cancelled_writes.load() == before + 1);
    wait_for([&] { return client.connections() == 0; }, std::chrono::seconds{10});
    CHECK(client.connections() == 0);
  }

  TEST_CASE("a client that does not read holds the writer back (backpressure)") {
    swoop::App app;
    add_routes(app);
    TestClient client{app};
    swoop::test::RawSocket s{client.port()};
    const int small = 16 * 1024;
    ::setsockopt(s.native_handle(), SOL_SOCKET, SO_RCVBUF, &small, sizeof small);
    const int before = finished_streams.load();
    s.send("GET /big?n=20000000 HTTP/1.1\r\nHost: x\r\n\r\n");
    pollfd streaming{s.native_handle(), POLLIN, 0};  // the writer has started
    CHECK(::poll(&streaming, 1, 10000) == 1);
    // Not synchronization: a window in which a writer that ignored backpressure would finish.
    // What is checked is that nothing happens, so there is no event to wait for.
    std::this_thread::sleep_for(std::chrono::milliseconds{300});
    CHECK(finished_streams.load() == before);  // held back: the client reads nothing
    // Now read at full speed: with the 16 KiB window, delayed ACKs make 20 MB take minutes.
    const int large = 4 * 1024 * 1024;
    ::setsockopt(s.native_handle(), SOL_SOCKET, SO_RCVBUF, &large, sizeof large);
    std::size_t got = 0;
    while (s.read_more(std::chrono::seconds{10})) {
      got += s.received().size();
      const bool end = s.received().ends_with("0\r\n\r\n");
      s.consume(s.received().size());
      if (end) break;
    }
    CHECK(got > 20000000);
    CHECK(finished_streams.load() == before + 1);
  }

  TEST_CASE("server-sent events are framed as text/event-stream") {
    swoop::App app;
    add_routes(app);
    TestClient client{app};
    auto r = client.get("/events");
    CHECK(r.status == 200);
    CHECK(r.header("content-type") == "text/event-stream; charset=utf-8");
    CHECK(r.header("cache-control") == "no-cache");
    CHECK(r.body ==
          ": hi\n\n"
          "event: update\nid: 7\nretry: 1500\ndata: line1\ndata: line2\n\n"
          "data: plain\n\n");
  }

  TEST_CASE("format_event splits every kind of line break and refuses broken fields") {
    swoop::Event e;
    e.data = "a\r\nb\rc\nd";
    CHECK(swoop::format_event(e) == "data: a\ndata: b\ndata: c\ndata: d\n\n");
    e.data = "";
    CHECK(swoop::format_event(e) == "data: \n\n");
    e.event = "x\ny";
    CHECK_THROWS_AS(swoop::format_event(e), std::invalid_argument);
    e.event = "";
    e.id = std::string{"a\0b", 3};
    CHECK_THROWS_AS(swoop::format_event(e), std::invalid_argument);
  }
}
