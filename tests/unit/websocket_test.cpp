// SPDX-License-Identifier: MIT
// Tests of swoop/websocket.hpp: WebSocketMessage, the options' defaults, and a handler's socket.
#include <doctest/doctest.h>

#include <atomic>
#include <chrono>
#include <cstddef>
#include <memory>
#include <span>
#include <string>
#include <string_view>

#include "swoop/swoop.hpp"

using namespace std::chrono_literals;
using swoop::Request;
using swoop::Task;
using swoop::WebSocket;

namespace {

std::string bytes_of(std::span<const std::byte> b) {
  return {reinterpret_cast<const char*>(b.data()), b.size()};
}

// Reports the socket's state, then answers each message: "close <code>" closes with that code
// and "state" reports again; anything else is echoed as binary bytes.
Task<void> reporter(Request&, WebSocket& ws) {
  auto state = [&ws] {
    return std::string{ws.is_open() ? "open" : "closed"} + " " +
           (ws.close_code() ? std::to_string(*ws.close_code()) : "none");
  };
  co_await ws.send(state());
  while (auto msg = co_await ws.recv()) {
    const std::string text{msg->text()};
    if (text.starts_with("close ")) {
      co_await ws.close(static_cast<std::uint16_t>(std::stoi(text.substr(6))), "bye");
      co_return;
    }
    const std::string reply = "echo " + text;
    co_await ws.send(
        std::span<const std::byte>{reinterpret_cast<const std::byte*>(reply.data()), reply.size()});
  }
}

}  // namespace

