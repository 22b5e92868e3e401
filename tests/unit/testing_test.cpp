// SPDX-License-Identifier: MIT
// Tests of swoop/testing.hpp: TestClient's HTTP requests and its websocket client.
#include <doctest/doctest.h>

#include <atomic>
#include <chrono>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "swoop/swoop.hpp"

using namespace std::chrono_literals;

namespace {

// Echoes messages; "close" closes with 4000 "asked to"; "ping" pings first.
void add_echo(swoop::App& app) {
  app.websocket("/echo", {.max_message_size = 64 * 1024})(
      [](swoop::Request&, swoop::WebSocket& ws) -> swoop::Task<> {
        while (auto msg = co_await ws.recv()) {
          if (msg->text() == "close") {
            co_await ws.close(4000, "asked to");
            co_return;
          }
          if (msg->text() == "ping") co_await ws.ping("are you there");
          if (msg->is_text())
            co_await ws.send(msg->text());
          else
            co_await ws.send_binary(msg->text());
        }
      });
}

}  // namespace

TEST_SUITE("testing") {
  TEST_CASE("TestClient sends requests and reads responses") {
    swoop::App app;
    app.post("/echo")([](swoop::Request& req) { return swoop::text(std::string{req.body()}); });
    swoop::TestClient client{app};
    auto res = client.post("/echo", "hello", {{"X-Trace", "1"}});
    CHECK(res.status == 200);
    CHECK(res.body == "hello");
    CHECK(res.header("content-type") == "text/plain; charset=utf-8");
    CHECK(client.get("/missing").status == 404);
  }

  TEST_CASE("a TestResponse is the client's response: url, get_all, and the client's head") {
    swoop::App app;
    app.get("/cookies")([](swoop::Request& req) {
      swoop::Response res = swoop::text(std::string{req.header("connection").value_or("")});
      res.set_cookie("a", "1");
      res.set_cookie("b", "2");
      return res;
    });
    swoop::TestClient client{app};
    swoop::TestResponse res = client.get("/cookies?x=1");
    CHECK(res.status == 200);
    CHECK(res.reason == "OK");
    CHECK(res.url == "http://127.0.0.1:" + std::to_string(client.port()) + "/cookies?x=1");
    CHECK(res.get_all("SET-COOKIE") == std::vector<std::string_view>{"a=1; Path=/", "b=2; Path=/"});
    CHECK(res.body == "close");  // Connection: close unless the test says otherwise
    CHECK(client.get("/cookies", {{"Connection", "keep-alive"}}).body == "keep-alive");
    // A header that could split the request is refused before anything is sent.
    CHECK_THROWS_AS(client.get("/cookies", {{"X-A", "1\r\nX-B: 2"}}), swoop::http::ClientError);
  }

  TEST_CASE("parse_responses splits pipelined responses and skips interim ones") {
    const auto rs = swoop::TestClient::parse_responses(
        "HTTP/1.1 100 Continue\r\n\r\n"
        "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"
        "HTTP/1.1 404 Not Found\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nnot\r\n0\r\n\r\n"
        "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n\r\n\x81\x01x");
    REQUIRE(rs.size() == 3);
    CHECK(rs[0].status == 200);
    CHECK(rs[0].body == "ok");
    CHECK(rs[1].status == 404);
    CHECK(rs[1].body == "not");
    CHECK(rs[2].status == 101);  // what follows is the websocket's, not a response
    // A close-delimited body ends with the bytes; a malformed response ends the list.
    const auto tail = swoop::TestClient::parse_responses(
        "HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\naHTTP/1.0 200 OK\r\n\r\nto the end");
    REQUIRE(tail.size() == 2);
    CHECK(tail[1].body == "to the end");
    CHECK(swoop::TestClient::parse_responses("HTTP/1.1 2000 Nope\r\n\r\n").empty());
  }

  TEST_CASE("a websocket route is tested from doctest: send, receive, close") {
    swoop::App app;
    add_echo(app);
    swoop::TestClient client{app};
    auto ws = client.websocket("/echo");
    REQUIRE(ws.response().status == 101);
    REQUIRE(ws.is_open());
    ws.send("hi");
    auto reply = ws.receive();
    REQUIRE(reply);
    CHECK(reply->is_text());
    CHECK(reply->text() == "hi");
    ws.send_binary(std::string{"\x00\xff\x01", 3});
    reply = ws.receive();
    REQUIRE(reply);
    CHECK_FALSE(reply->is_text());
    CHECK(reply->text() == std::string{"\x00\xff\x01", 3});
    const std::string big(40000, 'x');  // a 16-bit length, read in several pieces
    ws.send(big);
    reply = ws.receive();
    REQUIRE(reply);
    CHECK(reply->text() == big);
    ws.send_fragmented("in three parts", true, 5);
    reply = ws.receive();
    REQUIRE(reply);
    CHECK(reply->text() == "in three parts");
    ws.close(1000, "done");
    CHECK_FALSE(ws.is_open());
    CHECK(ws.close_code() == 1000);
    CHECK_THROWS_AS(ws.send("late"), std::logic_error);
    CHECK_FALSE(ws.receive(100ms));
  }

  TEST_CASE("the server's pings are answered, and its close code is reported") {
    swoop::App app;
    add_echo(app);
    swoop::TestClient client{app};
    auto ws = client.websocket("/echo");
    REQUIRE(ws.is_open());
    ws.send("ping");  // the server pings, then echoes: receive() skips the ping
    auto reply = ws.receive();
    REQUIRE(reply);
    CHECK(reply->text() == "ping");
    ws.ping("mine");  // the server's pong is not a message
    ws.send("after");
    reply = ws.receive();
    REQUIRE(reply);
    CHECK(reply->text() == "after");
    ws.send("close");
    CHECK_FALSE(ws.receive());
    CHECK_FALSE(ws.is_open());
    CHECK(ws.close_code() == 4000);
    CHECK(ws.close_reason() == "asked to");
  }

  TEST_CASE("a message over the route's limit is closed with 1009") {
    swoop::App app;
    add_echo(app);
    swoop::TestClient client{app};
    auto ws = client.websocket("/echo");
    REQUIRE(ws.is_open());
    ws.send(std::string(64 * 1024 + 1, 'x'));
    CHECK_FALSE(ws.receive());
    CHECK(ws.close_code() == swoop::close_message_too_big);
  }

  TEST_CASE("a refused handshake is a response, and the socket is not open") {
    swoop::App app;
    app.websocket("/strict", {.allowed_origins = {"https://ok.example"}})(
        [](swoop::Request&, swoop::WebSocket&) -> swoop::Task<> { co_return; });
    swoop::TestClient client{app};
    auto missing = client.websocket("/nowhere");
    CHECK(missing.response().status == 404);
    CHECK_FALSE(missing.is_open());
    CHECK_THROWS_AS(missing.send("x"), std::logic_error);
    CHECK_FALSE(missing.receive(100ms));
    auto foreign = client.websocket("/strict", {{"Origin", "https://evil.example"}});
    CHECK(foreign.response().status == 403);
    auto old = client.websocket("/strict", {{"Sec-WebSocket-Version", "8"}});
    CHECK(old.response().status == 426);
    CHECK(old.response().header("Sec-WebSocket-Version") == "13");
    auto allowed = client.websocket("/strict", {{"Origin", "https://ok.example"}});
    CHECK(allowed.response().status == 101);
  }

  TEST_CASE("a dropped websocket client is seen by the handler as 1006") {
    swoop::App app;
    auto code = std::make_shared<std::atomic<int>>(0);
    app.websocket("/watch")([code](swoop::Request&, swoop::WebSocket& ws) -> swoop::Task<> {
      while (co_await ws.recv()) {
      }
      code->store(ws.close_code().value_or(0));
    });
    swoop::TestClient client{app};
    {
      auto ws = client.websocket("/watch");
      REQUIRE(ws.is_open());
      ws.send("x");
    }  // destroyed open: the TCP connection drops
    for (int i = 0; i < 500 && code->load() == 0; ++i) std::this_thread::sleep_for(10ms);
    CHECK(code->load() == swoop::close_abnormal);
  }

  TEST_CASE("route middleware of a websocket runs before the handshake and may refuse it") {
    struct User {
      std::string name;
    };
    swoop::App app;
    auto stamped = std::make_shared<std::atomic<int>>(0);
    swoop::Middleware auth = [](swoop::Request& req) -> std::optional<swoop::Response> {
      auto token = req.args().get("token");
      if (!token || *token != "secret") return swoop::text("who are you?", 401);
      req.ctx().emplace<User>("ada");
      return std::nullopt;
    };
    swoop::Middleware stamp = [stamped](swoop::Request&, swoop::Response& res) {
      stamped->fetch_add(1);
      res.set_header("X-Stamped", "1");
    };
    app.websocket("/private", {.middleware = {auth, stamp}})(
        [](swoop::Request& req, swoop::WebSocket& ws) -> swoop::Task<> {
          co_await ws.send("hello " + req.ctx().get<User>().name);
        });
    swoop::TestClient client{app};
    auto refused = client.websocket("/private");
    CHECK(refused.response().status == 401);
    CHECK(refused.response().body == "who are you?");
    CHECK(refused.response().header("X-Stamped") == "1");  // response middleware: refusals
    CHECK_FALSE(refused.is_open());

    auto ws = client.websocket("/private?token=secret");
    REQUIRE(ws.is_open());
    CHECK_FALSE(ws.response().header("X-Stamped"));  // the 101 is the websocket's own
    auto hello = ws.receive();
    REQUIRE(hello);
    CHECK(hello->text() == "hello ada");
  }
}
