// SPDX-License-Identifier: MIT
// Tests of swoop/blueprint.hpp: blueprints and groups as values, their options and middleware.
#include <doctest/doctest.h>

#include <optional>
#include <stdexcept>
#include <string>

#include "swoop/swoop.hpp"

using swoop::Request;
using swoop::Response;

namespace {

Response ok(Request& req) { return swoop::text(std::string{req.path()}); }

void stamp(Request&, Response& res) { res.add_header("X-Group", "1"); }

}  // namespace

TEST_SUITE("blueprint") {
  TEST_CASE("a Blueprint keeps its name and options, and refuses an empty name") {
    swoop::Blueprint users{"users", {.url_prefix = "/users", .version = 2, .host = "a.example"}};
    CHECK(users.name() == "users");
    CHECK(users.options().url_prefix == "/users");
    CHECK(users.options().version == 2);
    CHECK(users.options().version_prefix == "/v");
    CHECK_FALSE(users.options().strict_slashes.has_value());
    CHECK(users.options().host == "a.example");
    CHECK_THROWS_AS(swoop::Blueprint{""}, std::invalid_argument);
  }

  TEST_CASE("a blueprint route pattern must start with a slash") {
    swoop::Blueprint bp{"bp", {.url_prefix = "/bp"}};
    CHECK_THROWS_AS(bp.get("items")(ok), std::invalid_argument);
    CHECK_THROWS_AS(bp.add_route("", {}, swoop::Handler{ok}), std::invalid_argument);
    CHECK_THROWS_AS(bp.route("/typed", {.status = 201})(ok), std::invalid_argument);
    bp.get("/items")(ok);
    swoop::App app;
    app.blueprint(bp);
    swoop::TestClient client{app};
    CHECK(client.get("/bp/items").body == "/bp/items");
    CHECK(client.get("/items").status == 404);
  }

  TEST_CASE("registering copies a blueprint: what is added to it later stays out of the app") {
    swoop::Blueprint bp{"bp", {.url_prefix = "/bp"}};
    bp.get("/before")(ok);
    swoop::App first;
    first.blueprint(bp);
    bp.get("/after")(ok);
    swoop::App second;  // a blueprint never refers to an App: another may take it too
    second.blueprint(bp);
    swoop::TestClient one{first};
    swoop::TestClient two{second};
    CHECK(one.get("/bp/before").status == 200);
    CHECK(one.get("/bp/after").status == 404);
    CHECK(two.get("/bp/before").status == 200);
    CHECK(two.get("/bp/after").status == 200);
  }

  TEST_CASE("version_prefix goes before the version, for a blueprint and for a group") {
    swoop::Blueprint own{"own", {.url_prefix = "/own", .version = 1, .version_prefix = "/api/v"}};
    own.get("/x")(ok);
    swoop::Blueprint member{"member", {.url_prefix = "/member"}};
    member.get("/x")(ok);
    swoop::BlueprintGroup group{{member}, {.version = 4, .version_prefix = "/release-"}};
    swoop::App app;
    app.blueprint(own);
    app.blueprint(group);
    swoop::TestClient client{app};
    CHECK(client.get("/api/v1/own/x").status == 200);
    CHECK(client.get("/v1/own/x").status == 404);
    CHECK(client.get("/release-4/member/x").status == 200);
  }

  TEST_CASE("strict_slashes of a blueprint or a group is the default of the routes below it") {
    swoop::Blueprint strict{"strict", {.url_prefix = "/s", .strict_slashes = true}};
    strict.get("/x")(ok);
    strict.get("/y", {.strict_slashes = false})(ok);  // the route's own choice wins
    swoop::Blueprint member{"member", {.url_prefix = "/m"}};
    member.get("/x")(ok);
    swoop::Blueprint lenient{"lenient", {.url_prefix = "/l", .strict_slashes = false}};
    lenient.get("/x")(ok);
    swoop::BlueprintGroup group{{member, lenient}, {.strict_slashes = true}};
    swoop::App app;
    app.blueprint(strict);
    app.blueprint(group);
    swoop::TestClient client{app};
    CHECK(client.get("/s/x").status == 200);
    CHECK(client.get("/s/x/").status == 404);
    CHECK(client.get("/s/y/").status == 200);
    CHECK(client.get("/m/x/").status == 404);  // the group's default
    CHECK(client.get("/l/x/").status == 200);  // a member that says otherwise
  }

  TEST_CASE("a BlueprintGroup lists its members in order, a blueprint or a nested group each") {
    swoop::Blueprint a{"a"};
    swoop::Blueprint b{"b"};
    swoop::BlueprintGroup inner{{b}, {.url_prefix = "/inner"}};
    swoop::BlueprintGroup outer{{a, inner}, {.url_prefix = "/outer", .host = "h.example"}};
    REQUIRE(outer.members().size() == 2);
    REQUIRE(outer.members()[0].blueprint() != nullptr);
    CHECK(outer.members()[0].blueprint()->name() == "a");
    CHECK((outer.members()[0].group() == nullptr));
    REQUIRE(outer.members()[1].group() != nullptr);
    CHECK((outer.members()[1].blueprint() == nullptr));
    CHECK(outer.members()[1].group()->options().url_prefix == "/inner");
    CHECK(outer.options().url_prefix == "/outer");
    CHECK(outer.options().host == "h.example");
    CHECK(outer.options().version_prefix == "/v");
    swoop::Blueprint c{"c"};
    outer.append(c);
    REQUIRE(outer.members().size() == 3);
    CHECK(outer.members()[2].blueprint()->name() == "c");
    CHECK(outer.middleware().empty());
    outer.on_request([](Request&) {});
    outer.on_response(stamp);
    outer.use(swoop::timing());
    REQUIRE(outer.middleware().size() == 3);
    CHECK(outer.middleware()[0].kind() == swoop::MiddlewareKind::request);
    CHECK(outer.middleware()[1].kind() == swoop::MiddlewareKind::response);
    CHECK(outer.middleware()[2].kind() == swoop::MiddlewareKind::onion);
  }

  TEST_CASE("a group member is a copy: changing the blueprint afterwards changes nothing") {
    swoop::Blueprint bp{"bp", {.url_prefix = "/bp"}};
    bp.get("/kept")(ok);
    swoop::BlueprintGroup group{{bp}, {.url_prefix = "/g"}};
    bp.get("/added")(ok);
    swoop::App app;
    app.blueprint(group);
    swoop::TestClient client{app};
    CHECK(client.get("/g/bp/kept").status == 200);
    CHECK(client.get("/g/bp/added").status == 404);
  }

  TEST_CASE("group middleware and host apply to the group's members only") {
    swoop::Blueprint inside{"inside", {.url_prefix = "/in"}};
    inside.get("/x")(ok);
    swoop::Blueprint elsewhere{"elsewhere", {.url_prefix = "/out"}};
    elsewhere.get("/x")(ok);
    swoop::BlueprintGroup group{{inside}, {.host = "in.example"}};
    group.on_response(stamp);
    swoop::App app;
    app.get("/app")(ok);
    app.blueprint(elsewhere);
    app.blueprint(group);
    swoop::TestClient client{app};
    auto in = client.get("/in/x", {{"Host", "in.example"}});
    CHECK(in.status == 200);
    CHECK(in.header("X-Group") == "1");
    CHECK(client.get("/in/x", {{"Host", "other.example"}}).status == 404);
    auto out = client.get("/out/x", {{"Host", "in.example"}});
    CHECK(out.status == 200);
    CHECK_FALSE(out.header("X-Group"));
    CHECK_FALSE(client.get("/app").header("X-Group"));
  }

  TEST_CASE("routes registered after a host blueprint keep their own handlers, and it its") {
    // Each router numbers its routes from 0: a later route without a host took the host
    // route's slot in the app's table and answered for it.
    swoop::Blueprint a{"a", {.host = "a.example"}};
    a.get("/only-a")([](Request&) { return swoop::text("site a"); });
    a.on_response(stamp);
    swoop::Blueprint b{"b", {.url_prefix = "/b"}};
    b.get("/x")([](Request&) { return swoop::text("b"); });
    swoop::App app;
    app.blueprint(a);
    app.get("/plain")([](Request&) { return swoop::text("plain"); });
    app.blueprint(b);
    swoop::TestClient client{app};
    auto only_a = client.get("/only-a", {{"Host", "a.example"}});
    CHECK(only_a.body == "site a");
    CHECK(only_a.header("X-Group") == "1");
    CHECK(client.get("/plain", {{"Host", "a.example"}}).body == "plain");
    CHECK(client.get("/plain").body == "plain");
    CHECK(client.get("/b/x").body == "b");
    CHECK(client.get("/only-a").status == 404);
  }

  TEST_CASE("a blueprint's error handlers apply to its own routes, not to the app's") {
    swoop::Blueprint bp{"bp", {.url_prefix = "/bp"}};
    bp.get("/fail")([](Request&) -> Response { throw std::out_of_range("bp"); });
    bp.on_error<std::out_of_range>(
        [](Request&, const std::out_of_range& e) { return swoop::text(e.what(), 409); });
    swoop::App app;
    app.get("/fail")([](Request&) -> Response { throw std::out_of_range("app"); });
    app.blueprint(bp);
    swoop::TestClient client{app};
    auto mine = client.get("/bp/fail");
    CHECK(mine.status == 409);
    CHECK(mine.body == "bp");
    CHECK(client.get("/fail").status == 500);
  }
}
