// SPDX-License-Identifier: MIT
// Tests of swoop/stream.hpp: StreamOptions, when the stream function runs, format_event and sse.
#include <doctest/doctest.h>

#include <atomic>
#include <chrono>
#include <memory>
#include <stdexcept>
#include <string>

#include "swoop/swoop.hpp"

using swoop::Request;
using swoop::Response;
using swoop::ResponseStream;
using swoop::Task;

namespace {

Task<void> write_abc(ResponseStream& out) {
  co_await out.write("a");
  co_await out.write("");  // ignored
  co_await out.write("bc");
  co_await out.flush();
}

}  // namespace

TEST_SUITE("stream") {
  TEST_CASE("StreamOptions set the status and the content type, octet-stream by default") {
    swoop::App app;
    app.get("/default")([](Request&) { return swoop::stream(write_abc); });
    app.get("/csv")([](Request&) {
      return swoop::stream(write_abc,
                           {.content_type = "text/csv", .status = swoop::Status::created});
    });
    app.get("/sized")(
        [](Request&) { return swoop::stream(write_abc, {.length = 3, .status = 203}); });
    swoop::TestClient client{app};
    auto plain = client.get("/default");
    CHECK(plain.status == 200);
    CHECK(plain.header("Content-Type") == "application/octet-stream");
    CHECK(plain.body == "abc");
    auto csv = client.get("/csv");
    CHECK(csv.status == 201);
    CHECK(csv.header("Content-Type") == "text/csv");
    CHECK(csv.body == "abc");
    auto sized = client.get("/sized");
    CHECK(sized.status == 203);
    CHECK(sized.header("Content-Length") == "3");
    CHECK(sized.body == "abc");
    static_assert(ResponseStream::high_water == 64 * 1024);
  }

  TEST_CASE("a stream's function does not run for a 204 or a 304") {
    auto ran = std::make_shared<std::atomic<int>>(0);
    swoop::App app;
    app.get("/<code:int>")([ran](Request& req) {
      return swoop::stream(
          [ran](ResponseStream& out) -> Task<void> {
            ++*ran;
            co_await out.write("body");
          },
          {.status = req.param<int>("code")});
    });
    swoop::TestClient client{app};
    auto no_content = client.get("/204");
    CHECK(no_content.status == 204);
    CHECK(no_content.body.empty());
    auto not_modified = client.get("/304");
    CHECK(not_modified.status == 304);
    CHECK(not_modified.body.empty());
    CHECK(*ran == 0);
    CHECK(client.get("/200").body == "body");
    CHECK(*ran == 1);
  }

  TEST_CASE("response middleware see the head with an empty body, and their headers go out") {
    swoop::App app;
    app.on_response([](Request&, Response& res) {
      res.set_header("X-Seen-Body", res.body().empty() ? "empty" : "full");
      res.set_header("X-Streamed", res.is_streamed() ? "yes" : "no");
    });
    app.get("/")([](Request&) { return swoop::stream(write_abc); });
    swoop::TestClient client{app};
    auto r = client.get("/");
    CHECK(r.body == "abc");
    CHECK(r.header("X-Seen-Body") == "empty");
    CHECK(r.header("X-Streamed") == "yes");
  }

  TEST_CASE("the stream function may read the handler's request after the handler returned") {
    swoop::App app;
    app.get("/echo")([](Request& req) {
      return swoop::stream([&req](ResponseStream& out) -> Task<void> {
        for (const auto& [name, value] : req.args()) {
          co_await out.write(std::string{name} + "=" + std::string{value} + ";");
        }
      });
    });
    swoop::TestClient client{app};
    CHECK(client.get("/echo?a=1&b=two").body == "a=1;b=two;");
  }

  TEST_CASE("a write beyond the declared length throws std::logic_error in the stream function") {
    auto refused = std::make_shared<std::atomic<int>>(0);
    swoop::App app;
    app.get("/")([refused](Request&) {
      return swoop::stream(
          [refused](ResponseStream& out) -> Task<void> {
            co_await out.write("abc");
            try {
              co_await out.write("d");
            } catch (const std::logic_error&) {
              ++*refused;
            }
          },
          {.length = 3});
    });
    swoop::TestClient client{app};
    auto r = client.get("/");
    CHECK(r.status == 200);
    CHECK(r.body == "abc");
    client.stop();  // the client may have its 3 bytes before the second write: wait for it
    CHECK(*refused == 1);
  }

  TEST_CASE("format_event writes the event type, id and retry before the data lines") {
    swoop::Event e;
    e.data = "one\ntwo";
    e.event = "update";
    e.id = "42";
    e.retry = std::chrono::milliseconds{2500};
    CHECK(swoop::format_event(e) == "event: update\nid: 42\nretry: 2500\ndata: one\ndata: two\n\n");
    swoop::Event only_id;
    only_id.id = "7";
    CHECK(swoop::format_event(only_id) == "id: 7\ndata: \n\n");
    swoop::Event bad;
    bad.event = "a\rb";
    CHECK_THROWS_AS(swoop::format_event(bad), std::invalid_argument);
    bad.event = "ok";
    bad.id = "1\n2";
    CHECK_THROWS_AS(swoop::format_event(bad), std::invalid_argument);
  }

  TEST_CASE("sse sends events and comments with a head that stops caching and buffering") {
    swoop::App app;
    app.get("/events")([](Request&) {
      return swoop::sse([](swoop::EventStream& events) -> Task<void> {
        co_await events.comment();
        co_await events.comment("keep\r\nalive");
        swoop::Event tick;
        tick.event = "tick";
        tick.data = "1";
        co_await events.send(tick);
        co_await events.send("bye");
      });
    });
    swoop::TestClient client{app};
    auto r = client.get("/events");
    CHECK(r.status == 200);
    CHECK(r.header("Content-Type") == "text/event-stream; charset=utf-8");
    CHECK(r.header("Cache-Control") == "no-cache");
    CHECK(r.header("X-Accel-Buffering") == "no");
    CHECK(r.body == ":\n\n: keep  alive\n\nevent: tick\ndata: 1\n\ndata: bye\n\n");
  }
}
