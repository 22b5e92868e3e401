// SPDX-License-Identifier: MIT
// Tests of swoop/context.hpp: one typed slot per type, emplace replaces, get throws when empty.
#include <doctest/doctest.h>

#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "swoop/swoop.hpp"

namespace {

struct User {
  std::string name;
};
struct Count {
  int n = 0;
};
struct OtherCount {  // the same layout as Count, another type
  int n = 0;
};

// Counts its live instances, to see when a Context lets go of a value.
struct Tracked {
  explicit Tracked(std::shared_ptr<int> live) : live_(std::move(live)) { ++*live_; }
  Tracked(const Tracked&) = delete;
  Tracked& operator=(const Tracked&) = delete;
  ~Tracked() { --*live_; }
  std::shared_ptr<int> live_;
};

}  // namespace

TEST_SUITE("context") {
  TEST_CASE("an empty Context finds nothing and get throws std::out_of_range") {
    swoop::Context ctx;
    CHECK((ctx.find<User>() == nullptr));
    CHECK_FALSE(ctx.contains<User>());
    CHECK_THROWS_AS(ctx.get<User>(), std::out_of_range);
    const swoop::Context& read_only = ctx;
    CHECK((read_only.find<Count>() == nullptr));
    CHECK_THROWS_AS(read_only.get<Count>(), std::out_of_range);
  }

  TEST_CASE("emplace builds the value from its arguments and returns the stored value") {
    swoop::Context ctx;
    User& stored = ctx.emplace<User>("ada");
    CHECK(stored.name == "ada");
    CHECK(ctx.contains<User>());
    CHECK(&ctx.get<User>() == &stored);
    CHECK(ctx.find<User>() == &stored);
    stored.name = "grace";  // the reference is the stored value, not a copy
    CHECK(ctx.get<User>().name == "grace");
    const swoop::Context& read_only = ctx;
    read_only.get<User>().name += "!";  // get on a const Context still gives a mutable value
    CHECK(ctx.find<User>()->name == "grace!");
  }

  TEST_CASE("each type has its own slot, whatever its layout") {
    swoop::Context ctx;
    ctx.emplace<Count>(Count{1});
    CHECK_FALSE(ctx.contains<OtherCount>());
    ctx.emplace<OtherCount>(OtherCount{2});
    ctx.emplace<int>(3);
    ctx.emplace<std::vector<int>>(4, 7);
    CHECK(ctx.get<Count>().n == 1);
    CHECK(ctx.get<OtherCount>().n == 2);
    CHECK(ctx.get<int>() == 3);
    CHECK(ctx.get<std::vector<int>>() == std::vector<int>{7, 7, 7, 7});
    CHECK_FALSE(ctx.contains<User>());
  }

  TEST_CASE("emplace of a type already stored replaces its value and frees the old one") {
    auto live = std::make_shared<int>(0);
    swoop::Context ctx;
    ctx.emplace<Count>(Count{1});
    ctx.emplace<Tracked>(live);
    CHECK(*live == 1);
    ctx.emplace<Tracked>(live);
    CHECK(*live == 1);  // the first one was released
    Count& replaced = ctx.emplace<Count>(Count{5});
    CHECK(replaced.n == 5);
    CHECK(ctx.get<Count>().n == 5);
  }

  TEST_CASE("clear drops every slot and their values") {
    auto live = std::make_shared<int>(0);
    swoop::Context ctx;
    ctx.emplace<User>("ada");
    ctx.emplace<Tracked>(live);
    CHECK(*live == 1);
    ctx.clear();
    CHECK(*live == 0);
    CHECK_FALSE(ctx.contains<User>());
    CHECK_FALSE(ctx.contains<Tracked>());
    ctx.emplace<User>("again");  // usable after clear
    CHECK(ctx.get<User>().name == "again");
  }

  TEST_CASE("req.ctx carries middleware data to the handler and starts empty for each request") {
    swoop::App app;
    app.on_request([](swoop::Request& req) {
      if (auto name = req.args().get("user")) req.ctx().emplace<User>(std::string{*name});
    });
    app.get("/")([](swoop::Request& req) {
      Count& visits =
          req.ctx().contains<Count>() ? req.ctx().get<Count>() : req.ctx().emplace<Count>();
      ++visits.n;
      const User* user = req.ctx().find<User>();
      return swoop::text((user != nullptr ? user->name : "nobody") + " " +
                         std::to_string(visits.n));
    });
    swoop::TestClient client{app};
    CHECK(client.get("/?user=ada").body == "ada 1");
    CHECK(client.get("/").body == "nobody 1");  // nothing left from the request before
    auto raw = client.raw(
        "GET /?user=bob HTTP/1.1\r\nHost: x\r\n\r\nGET / HTTP/1.1\r\nHost: x\r\n"
        "Connection: close\r\n\r\n");
    auto responses = swoop::TestClient::parse_responses(raw);
    REQUIRE(responses.size() == 2);
    CHECK(responses[0].body == "bob 1");
    CHECK(responses[1].body == "nobody 1");  // nor from one before it on the same connection
  }

  TEST_CASE("App::ctx is one Context for the app, read by handlers") {
    swoop::App app;
    app.ctx().emplace<User>("shared");
    CHECK(app.ctx().get<User>().name == "shared");
    app.get("/")([&app](swoop::Request&) { return swoop::text(app.ctx().get<User>().name); });
    swoop::TestClient client{app};
    CHECK(client.get("/").body == "shared");
    CHECK_FALSE(app.ctx().contains<Count>());
  }
}