TEST_SUITE("websocket") {
  TEST_CASE("a WebSocketMessage is text or binary and gives its payload as text, bytes or string") {
    const std::string big(200, 'x');
    for (const std::string& payload : {std::string{"h\0i", 3}, big}) {
      CAPTURE(payload.size());
      auto text = swoop::WebSocketMessage::copy_of(payload, true);
      CHECK(text.is_text());
      CHECK_FALSE(text.is_binary());
      CHECK(text.text() == payload);
      CHECK(bytes_of(text.binary()) == payload);
      auto binary = swoop::WebSocketMessage{payload, false};
      CHECK(binary.is_binary());
      swoop::WebSocketMessage copy = binary;
      CHECK(std::move(binary).take() == payload);
      CHECK(copy.text() == payload);  // a copy keeps its own payload
      CHECK(copy.is_binary());
    }
  }

  TEST_CASE("WebSocketOptions defaults and the close codes are the documented ones") {
    const swoop::WebSocketOptions o;
    CHECK(o.max_message_size == 1024 * 1024);
    CHECK(o.subprotocols.empty());
    CHECK(o.allowed_origins.empty());
    CHECK(o.ping_interval == 0ms);
    CHECK(o.idle_timeout == 0ms);
    CHECK(o.close_timeout == 5000ms);
    CHECK(o.send_high_water == 256 * 1024);
    CHECK_FALSE(o.compression);
    CHECK(o.compression_no_context_takeover);
    CHECK(o.topic_queue_limit == 1024 * 1024);
    CHECK(o.topic_overflow == swoop::SlowSubscriber::close);
    CHECK(o.middleware.empty());
    CHECK(swoop::close_normal == 1000);
    CHECK(swoop::close_going_away == 1001);
    CHECK(swoop::close_protocol_error == 1002);
    CHECK(swoop::close_no_status == 1005);
    CHECK(swoop::close_abnormal == 1006);
    CHECK(swoop::close_invalid_payload == 1007);
    CHECK(swoop::close_message_too_big == 1009);
    CHECK(swoop::close_internal_error == 1011);
    CHECK(swoop::close_try_again_later == 1013);
  }

  TEST_CASE("an open socket has no close code, and send of bytes is a binary message") {
    swoop::App app;
    app.websocket("/ws")(reporter);
    swoop::TestClient client{app};
    auto ws = client.websocket("/ws");
    REQUIRE(ws.is_open());
    auto state = ws.receive();
    REQUIRE(state);
    CHECK(state->is_text());
    CHECK(state->text() == "open none");
    ws.send("hi");
    auto echo = ws.receive();
    REQUIRE(echo);
    CHECK(echo->is_binary());
    CHECK(echo->text() == "echo hi");
  }

  TEST_CASE("the handler's close sends its code and reason, an unsendable code becomes 1000") {
    swoop::App app;
    app.websocket("/ws")(reporter);
    swoop::TestClient client{app};
    auto custom = client.websocket("/ws");
    REQUIRE(custom.receive());
    custom.send("close 4001");
    CHECK_FALSE(custom.receive());
    CHECK(custom.close_code() == 4001);
    CHECK(custom.close_reason() == "bye");
    for (const char* unsendable : {"close 1005", "close 1006", "close 1015", "close 999"}) {
      CAPTURE(unsendable);
      auto ws = client.websocket("/ws");
      REQUIRE(ws.receive());
      ws.send(unsendable);
      CHECK_FALSE(ws.receive());
      CHECK(ws.close_code() == swoop::close_normal);
    }
  }

  TEST_CASE(
      "after close the handler's socket is not open, reports its own code, and send is a no-op") {
    auto seen = std::make_shared<std::string>();
    auto done = std::make_shared<std::atomic<bool>>(false);
    swoop::App app;
    app.websocket("/ws")([seen, done](Request&, WebSocket& ws) -> Task<void> {
      auto close = ws.close(4002, "mine");  // the handshake starts at the call
      *seen = std::string{ws.is_open() ? "open" : "closed"} + " " +
              std::to_string(ws.close_code().value_or(0)) + " " + std::string{ws.close_reason()};
      co_await ws.send("ignored");
      co_await std::move(close);
      done->store(true);
    });
    swoop::TestClient client{app};
    auto ws = client.websocket("/ws");
    REQUIRE(ws.response().status == 101);
    CHECK_FALSE(ws.receive());  // the close comes first: "ignored" is never sent
    CHECK(ws.close_code() == 4002);
    CHECK(ws.close_reason() == "mine");
    client.stop();  // waits for the handler
    CHECK(done->load());
    CHECK(*seen == "closed 4002 mine");
  }

  TEST_CASE("a handler that returns closes with 1000, one that throws with 1011") {
    swoop::App app;
    app.websocket("/return")([](Request&, WebSocket& ws) -> Task<void> { co_await ws.send("x"); });
    app.websocket("/throw")([](Request&, WebSocket&) -> Task<void> {
      throw std::runtime_error("handler failed");
      co_return;
    });
    swoop::TestClient client{app};
    auto returns = client.websocket("/return");
    auto msg = returns.receive();
    REQUIRE(msg);
    CHECK(msg->text() == "x");
    CHECK_FALSE(returns.receive());
    CHECK(returns.close_code() == swoop::close_normal);
    auto throws = client.websocket("/throw");
    CHECK_FALSE(throws.receive());
    CHECK(throws.close_code() == swoop::close_internal_error);
    CHECK(client.get("/return").status == 426);  // a plain GET: Upgrade required
  }

  TEST_CASE("the first of the route's subprotocols that the client offers is chosen") {
    swoop::App app;
    app.websocket(
        "/ws", {.subprotocols = {"v2.chat", "v1.chat"}})([](Request&, WebSocket& ws) -> Task<void> {
      std::string reply = "[";
      reply += ws.subprotocol();
      reply += "]";
      co_await ws.send(reply);
    });
    swoop::TestClient client{app};
    auto both = client.websocket("/ws", {{"Sec-WebSocket-Protocol", "v1.chat, v2.chat"}});
    CHECK(both.response().header("Sec-WebSocket-Protocol") == "v2.chat");
    auto msg = both.receive();
    REQUIRE(msg);
    CHECK(msg->text() == "[v2.chat]");
    auto old = client.websocket("/ws", {{"Sec-WebSocket-Protocol", "v1.chat, other"}});
    CHECK(old.response().header("Sec-WebSocket-Protocol") == "v1.chat");
    auto none = client.websocket("/ws");
    REQUIRE(none.is_open());
    CHECK_FALSE(none.response().header("Sec-WebSocket-Protocol"));
    msg = none.receive();
    REQUIRE(msg);
    CHECK(msg->text() == "[]");
  }

  TEST_CASE("subscribe forwards a topic's messages as sent, until unsubscribe") {
    swoop::App app;
    app.websocket("/topic")([](Request&, WebSocket& ws) -> Task<void> {
      ws.subscribe("unit-ws-news");
      ws.subscribe("unit-ws-news");  // twice is once
      co_await ws.send("ready");
      while (auto msg = co_await ws.recv()) {
        if (msg->text() == "leave") {
          ws.unsubscribe("unit-ws-news");
          co_await ws.send("left");
        } else {
          co_await ws.send("echo " + std::string{msg->text()});
        }
      }
    });
    swoop::TestClient client{app};
    auto ws = client.websocket("/topic");
    auto ready = ws.receive();
    REQUIRE(ready);
    REQUIRE(ready->text() == "ready");
    swoop::publish("unit-ws-news", "text news");
    swoop::publish_binary("unit-ws-news", std::string{"\x00\x01", 2});
    auto first = ws.receive();
    REQUIRE(first);
    CHECK(first->is_text());
    CHECK(first->text() == "text news");
    auto second = ws.receive();
    REQUIRE(second);
    CHECK(second->is_binary());
    CHECK(second->text() == std::string{"\x00\x01", 2});
    ws.send("leave");
    auto left = ws.receive();
    REQUIRE(left);
    CHECK(left->text() == "left");  // not a second copy of the news
    swoop::publish("unit-ws-news", "missed");
    ws.send("after");
    auto after = ws.receive();
    REQUIRE(after);
    CHECK(after->text() == "echo after");
  }
}
