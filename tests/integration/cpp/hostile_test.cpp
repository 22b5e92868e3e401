// SPDX-License-Identifier: MIT
// Hostile clients over real sockets: slowloris, slow readers, pipelining floods, churn,
// half-closed sockets, and handler faults. Timings are scaled down to keep CI fast.
#include <doctest/doctest.h>
#include <fcntl.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "server/http1_connection.hpp"
#include "support/raw_socket.hpp"
#include "support/rss.hpp"
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

void add_routes(swoop::App& app) {
  app.get("/hello")([](Request&) { return swoop::text("hello"); });
  app.get("/n/<n:int>")([](Request& req) { return swoop::text(std::string{req.param("n")}); });
  app.get("/big")([](Request&) { return swoop::text(std::string(64 * 1024, 'b')); });
}

long resident_mib() {
  long pages = 0, resident = 0;
  if (FILE* f = std::fopen("/proc/self/statm", "r")) {
    if (std::fscanf(f, "%ld %ld", &pages, &resident) != 2) resident = 0;
    std::fclose(f);
  }
  return resident * ::sysconf(_SC_PAGESIZE) / (1024 * 1024);
}

std::chrono::milliseconds timed_get(TestClient& client, const char* path, int* status) {
  const auto start = std::chrono::steady_clock::now();
  *status = client.get(path).status;
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() -
                                                               start);
}

// An idle keep-alive connection is small: ten thousand idle clients must not cost ten thousand
// requests' state. The parser, the Request and output storage are pooled per worker while a
// connection waits (the 10,000 connection measurement is in bench/RESULTS.md, under 800 bytes
// each in Release).
static_assert(sizeof(swoop::detail::Http1Connection) <= 800);
static_assert(sizeof(swoop::detail::Http1Exchange) > 1000);  // what is pooled instead

}  // namespace

