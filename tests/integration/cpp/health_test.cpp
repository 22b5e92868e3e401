// SPDX-License-Identifier: MIT
// Health routes and the shutdown drain: /readyz turns 503 before the listener closes.
#include <doctest/doctest.h>

#include <chrono>
#include <string>
#include <thread>

#include "support/raw_socket.hpp"
#include "swoop/swoop.hpp"

namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

// One GET on a keep-alive connection; returns the response (head and body) as received.
std::string get(swoop::test::RawSocket& s, const std::string& path) {
  s.send("GET " + path + " HTTP/1.1\r\nHost: x\r\n\r\n");
  std::string got = s.read_until("\r\n\r\n", 5s);
  const std::size_t head_end = got.find("\r\n\r\n");
  if (head_end == std::string::npos) return got;
  const std::size_t cl = got.find("Content-Length: ");
  const std::size_t length = cl < head_end ? std::stoul(got.substr(cl + 16)) : 0;
  while (got.size() < head_end + 4 + length && s.read_more(5s)) got = s.received();
  got = got.substr(0, head_end + 4 + length);
  s.consume(got.size());
  return got;
}

bool accepts(std::uint16_t port) {
  try {
    swoop::test::RawSocket s{port};
    return true;
  } catch (const std::runtime_error&) {
    return false;
  }
}

}  // namespace

TEST_SUITE("health") {
  TEST_CASE("liveness is 200, readiness follows is_ready") {
    swoop::App app{"health"};
    app.add_health_routes();
    CHECK_FALSE(app.is_ready());
    swoop::TestClient client{app};
    CHECK(app.is_ready());
    auto live = client.get("/healthz");
    CHECK(live.status == 200);
    CHECK(live.body == "ok\n");
    CHECK(live.header("Cache-Control") == "no-store");
    auto ready = client.get("/readyz");
    CHECK(ready.status == 200);
    CHECK(ready.body == "ready\n");
    CHECK(client.head("/readyz").status == 200);
    app.set_ready(false);  // maintenance: out of rotation, still serving
    auto not_ready = client.get("/readyz");
    CHECK(not_ready.status == 503);
    CHECK(not_ready.body == "not ready\n");
    CHECK(client.get("/healthz").status == 200);
    app.set_ready(true);
    CHECK(client.get("/readyz").status == 200);
  }

  TEST_CASE("health routes take custom paths and collide like any route") {
    swoop::App app{"health"};
    app.get("/healthz")([](swoop::Request&) { return swoop::text("mine"); });
    CHECK_THROWS_AS(app.add_health_routes(), std::invalid_argument);
    swoop::App other{"health2"};
    other.add_health_routes("/live", "/ready");
    swoop::TestClient client{other};
    CHECK(client.get("/live").status == 200);
    CHECK(client.get("/ready").status == 200);
    CHECK(client.get("/readyz").status == 404);
  }

  TEST_CASE("on stop, readiness turns 503 while the server still serves for the drain delay") {
    swoop::App app{"drain"};
    app.add_health_routes();
    app.get("/")([](swoop::Request&) { return swoop::text("hi\n"); });
    swoop::RunOptions options;
    options.port = 0;
    options.drain_delay = 1500ms;
    swoop::Server server{app, options};
    server.start();
    const std::uint16_t port = server.port();
    swoop::test::RawSocket kept{port};
    CHECK(get(kept, "/readyz").starts_with("HTTP/1.1 200"));

    const auto stopped_at = Clock::now();
    server.stop();
    CHECK_FALSE(app.is_ready());
    // During the drain: new connections are accepted; readiness is 503, the rest is served,
    // and every response closes its connection so that keep-alive clients move away.
    // (Readiness is off as soon as stop() returns; the worker sees the stop a moment later.)
    std::string r;
    while (Clock::now() - stopped_at < 1000ms) {
      swoop::test::RawSocket fresh{port};
      r = get(fresh, "/readyz");
      CHECK(r.starts_with("HTTP/1.1 503"));
      if (r.find("Connection: close\r\n") != std::string::npos) {
        CHECK(fresh.wait_closed(2s));
        break;
      }
    }
    CHECK(r.find("Connection: close\r\n") != std::string::npos);
    {
      swoop::test::RawSocket fresh{port};
      CHECK(get(fresh, "/healthz").starts_with("HTTP/1.1 200"));
    }
    const std::string last = get(kept, "/");
    CHECK(last.starts_with("HTTP/1.1 200"));
    CHECK(last.ends_with("\r\nConnection: close\r\n\r\nhi\n"));
    CHECK(kept.wait_closed(2s));
    CHECK(Clock::now() - stopped_at < 1200ms);  // all of the above happened within the drain

    // Then the listener closes.
    while (accepts(port) && Clock::now() - stopped_at < 10s) std::this_thread::sleep_for(20ms);
    CHECK_FALSE(accepts(port));
    CHECK(Clock::now() - stopped_at >= 1450ms);
    server.wait();
  }

  TEST_CASE("without a drain delay the listener closes at once and readiness is already off") {
    swoop::App app{"nodrain"};
    app.add_health_routes();
    swoop::RunOptions options;
    options.port = 0;
    swoop::Server server{app, options};
    server.start();
    const auto stopped_at = Clock::now();
    server.stop();
    CHECK_FALSE(app.is_ready());
    server.wait();
    CHECK(Clock::now() - stopped_at < 2s);
  }
}
