// SPDX-License-Identifier: MIT
// Tests of swoop/server.hpp: start on port 0, port(), connections(), stop, wait, on_all_stopped.
#include <doctest/doctest.h>

#include <atomic>
#include <chrono>
#include <memory>
#include <stdexcept>
#include <string>
#include <thread>

#include "support/raw_socket.hpp"
#include "support/wait.hpp"
#include "swoop/swoop.hpp"

using namespace std::chrono_literals;
using swoop::test::RawSocket;
using swoop::test::wait_for;

namespace {

void add_hello(swoop::App& app) {
  app.get("/")([](swoop::Request&) { return swoop::text("hello"); });
}

// Sends one keep-alive GET / on s and returns what came back up to the body.
std::string get_root(RawSocket& s) {
  s.send("GET / HTTP/1.1\r\nHost: a\r\n\r\n");
  return s.read_until("hello", 10s);
}

bool accepts(std::uint16_t port) {
  try {
    RawSocket s{port};
    return true;
  } catch (const std::runtime_error&) {
    return false;
  }
}

swoop::RunOptions on_any_port(int workers = 1) {
  swoop::RunOptions options;
  options.port = 0;
  options.workers = workers;
  return options;
}

}  // namespace

TEST_SUITE("server") {
  TEST_CASE("a Server started on port 0 reports the port it listens on and serves there") {
    swoop::App app;
    add_hello(app);
    swoop::Server server{app, on_any_port(2)};
    server.start();
    const std::uint16_t port = server.port();
    CHECK(port != 0);
    RawSocket s{port};
    const std::string got = get_root(s);
    CHECK(got.starts_with("HTTP/1.1 200 OK\r\n"));
    CHECK(got.ends_with("\r\n\r\nhello"));
    server.stop();
    server.wait();
    CHECK_FALSE(accepts(port));
  }

  TEST_CASE("connections counts open client connections across workers") {
    swoop::App app;
    add_hello(app);
    swoop::Server server{app, on_any_port(2)};
    server.start();
    CHECK(server.connections() == 0);
    {
      RawSocket a{server.port()};
      RawSocket b{server.port()};
      REQUIRE(get_root(a).ends_with("hello"));
      REQUIRE(get_root(b).ends_with("hello"));
      CHECK(server.connections() == 2);  // both kept alive, each answered once
      CHECK(server.buffered_bytes() == 0);
    }
    CHECK(wait_for([&] { return server.connections() == 0; }, 10s));
    server.stop();
    server.wait();
  }

  TEST_CASE("stop may be called twice and from another thread, and wait returns after it") {
    swoop::App app;
    add_hello(app);
    swoop::Server server{app, on_any_port()};
    server.start();
    CHECK(app.is_ready());
    std::thread stopper{[&server] { server.stop(); }};
    stopper.join();
    CHECK_FALSE(app.is_ready());
    server.stop();  // idempotent
    server.wait();
    server.stop();  // also once the workers ended
  }

  TEST_CASE("on_all_stopped runs once the workers have ended, or at once after that") {
    swoop::App app;
    add_hello(app);
    swoop::Server server{app, on_any_port(2)};
    auto calls = std::make_shared<std::atomic<int>>(0);
    server.on_all_stopped([calls] { ++*calls; });
    server.start();
    RawSocket s{server.port()};
    REQUIRE(get_root(s).ends_with("hello"));
    CHECK(*calls == 0);  // serving
    server.stop();
    server.wait();
    CHECK(wait_for([&] { return *calls == 1; }, 10s));
    auto late = std::make_shared<std::atomic<int>>(0);
    server.on_all_stopped([late] { ++*late; });  // already ended: called at once
    CHECK(*late == 1);
    server.on_all_stopped(nullptr);
    CHECK(*calls == 1);
  }

  TEST_CASE("destroying a started Server stops it and waits for its workers") {
    swoop::App app;
    add_hello(app);
    auto stopped = std::make_shared<std::atomic<int>>(0);
    app.after_server_stop([stopped](swoop::App&) { ++*stopped; });
    std::uint16_t port = 0;
    {
      swoop::Server server{app, on_any_port(2)};
      server.start();
      port = server.port();
      RawSocket s{port};
      REQUIRE(get_root(s).ends_with("hello"));
    }
    CHECK(*stopped == 2);  // each worker ran its stop listener before the destructor returned
    CHECK_FALSE(accepts(port));
  }

  TEST_CASE("start refuses a host that is not an address with std::invalid_argument") {
    swoop::App app;
    add_hello(app);
    swoop::RunOptions options = on_any_port();
    options.host = "not an address";
    swoop::Server server{app, options};
    CHECK_THROWS_AS(server.start(), std::invalid_argument);
  }
}