TEST_SUITE("hostile") {
  TEST_CASE("slowloris connections are cut by the request timeout while others are served") {
    swoop::App app;
    add_routes(app);
    TestClient client{app, {.request_timeout = 600ms}};
    const std::string head = "GET /hello HTTP/1.1\r\nHost: a\r\nX-Slow: ";
    std::vector<std::unique_ptr<RawSocket>> slow;
    for (int i = 0; i < 200; ++i) slow.push_back(std::make_unique<RawSocket>(client.port()));
    const auto start = std::chrono::steady_clock::now();
    std::size_t sent = 0;
    std::chrono::milliseconds worst{0};
    // Drip one byte per connection every 50 ms; normal requests in between.
    while (std::chrono::steady_clock::now() - start < 1500ms) {
      for (auto& s : slow) s->send(std::string_view{&head[sent % head.size()], 1});
      ++sent;
      int status = 0;
      worst = std::max(worst, timed_get(client, "/hello", &status));
      CHECK(status == 200);
      std::this_thread::sleep_for(50ms);
    }
    CHECK(worst < 500ms);  // normal latency while 200 slow clients hang on
    int closed = 0, got_408 = 0;
    for (auto& s : slow) {
      if (s->wait_closed(2s)) ++closed;
      if (s->received().rfind("HTTP/1.1 408", 0) == 0) ++got_408;
    }
    CHECK(closed == 200);
    CHECK(got_408 == 200);
    CHECK(wait_for([&] { return client.connections() == 0; }, 3s));
  }

  TEST_CASE("at the connection cap the longest idle connection gives way to a new client") {
    // Before: accepting paused at the cap and a new client waited for an idle keep-alive
    // connection to time out (a minute here).
    std::atomic<bool> release{false};
    std::atomic<int> waiting{0};
    swoop::App app;
    add_routes(app);
    app.get("/wait")([&](Request&) -> Task<Response> {
      return [](std::atomic<bool>& r, std::atomic<int>& w) -> Task<Response> {
        ++w;
        while (!r) co_await swoop::sleep(5ms);
        co_return swoop::text("done");
      }(release, waiting);
    });
    TestClient client{app, {.max_connections = 4, .keep_alive_timeout = 60s}};
    const std::string hello = "GET /hello HTTP/1.1\r\nHost: a\r\n\r\n";
    std::vector<std::unique_ptr<RawSocket>> idle;
    for (int i = 0; i < 3; ++i) {
      idle.push_back(std::make_unique<RawSocket>(client.port()));
      idle.back()->send(hello);
      REQUIRE(idle.back()->read_until("hello", 2s).find("200 OK") != std::string::npos);
      idle.back()->consume(idle.back()->received().size());
      std::this_thread::sleep_for(20ms);  // distinct idle times: idle[0] is the oldest
    }
    RawSocket busy{client.port()};  // opened last, but its request is in progress
    busy.send("GET /wait HTTP/1.1\r\nHost: a\r\n\r\n");
    REQUIRE(wait_for([&] { return waiting == 1; }, 2s));
    REQUIRE(client.connections() == 4);

    int status = 0;
    const auto took = timed_get(client, "/hello", &status);
    CHECK(status == 200);
    CHECK(took < 5s);                 // not the 60 s keep-alive timeout
    CHECK(idle[0]->wait_closed(2s));  // the longest idle one was closed for it
    idle[1]->send(hello);
    CHECK(idle[1]->read_until("hello", 2s).find("200 OK") != std::string::npos);
    release = true;
    CHECK(busy.read_until("done", 2s).find("200 OK") != std::string::npos);  // never closed
  }

  TEST_CASE("a client that never reads makes the server stop reading, not buffer") {
    swoop::App app;
    add_routes(app);
    TestClient client{app};
    RawSocket s{client.port()};
    const int fd = s.native_handle();
    ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) | O_NONBLOCK);
    const std::string req = "GET /big HTTP/1.1\r\nHost: a\r\n\r\n";
    std::string burst;
    for (int i = 0; i < 1000; ++i) burst += req;
    std::size_t accepted = 0;
    const long rss_before = resident_mib();
    const auto start = std::chrono::steady_clock::now();
    // Keep pushing requests (each asks for 64 KiB) until the kernel refuses for 300 ms.
    auto last_progress = start;
    while (std::chrono::steady_clock::now() - last_progress < 300ms &&
           accepted < 200u * 1024 * 1024) {
      const ssize_t n = ::send(fd, burst.data(), burst.size(), MSG_NOSIGNAL);
      if (n > 0) {
        accepted += static_cast<std::size_t>(n);
        last_progress = std::chrono::steady_clock::now();
      } else {
        std::this_thread::sleep_for(5ms);
      }
    }
    // Had the server kept reading, it would have taken every request (and buffered 64 KiB of
    // response for each). It stopped: what got in is bounded by socket buffers and the
    // server's own input and output limits.
    // Kernel socket buffers on loopback hold a few MiB of requests; the server itself holds at
    // most its 256 KiB output mark plus one input buffer, where answering every accepted
    // request would have meant gigabytes of responses.
    CHECK(accepted < 32u * 1024 * 1024);
    CHECK(resident_mib() < rss_before + 64);
    int status = 0;
    timed_get(client, "/hello", &status);
    CHECK(status == 200);  // other clients are unaffected
  }

  TEST_CASE("50 clients sending large bodies at once: reading pauses at the worker's budget") {
    // Before: each connection grew its buffer for its body (by doubling, up to twice
    // max_body_size) and nothing bounded the sum: here 50 to 100 MiB at once.
    constexpr std::size_t max_body = 1 << 20;
    constexpr std::size_t budget = 8 << 20;
    constexpr int clients = 50;
    swoop::App app;
    app.post("/upload")(
        [](Request& req) { return swoop::text(std::to_string(req.body().size())); });
    swoop::Server server{app,
                         {.port = 0, .max_body_size = max_body, .buffered_body_budget = budget}};
    server.start();
    const std::string body(max_body - 1, 'x');
    const std::string head =
        "POST /upload HTTP/1.1\r\nHost: a\r\nContent-Length: " + std::to_string(body.size()) +
        "\r\n\r\n";
    std::vector<std::unique_ptr<RawSocket>> socks;
    std::vector<std::size_t> sent(clients, 0);
    for (int i = 0; i < clients; ++i) {
      socks.push_back(std::make_unique<RawSocket>(server.port()));
      socks.back()->send(head);
      const int fd = socks.back()->native_handle();
      ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) | O_NONBLOCK);
    }
    swoop::test::RssPeak rss;
    std::size_t most_buffered = 0;
    // Every body goes out 64 KiB at a time, round robin with a pause, so that all 50 are
    // half-way at once; a connection the server stopped reading takes what its socket buffers
    // hold, then waits (non-blocking sends).
    const auto give_up = std::chrono::steady_clock::now() + 60s;
    for (bool done = false; !done && std::chrono::steady_clock::now() < give_up;) {
      done = true;
      for (int i = 0; i < clients; ++i) {
        const std::size_t n = std::min<std::size_t>(64 * 1024, body.size() - sent[i]);
        const ssize_t w =
            n == 0 ? 0 : ::send(socks[i]->native_handle(), body.data() + sent[i], n, MSG_NOSIGNAL);
        if (w > 0) sent[i] += static_cast<std::size_t>(w);
        done = done && sent[i] == body.size();
      }
      most_buffered = std::max(most_buffered, server.buffered_bytes());
      std::this_thread::sleep_for(20ms);
    }
    int answered = 0;
    for (auto& s : socks) {
      const std::string got = s->read_until(std::to_string(body.size()), 30s);
      most_buffered = std::max(most_buffered, server.buffered_bytes());
      if (got.rfind("HTTP/1.1 200", 0) == 0 && got.ends_with(std::to_string(body.size()))) {
        ++answered;
      }
    }
    CHECK(answered == clients);  // all served in turn: paused, never refused
    // The budget, or one request past it (a connection alone is always let through).
    CHECK(most_buffered <= budget + max_body + 16 * 1024);
    CHECK(wait_for([&] { return server.buffered_bytes() == 0; }, 2s));  // all given back
    const long growth = rss.growth_kib();
    MESSAGE("peak RSS growth ", growth, " KiB, most buffered ", most_buffered / 1024, " KiB");
    if (swoop::test::rss_is_measurable) {
      // Budget, one request past it, and 6 MiB of allocator, sanitizer and thread overhead.
      CHECK(growth < static_cast<long>((budget + max_body) / 1024 + 6144));
    }
    server.stop();
    server.wait();
  }

  TEST_CASE("a buffered body budget smaller than one request still lets requests through") {
    swoop::App app;
    app.post("/upload")(
        [](Request& req) { return swoop::text(std::to_string(req.body().size())); });
    TestClient client{app, {.max_body_size = 256 * 1024, .buffered_body_budget = 1024}};
    std::vector<std::thread> threads;
    std::atomic<int> ok{0};
    for (int t = 0; t < 4; ++t) {
      threads.emplace_back([&] {
        for (int i = 0; i < 5; ++i) {
          if (client.post("/upload", std::string(200 * 1024, 'y')).body == "204800") ++ok;
        }
      });
    }
    for (auto& t : threads) t.join();
    CHECK(ok == 20);
  }

  TEST_CASE("100,000 pipelined requests are answered in order") {
    swoop::App app;
    add_routes(app);
    TestClient client{app};
    RawSocket s{client.port()};
    constexpr int count = 100000;
    std::thread writer{[&] {
      std::string chunk;
      for (int i = 0; i < count; ++i) {
        chunk += "GET /n/" + std::to_string(i) + " HTTP/1.1\r\nHost: a\r\n\r\n";
        if (chunk.size() > 64 * 1024 || i == count - 1) {
          s.send(chunk);
          chunk.clear();
        }
      }
    }};
    // Read concurrently and count responses whose bodies come in order.
    int next = 0;
    bool in_order = true;
    const auto deadline = std::chrono::steady_clock::now() + 60s;
    while (next < count && std::chrono::steady_clock::now() < deadline) {
      if (!s.read_more(5s)) break;
      const std::string& buffer = s.received();
      std::size_t pos = 0;
      while (true) {
        const std::size_t head_end = buffer.find("\r\n\r\n", pos);
        if (head_end == std::string::npos) break;
        const std::size_t cl = buffer.find("Content-Length: ", pos);
        if (cl == std::string::npos || cl > head_end) break;
        const std::size_t len = std::stoul(buffer.substr(cl + 16, 8));
        if (head_end + 4 + len > buffer.size()) break;
        if (buffer.compare(head_end + 4, len, std::to_string(next)) != 0) in_order = false;
        ++next;
        pos = head_end + 4 + len;
      }
      s.consume(pos);
    }
    writer.join();
    CHECK(next == count);
    CHECK(in_order);
  }

  TEST_CASE("connections opened and closed at a high rate leave nothing behind") {
    swoop::App app;
    add_routes(app);
    TestClient client{app, {.workers = 2}};
    for (int i = 0; i < 1000; ++i) {
      RawSocket s{client.port()};
      switch (i % 4) {
        case 0:
          break;  // connect and close
        case 1:
          s.send("GET /hello HTTP/1.1\r\nHost: a\r\n\r\n");
          break;  // close unread
        case 2:
          s.send("GET /hel");
          s.reset();
          break;
        case 3:
          s.send("GET /hello HTTP/1.1\r\nHost: a\r\n\r\n");
          s.read_until("hello", 2s);
          s.reset();
          break;
      }
    }
    CHECK(wait_for([&] { return client.connections() == 0; }, 5s));
    CHECK(client.get("/hello").status == 200);
  }

  TEST_CASE("a half-closed client still gets its response") {
    swoop::App app;
    add_routes(app);
    TestClient client{app};
    RawSocket s{client.port()};
    s.send("GET /hello HTTP/1.1\r\nHost: a\r\n\r\n");
    s.shutdown_write();
    CHECK(s.wait_closed(2s));
    CHECK(s.received().find("hello") != std::string::npos);
  }

  TEST_CASE("a handler that blocks the loop delays that worker, then the server recovers") {
    std::atomic<bool> blocking{false};
    swoop::App app;
    add_routes(app);
    app.get("/block")([&blocking](Request&) {
      blocking = true;
      std::this_thread::sleep_for(200ms);  // blocks the worker's loop: don't do this
      return swoop::text("blocked");
    });
    TestClient client{app};
    std::thread blocker{[&] { CHECK(client.get("/block").body == "blocked"); }};
    CHECK(wait_for([&blocking] { return blocking.load(); }, 10s));
    int status = 0;
    const auto took = timed_get(client, "/hello", &status);
    blocker.join();
    CHECK(status == 200);
    CHECK(took >= 100ms);  // documented effect: one worker, one blocked loop
    CHECK(timed_get(client, "/hello", &status) < 200ms);
  }

  TEST_CASE("tasks started by a handler whose client left are cancelled, nothing dangles") {
    std::atomic<int> started{0}, cancelled{0};
    swoop::App app;
    app.get("/fanout")([&started, &cancelled](Request& req) -> Task<Response> {
      return [](Request& r, std::atomic<int>& s, std::atomic<int>& c) -> Task<Response> {
        auto child = [](std::atomic<int>& s2, std::atomic<int>& c2, std::string path) -> Task<int> {
          ++s2;
          try {
            co_await swoop::sleep(10s);
          } catch (const swoop::Cancelled&) {
            ++c2;
            throw;
          }
          co_return static_cast<int>(path.size());
        };
        auto [a, b] = co_await swoop::gather(child(s, c, std::string{r.path()}),
                                             child(s, c, std::string{r.path()}));
        co_return swoop::text(std::to_string(a + b));
      }(req, started, cancelled);
    });
    app.get("/hello")([](Request&) { return swoop::text("hello"); });
    TestClient client{app};
    {
      RawSocket s{client.port()};
      s.send("GET /fanout HTTP/1.1\r\nHost: a\r\n\r\n");
      CHECK(wait_for([&] { return started == 2; }, 10s));
    }
    CHECK(wait_for([&] { return cancelled == 2; }, 3s));
    CHECK(client.get("/hello").status == 200);
  }

  TEST_CASE("many clients across four workers") {
    std::atomic<int> served{0};
    swoop::App app;
    app.get("/work")([&served](Request&) -> Task<Response> {
      return [](std::atomic<int>& n) -> Task<Response> {
        co_await swoop::sleep(1ms);
        ++n;
        co_return swoop::text("ok");
      }(served);
    });
    TestClient client{app, {.workers = 4}};
    std::vector<std::thread> threads;
    std::atomic<int> ok{0};
    for (int t = 0; t < 8; ++t) {
      threads.emplace_back([&] {
        for (int i = 0; i < 50; ++i) {
          if (client.get("/work").body == "ok") ++ok;
        }
      });
    }
    for (auto& t : threads) t.join();
    CHECK(ok == 400);
    CHECK(served == 400);
  }
}
