// SPDX-License-Identifier: MIT
// Tests of swoop/registry.hpp: RouteOptions, the registrars, Listener, on_error and add_listener.
#include <doctest/doctest.h>

#include <atomic>
#include <chrono>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "support/loop_fixture.hpp"
#include "support/wait.hpp"
#include "swoop/swoop.hpp"

using namespace std::chrono_literals;
using swoop::Request;
using swoop::Response;
using swoop::Task;

namespace {

Response path_of(Request& req) {
  return swoop::text(std::string{req.method()} + " " + std::string{req.path()});
}

}  // namespace

TEST_SUITE("registry") {
  TEST_CASE("RouteOptions default to a GET route answering 200 and listed in the API document") {
    const swoop::RouteOptions o;
    CHECK(o.methods == std::vector<std::string>{"GET"});
    CHECK(o.name.empty());
    CHECK_FALSE(o.strict_slashes.has_value());
    CHECK(o.middleware.empty());
    CHECK_FALSE(o.error_format.has_value());  // the blueprint's or the app's
    CHECK_FALSE(o.stream_body);
    CHECK(static_cast<int>(o.status) == 200);
    CHECK(o.include_in_schema);
    CHECK_FALSE(o.deprecated);
  }

  TEST_CASE("a registrar registers a copy of the handler and hands the original back") {
    auto served = std::make_shared<std::atomic<int>>(0);  // written on a worker
    auto counter = [served, n = 0](Request&) mutable {
      *served = ++n;
      return swoop::text(std::to_string(n));
    };
    swoop::App app;
    auto back = app.get("/count")(counter);
    auto again = app.post("/count")(back);  // stacks: another copy, with its own count
    swoop::TestClient client{app};
    CHECK(client.get("/count").body == "1");
    CHECK(client.get("/count").body == "2");
    CHECK(client.post("/count", "").body == "1");
    CHECK(*served == 1);
    CHECK(back(*std::make_unique<Request>()).body() == "1");  // the original never ran
    CHECK(again(*std::make_unique<Request>()).body() == "1");
  }

  TEST_CASE("the one-call forms and every shorthand register their method") {
    swoop::App app;
    app.get("/one", path_of);
    app.post("/one", path_of);
    app.route("/multi", {.methods = {"PUT", "PATCH"}}, path_of);
    app.del("/short")(path_of);
    app.put("/short")(path_of);
    app.patch("/short")(path_of);
    app.options("/short")(path_of);
    app.head("/short")([](Request&) { return swoop::empty(200).set_header("X-Head", "own"); });
    swoop::TestClient client{app};
    CHECK(client.get("/one").body == "GET /one");
    CHECK(client.post("/one", "").body == "POST /one");
    CHECK(client.put("/multi", "").body == "PUT /multi");
    CHECK(client.patch("/multi", "").body == "PATCH /multi");
    CHECK(client.get("/multi").status == 405);
    CHECK(client.del("/short").body == "DELETE /short");
    CHECK(client.put("/short", "").body == "PUT /short");
    CHECK(client.patch("/short", "").body == "PATCH /short");
    CHECK(client.options("/short").body == "OPTIONS /short");
    CHECK(client.head("/short").header("X-Head") == "own");
    CHECK(client.post("/short", "").status == 405);
  }

  TEST_CASE("add_middleware takes each kind, and add_websocket registers a handler at once") {
    swoop::App app;
    app.add_middleware(swoop::Middleware{[](Request& req) -> std::optional<Response> {
      if (req.header("X-Deny")) return swoop::text("denied", 403);
      return std::nullopt;
    }});
    app.add_middleware(
        swoop::Middleware{[](Request&, Response& res) { res.set_header("X-After", "1"); }});
    app.get("/")(path_of);
    swoop::WebSocketHandler greet = [](Request&, swoop::WebSocket& ws) -> Task<void> {
      co_await ws.send("hi");
    };
    app.add_websocket("/ws", {}, greet);
    swoop::TestClient client{app};
    auto plain = client.get("/");
    CHECK(plain.body == "GET /");
    CHECK(plain.header("X-After") == "1");
    auto denied = client.get("/", {{"X-Deny", "1"}});
    CHECK(denied.status == 403);
    CHECK(denied.header("X-After") == "1");
    auto ws = client.websocket("/ws");
    REQUIRE(ws.is_open());
    auto msg = ws.receive();
    REQUIRE(msg);
    CHECK(msg->text() == "hi");
    CHECK(client.websocket("/ws", {{"X-Deny", "1"}}).response().status == 403);
  }

  TEST_CASE("on_error handles derived types with a coroutine, the most specific type winning") {
    swoop::App app;
    app.on_error<std::logic_error>([](Request&, const std::logic_error& e) -> Task<Response> {
      co_return swoop::text(std::string{"logic: "} + e.what(), 409);
    });
    app.on_error<std::out_of_range>([](Request&, const std::out_of_range& e) {
      return swoop::text(std::string{"range: "} + e.what(), 416);
    });
    app.get("/invalid")([](Request&) -> Response { throw std::invalid_argument("bad"); });
    app.get("/range")([](Request&) -> Response { throw std::out_of_range("far"); });
    app.get("/other")([](Request&) -> Response { throw std::runtime_error("secret"); });
    swoop::TestClient client{app};
    auto invalid = client.get("/invalid");
    CHECK(invalid.status == 409);
    CHECK(invalid.body == "logic: bad");
    auto range = client.get("/range");
    CHECK(range.status == 416);
    CHECK(range.body == "range: far");
    auto other = client.get("/other");
    CHECK(other.status == 500);
    CHECK(other.body.find("secret") == std::string::npos);
  }

  TEST_CASE_FIXTURE(swoop::test::LoopFixture,
                    "a Listener wraps a plain or a coroutine callable and its copies share it") {
    swoop::App app{"listened"};
    std::string seen;
    swoop::Listener plain = [&seen](swoop::App& a) { seen += "plain " + a.name() + ","; };
    swoop::Listener async = [&seen](swoop::App& a) -> Task<void> {
      seen += "async " + a.name() + ",";
      co_return;
    };
    swoop::sync_wait(loop, plain.call(app));
    swoop::sync_wait(loop, async.call(app));
    CHECK(seen == "plain listened,async listened,");
    int calls = 0;
    swoop::Listener counting = [&calls, n = 0](swoop::App&) mutable { calls = ++n; };
    swoop::Listener copy = counting;
    swoop::sync_wait(loop, counting.call(app));
    swoop::sync_wait(loop, copy.call(app));
    CHECK(calls == 2);  // one callable: the copy counted on
  }

  TEST_CASE("add_listener runs a listener at the event it names") {
    swoop::App app;
    auto started = std::make_shared<std::atomic<int>>(0);
    auto stopping = std::make_shared<std::atomic<int>>(0);
    app.add_listener(swoop::ListenerEvent::after_server_start,
                     [started](swoop::App&) { ++*started; });
    app.add_listener(swoop::ListenerEvent::before_server_stop,
                     [stopping](swoop::App&) -> Task<void> {
                       ++*stopping;
                       co_return;
                     });
    {
      swoop::TestClient client{app};
      CHECK(swoop::test::wait_for([&] { return *started == 1; }, 10s));
      CHECK(*stopping == 0);
    }
    CHECK(*started == 1);
    CHECK(*stopping == 1);
  }
}
