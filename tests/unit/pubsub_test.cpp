// SPDX-License-Identifier: MIT
// Tests of swoop/pubsub.hpp: publish, Subscription's topics and queue bound, TopicMessage.
#include <doctest/doctest.h>

#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "swoop/swoop.hpp"

using swoop::Request;
using swoop::Response;
using swoop::Task;

namespace {

// "topic:data:t|b" for a message, "end" for none.
std::string shown(const std::optional<swoop::TopicMessage>& m) {
  if (!m) return "end";
  return std::string{m->topic()} + ":" + std::string{m->data()} + ":" +
         (m->is_binary() ? "b" : "t");
}

}  // namespace

TEST_SUITE("pubsub") {
  TEST_CASE("publish needs no subscriber, while a Subscription needs a server's worker") {
    CHECK_NOTHROW(swoop::publish("unit-pubsub-nobody", "dropped"));
    CHECK_NOTHROW(swoop::publish_binary("unit-pubsub-nobody", "dropped"));
    CHECK_THROWS_AS(swoop::Subscription{"unit-pubsub-nobody"}, std::logic_error);
    const swoop::SubscribeOptions defaults;
    CHECK(defaults.queue_limit == 1024 * 1024);
    CHECK(defaults.on_full == swoop::SlowSubscriber::close);
  }

  TEST_CASE("a Subscription gets what its own worker publishes at once, in order and by kind") {
    swoop::App app;
    app.get("/")([](Request&) -> Task<Response> {
      swoop::Subscription sub{"unit-pubsub-own"};
      swoop::publish("unit-pubsub-own", "first");
      swoop::publish_binary("unit-pubsub-own", "second");
      swoop::publish("unit-pubsub-other", "not subscribed");
      std::optional<swoop::TopicMessage> kept;
      std::string out;
      {
        auto one = co_await sub.next();
        kept = one;  // a copy holds the payload on its own
        out += shown(one) + " ";
      }
      auto two = co_await sub.next();
      out += shown(two) + " kept " + std::string{kept->data()};
      co_return swoop::text(out);
    });
    swoop::TestClient client{app};
    CHECK(client.get("/").body == "unit-pubsub-own:first:t unit-pubsub-own:second:b kept first");
  }

  TEST_CASE("subscribe adds a topic once, and unsubscribe keeps what is already queued") {
    swoop::App app;
    app.get("/")([](Request&) -> Task<Response> {
      swoop::Subscription sub{"unit-pubsub-a"};
      sub.subscribe("unit-pubsub-b");
      sub.subscribe("unit-pubsub-b");  // nothing: already subscribed
      swoop::publish("unit-pubsub-a", "1");
      swoop::publish("unit-pubsub-b", "2");
      sub.unsubscribe("unit-pubsub-b");
      swoop::publish("unit-pubsub-b", "3");
      swoop::publish("unit-pubsub-a", "4");
      std::string out;
      for (int i = 0; i < 3; ++i) {
        auto m = co_await sub.next();
        out += shown(m) + " ";
      }
      co_return swoop::text(out);
    });
    swoop::TestClient client{app};
    CHECK(client.get("/").body == "unit-pubsub-a:1:t unit-pubsub-b:2:t unit-pubsub-a:4:t ");
  }

  TEST_CASE("drop_oldest keeps the newest messages within queue_limit and counts the dropped") {
    swoop::App app;
    app.get("/")([](Request&) -> Task<Response> {
      swoop::Subscription sub{"unit-pubsub-drop",
                              {.queue_limit = 10, .on_full = swoop::SlowSubscriber::drop_oldest}};
      for (int i = 1; i <= 5; ++i) swoop::publish("unit-pubsub-drop", "msg" + std::to_string(i));
      std::string out = std::to_string(sub.dropped()) + (sub.is_closed() ? " closed" : " open");
      for (int i = 0; i < 2; ++i) {
        auto m = co_await sub.next();
        out += " " + (m ? std::string{m->data()} : "end");
      }
      co_return swoop::text(out);
    });
    swoop::TestClient client{app};
    CHECK(client.get("/").body == "3 open msg4 msg5");  // 4 bytes each: two fit in 10
  }

  TEST_CASE("with SlowSubscriber::close a full queue closes the subscription and next ends") {
    swoop::App app;
    app.get("/")([](Request&) -> Task<Response> {
      swoop::Subscription sub{"unit-pubsub-full", {.queue_limit = 10}};
      swoop::publish("unit-pubsub-full", "abcd");
      swoop::publish("unit-pubsub-full", "efgh");
      std::string out = sub.is_closed() ? "closed" : "open";
      swoop::publish("unit-pubsub-full", "ijkl");  // past the limit
      out += sub.is_closed() ? " closed" : " open";
      auto m = co_await sub.next();
      out += " " + shown(m);
      out += " " + std::to_string(sub.dropped());
      co_return swoop::text(out);
    });
    swoop::TestClient client{app};
    CHECK(client.get("/").body == "open closed end 0");
  }

  TEST_CASE("a Subscription on a worker follows what another thread publishes, in order") {
    swoop::App app;
    app.websocket("/follow")([](Request&, swoop::WebSocket& ws) -> Task<void> {
      swoop::Subscription sub{"unit-pubsub-follow"};
      co_await ws.send("ready");
      while (auto msg = co_await sub.next()) {
        if (msg->data() == "end") co_return;
        co_await ws.send(std::string{msg->data()});
      }
    });
    swoop::TestClient client{app, {.workers = 2}};
    auto ws = client.websocket("/follow");
    auto ready = ws.receive();
    REQUIRE(ready);
    REQUIRE(ready->text() == "ready");
    std::vector<std::string> sent;
    for (int i = 0; i < 50; ++i) {
      sent.push_back(std::to_string(i * 7));
      swoop::publish("unit-pubsub-follow", sent.back());
    }
    swoop::publish("unit-pubsub-follow", "end");
    std::vector<std::string> got;
    while (auto msg = ws.receive()) got.emplace_back(msg->text());
    CHECK(got == sent);
    CHECK(ws.close_code() == swoop::close_normal);  // the handler returned at "end"
  }
}
