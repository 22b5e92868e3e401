// SPDX-License-Identifier: MIT
// Tests of swoop/handler.hpp: Handler wraps every accepted shape, and add_route takes it.
#include <doctest/doctest.h>

#include <memory>
#include <vector>

#include "swoop/swoop.hpp"

namespace {

struct Item {
  int id = 0;
  static constexpr auto json_fields = swoop::fields(swoop::field("id", &Item::id));
};

swoop::Response plain(swoop::Request&) { return swoop::text("plain"); }
swoop::Task<swoop::Response> coroutine(swoop::Request&) { co_return swoop::text("coroutine"); }
Item typed(swoop::Request&) { return Item{7}; }
swoop::Task<std::vector<Item>> typed_coroutine(swoop::Request&) { co_return {Item{1}, Item{2}}; }

}  // namespace

TEST_SUITE("handler") {
  TEST_CASE("a Handler says which shape it wraps") {
    CHECK_FALSE(swoop::Handler{});
    swoop::Handler sync{plain};
    CHECK(sync);
    CHECK(sync.is_sync());
    CHECK_FALSE(sync.is_typed());
    CHECK((sync.result_schema() == nullptr));
    swoop::Handler async{coroutine};
    CHECK_FALSE(async.is_sync());
    CHECK_FALSE(async.is_typed());
    swoop::Handler item{typed};
    CHECK(item.is_sync());
    CHECK(item.is_typed());
    CHECK((item.result_schema() != nullptr));
    swoop::Handler items{typed_coroutine};
    CHECK_FALSE(items.is_sync());
    CHECK(items.is_typed());
    CHECK((items.result_schema() != nullptr));
  }

  TEST_CASE("add_route serves a Handler of each shape, and copies share the callable") {
    auto calls = std::make_shared<int>(0);
    swoop::Handler counted{[calls](swoop::Request&) {
      ++*calls;
      return swoop::text("counted");
    }};
    swoop::Handler created{typed};
    CHECK(created.status() == 200);

    swoop::App app;
    app.add_route("/plain", {}, swoop::Handler{plain});
    app.add_route("/coroutine", {.methods = {"POST"}}, swoop::Handler{coroutine});
    app.add_route("/item", {}, swoop::Handler{typed});
    app.add_route("/items", {}, swoop::Handler{typed_coroutine});
    app.add_route("/a", {}, counted);
    app.add_route("/b", {}, counted);  // a copy: the same callable
    app.add_route("/created", {.methods = {"PUT"}, .status = swoop::Status::created}, created);
    swoop::TestClient client{app};
    CHECK(client.get("/plain").body == "plain");
    CHECK(client.post("/coroutine", "").body == "coroutine");
    auto item = client.get("/item");
    CHECK(item.status == 200);
    CHECK(item.body == R"({"id":7})");
    CHECK(item.header("Content-Type") == "application/json");
    CHECK(client.get("/items").body == R"([{"id":1},{"id":2}])");
    CHECK(client.get("/a").body == "counted");
    CHECK(client.get("/b").body == "counted");
    CHECK(*calls == 2);
    auto made = client.put("/created", "");
    CHECK(made.status == 201);
    CHECK(made.body == R"({"id":7})");
  }

  TEST_CASE("a Handler that returns a Response keeps its own status: another is refused") {
    swoop::App app;
    CHECK_THROWS_AS(app.route("/x", {.status = 201}, plain), std::invalid_argument);
    CHECK_NOTHROW(app.route("/y", {.status = swoop::Status::created}, typed));
  }
}
