// SPDX-License-Identifier: MIT
// The API document (swoop/openapi.hpp): schemas from descriptions, paths from route patterns,
// operations from RouteOptions, require_docs, and the routes App::openapi serves.
#include "swoop/openapi.hpp"

#include <doctest/doctest.h>
#include <unistd.h>

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <variant>
#include <vector>

#include "swoop/swoop.hpp"

namespace docs {

enum class Size { small, large };

struct Leaf {
  std::string name;
  std::vector<Leaf> children;  // recursive: refers to its own component
  static constexpr auto json_fields =
      swoop::fields(swoop::field("name", &Leaf::name),
                    swoop::field("children", &Leaf::children, swoop::has_default));
};

struct Widths {
  std::int8_t i8 = 0;
  std::uint16_t u16 = 0;
  std::int32_t i32 = 0;
  std::int64_t i64 = 0;
  std::uint64_t u64 = 0;
  float f = 0;
  double d = 0;
  bool b = false;
  std::map<std::string, int> counts;
  static constexpr auto json_fields =
      swoop::fields(swoop::field("i8", &Widths::i8), swoop::field("u16", &Widths::u16),
                    swoop::field("i32", &Widths::i32), swoop::field("i64", &Widths::i64),
                    swoop::field("u64", &Widths::u64), swoop::field("f", &Widths::f),
                    swoop::field("d", &Widths::d), swoop::field("b", &Widths::b),
                    swoop::field("counts", &Widths::counts, swoop::max_items(3)));
};

struct Order {
  std::string code;
  std::int32_t qty = 1;
  std::optional<Size> size;
  swoop::Patch<std::string> note;
  std::vector<std::string> tags;
  std::string sort = "asc";
  static constexpr auto json_fields = swoop::fields(
      swoop::field("code", &Order::code, swoop::length(3, 8), swoop::pattern("^[A-Z]+$")),
      swoop::field("qty", &Order::qty, swoop::has_default, swoop::range(1, 9)),
      swoop::field("size", &Order::size), swoop::field("note", &Order::note),
      swoop::field("tags", &Order::tags, swoop::has_default, swoop::max_items(4)),
      swoop::field("sort", &Order::sort, swoop::has_default, swoop::one_of("asc", "desc")));
  static constexpr bool json_reject_unknown = true;
};

struct Named {
  int n = 0;
  static constexpr std::string_view json_name = "Renamed";
  static constexpr auto json_fields = swoop::fields(swoop::field("n", &Named::n));
};

struct Card {
  std::string number;
  static constexpr auto json_fields = swoop::fields(swoop::field("number", &Card::number));
};
struct Cash {
  int cents = 0;
  static constexpr auto json_fields = swoop::fields(swoop::field("cents", &Cash::cents));
};
using Payment = std::variant<Card, Cash>;

namespace other {
struct Card {  // the same short name as docs::Card
  int id = 0;
  static constexpr auto json_fields = swoop::fields(swoop::field("id", &Card::id));
};
}  // namespace other

}  // namespace docs

template <>
struct swoop::describe<docs::Size> {
  static constexpr std::pair<docs::Size, std::string_view> values[] = {
      {docs::Size::small, "small"}, {docs::Size::large, "large"}};
};
template <>
struct swoop::describe<docs::Payment> {
  static constexpr std::string_view tag = "kind";
  static constexpr std::string_view names[] = {"card", "cash"};
};

namespace {

swoop::JsonValue document(const swoop::App& app) {
  return swoop::detail::parse_default(swoop::openapi_json(app));
}

swoop::JsonValue schema_of(swoop::Schema s, swoop::detail::SchemaSet& set, bool expand = false) {
  return s.build(set, expand);
}

std::string text_of(const swoop::JsonValue& v) { return swoop::to_json(v); }

swoop::Response ok(swoop::Request&) { return swoop::text("ok"); }

}  // namespace

TEST_SUITE("openapi") {
  TEST_CASE("scalars, containers and integer widths have their JSON Schema") {
    swoop::detail::SchemaSet set;
    CHECK(text_of(schema_of(swoop::body<docs::Widths>(), set, true)) ==
          R"({"type":"object","properties":{)"
          R"("i8":{"type":"integer","minimum":-128,"maximum":127},)"
          R"("u16":{"type":"integer","minimum":0,"maximum":65535},)"
          R"("i32":{"type":"integer","format":"int32"},)"
          R"("i64":{"type":"integer","format":"int64"},)"
          R"("u64":{"type":"integer","minimum":0},)"
          R"("f":{"type":"number","format":"float"},)"
          R"("d":{"type":"number","format":"double"},)"
          R"("b":{"type":"boolean"},)"
          R"("counts":{"type":"object","additionalProperties":{"type":"integer","format":"int32"},)"
          R"("maxProperties":3}},)"
          R"("required":["i8","u16","i32","i64","u64","f","d","b","counts"]})");
    CHECK(text_of(schema_of(swoop::body<std::vector<std::optional<std::string>>>(), set)) ==
          R"({"type":"array","items":{"type":["string","null"]}})");
    CHECK(set.components().empty());
  }

  TEST_CASE("a struct's constraints, defaults, nullable members and strictness") {
    swoop::detail::SchemaSet set;
    CHECK(text_of(schema_of(swoop::body<docs::Order>(), set)) ==
          R"({"$ref":"#/components/schemas/Order"})");
    REQUIRE(set.components().size() == 2);
    CHECK(set.components()[0].key == "Order");
    CHECK(text_of(set.components()[0].value) ==
          R"({"type":"object","properties":{)"
          R"("code":{"type":"string","minLength":3,"maxLength":8,"pattern":"^[A-Z]+$"},)"
          R"("qty":{"type":"integer","format":"int32","minimum":1,"maximum":9,"default":1},)"
          R"("size":{"anyOf":[{"$ref":"#/components/schemas/Size"},{"type":"null"}],)"
          R"("default":null},)"
          R"("note":{"type":["string","null"]},)"
          R"("tags":{"type":"array","items":{"type":"string"},"maxItems":4,"default":[]},)"
          R"("sort":{"type":"string","enum":["asc","desc"],"default":"asc"}},)"
          R"("required":["code"],"additionalProperties":false})");
    CHECK(set.components()[1].key == "Size");
    CHECK(text_of(set.components()[1].value) == R"({"type":"string","enum":["small","large"]})");
  }

  TEST_CASE("a recursive type refers to its own component, and a variant is a oneOf on its tag") {
    swoop::detail::SchemaSet set;
    schema_of(swoop::body<docs::Leaf>(), set);
    REQUIRE(set.components().size() == 1);
    CHECK(text_of(set.components()[0].value["properties"]["children"]) ==
          R"({"type":"array","items":{"$ref":"#/components/schemas/Leaf"},"default":[]})");
    CHECK(text_of(schema_of(swoop::body<docs::Payment>(), set)) ==
          R"({"$ref":"#/components/schemas/Card_or_Cash"})");
    CHECK(text_of(set.components().back().value) ==
          R"({"oneOf":[{"type":"object","properties":{"kind":{"const":"card"},)"
          R"("number":{"type":"string"}},"required":["kind","number"]},)"
          R"({"type":"object","properties":{"kind":{"const":"cash"},)"
          R"("cents":{"type":"integer","format":"int32"}},"required":["kind","cents"]}]})");
  }

  TEST_CASE("component names: declared, without namespaces, and never two types under one") {
    swoop::detail::SchemaSet set;
    CHECK(text_of(schema_of(swoop::body<docs::Named>(), set)) ==
          R"({"$ref":"#/components/schemas/Renamed"})");
    schema_of(swoop::body<docs::Card>(), set);
    CHECK_THROWS_WITH_AS(schema_of(swoop::body<docs::other::Card>(), set),
                         doctest::Contains("two types are published as schema 'Card'"),
                         std::logic_error);
    CHECK(swoop::detail::component_name("[with T = a::Page<b::Item, long int>]", {}) ==
          "Page_Item_long_int");
    CHECK(swoop::detail::component_name("[T = (anonymous namespace)::Thing]", {}) == "Thing");
    CHECK(swoop::detail::component_name("[T = my_ns::v2::Pair<my_ns::A_b, int>]", {}) ==
          "Pair_A_b_int");
    CHECK_THROWS_AS(swoop::detail::component_name({}, "bad name"), std::logic_error);
  }

  TEST_CASE("paths and their parameters come from the route patterns") {
    swoop::App app{"t"};
    for (const char* p : {"/a/<x:int>", "/b/<x:float>", "/c/<x:uuid>", "/d/<x:slug>",
                          "/e/<x:alpha>", "/f/<x>", "/g/<x:^[0-9]{2}$>", "/h/<x:path>", "/i/"}) {
      app.get(p)(ok);
    }
    const swoop::JsonValue d = document(app);
    const auto param = [&](const char* path) {
      return text_of(d["paths"][path]["get"]["parameters"][std::size_t{0}]["schema"]);
    };
    CHECK(param("/a/{x}") == R"({"type":"integer","format":"int64"})");
    CHECK(param("/b/{x}") == R"({"type":"number"})");
    CHECK(param("/c/{x}") == R"({"type":"string","format":"uuid"})");
    CHECK(param("/d/{x}") == R"({"type":"string","pattern":"^[a-z0-9]+(?:-[a-z0-9]+)*$"})");
    CHECK(param("/e/{x}") == R"({"type":"string","pattern":"^[A-Za-z]+$"})");
    CHECK(param("/f/{x}") == R"({"type":"string"})");
    CHECK(param("/g/{x}") == R"({"type":"string","pattern":"^(?:^[0-9]{2}$)$"})");
    CHECK(param("/h/{x}") == R"({"type":"string"})");
    CHECK(d["paths"]["/h/{x}"]["get"]["parameters"][std::size_t{0}].contains("description"));
    CHECK(text_of(d["paths"]["/a/{x}"]["get"]["parameters"][std::size_t{0}]) ==
          R"({"name":"x","in":"path","required":true,)"
          R"("schema":{"type":"integer","format":"int64"}})");
    CHECK(d["paths"].contains("/i/"));
    CHECK(d["openapi"].as_string() == "3.1.0");
    CHECK(d["info"]["title"].as_string() == "t");
  }

  TEST_CASE("operations: typed answers, declared ones, the 422, tags, versions and ids") {
    swoop::App app{"t"};
    app.route("/orders", {.methods = {"POST"},
                          .status = 201,
                          .summary = "Create",
                          .body = swoop::body<docs::Order>(),
                          .responses = {{409, "taken"}, {201, "made it"}}})(
        [](swoop::Request& req) { return req.json<docs::Order>(); });
    app.route("/orders", {.summary = "List", .query = swoop::params<docs::Order>()})(ok);
    app.route("/x", {.methods = {"GET", "PUT", "PURGE"}, .name = "x", .deprecated = true})(ok);
    app.route("/purge-only", {.methods = {"PURGE"}})(ok);
    app.route("/hidden", {.include_in_schema = false})(ok);
    swoop::Blueprint users{"users", {.url_prefix = "/users", .version = 3}};
    users.get("/<id:int>")(ok);
    app.blueprint(users);
    const swoop::JsonValue d = document(app);
    const swoop::JsonValue& post = d["paths"]["/orders"]["post"];
    CHECK(post["operationId"].as_string() == "post_orders");
    CHECK(text_of(post["requestBody"]) == R"({"required":true,"content":{"application/json":)"
                                          R"({"schema":{"$ref":"#/components/schemas/Order"}}}})");
    CHECK(text_of(post["responses"]["201"]) ==  // the declared description, the typed body
          R"({"description":"made it","content":{"application/json":)"
          R"({"schema":{"$ref":"#/components/schemas/Order"}}}})");
    CHECK(post["responses"]["409"]["description"].as_string() == "taken");
    CHECK(text_of(post["responses"]["422"]["content"]["application/json"]["schema"]) ==
          R"({"$ref":"#/components/schemas/ValidationError"})");
    const swoop::JsonValue& list = d["paths"]["/orders"]["get"];
    CHECK(list["parameters"].as_array().size() == 6);
    CHECK(text_of(list["parameters"][std::size_t{2}]) ==  // an optional member is not null here
          R"({"name":"size","in":"query","required":false,)"
          R"("schema":{"$ref":"#/components/schemas/Size"}})");
    CHECK(list["parameters"][std::size_t{0}]["required"].as_bool());
    CHECK(text_of(list["responses"]["200"]) == R"({"description":"OK"})");
    CHECK(list["responses"].contains("422"));
    const swoop::JsonValue& x = d["paths"]["/x"];
    CHECK(x.as_object().size() == 2);  // PURGE has no place in OpenAPI 3.1
    CHECK(x["get"]["operationId"].as_string() == "x_get");
    CHECK(x["put"]["operationId"].as_string() == "x_put");
    CHECK(x["get"]["deprecated"].as_bool());
    CHECK_FALSE(d["paths"].contains("/purge-only"));
    CHECK_FALSE(d["paths"].contains("/hidden"));
    CHECK(text_of(d["paths"]["/v3/users/{id}"]["get"]["tags"]) == R"(["users"])");
    CHECK(text_of(d["tags"]) == R"([{"name":"users"}])");
    CHECK(d["components"]["schemas"].contains("ValidationError"));
  }

  TEST_CASE("security schemes are published, and a route naming an unknown one is refused") {
    swoop::App app{"t"};
    app.openapi({.openapi_path = "/spec",
                 .docs_path = {},
                 .security_schemes = {{"token", swoop::SecurityScheme::bearer("JWT")},
                                      {"key", swoop::SecurityScheme::api_key("X-Key")}}});
    app.route("/a", {.security = {"token", "key"}})(ok);
    const swoop::JsonValue d = document(app);
    CHECK(text_of(d["paths"]["/a"]["get"]["security"]) == R"([{"token":[]},{"key":[]}])");
    CHECK(text_of(d["components"]["securitySchemes"]) ==
          R"({"token":{"type":"http","scheme":"bearer","bearerFormat":"JWT"},)"
          R"("key":{"type":"apiKey","name":"X-Key","in":"header"}})");
    CHECK_FALSE(d["paths"].contains("/spec"));
    app.route("/b", {.security = {"nope"}})(ok);
    CHECK_THROWS_WITH_AS(swoop::openapi_json(app), doctest::Contains("'nope'"), std::logic_error);
    CHECK_THROWS_AS(swoop::TestClient{app}, std::logic_error);  // serving checks it first
  }

  TEST_CASE("require_docs refuses an undocumented route, before and after app.openapi()") {
    swoop::App early{"t"};
    early.get("/bare")(ok);
    CHECK_THROWS_WITH_AS(early.openapi({.require_docs = true}), doctest::Contains("/bare"),
                         std::invalid_argument);
    early.openapi();  // the failed call left nothing behind
    CHECK_THROWS_AS(early.openapi(), std::invalid_argument);

    swoop::App app{"t"};
    app.openapi({.require_docs = true});
    CHECK_THROWS_WITH_AS(app.get("/a")(ok), doctest::Contains("no summary"), std::invalid_argument);
    CHECK_THROWS_WITH_AS(app.route("/a", {.summary = "A"})(ok),
                         doctest::Contains("documents no answer"), std::invalid_argument);
    app.route("/a", {.summary = "A", .responses = {{200, "fine"}}})(ok);
    app.route("/typed", {.summary = "T"})([](swoop::Request&) { return docs::Named{}; });
    app.route("/hidden", {.include_in_schema = false})(ok);
    app.websocket("/ws")([](swoop::Request&, swoop::WebSocket&) -> swoop::Task<> { co_return; });
    app.static_files("/static", ".");
    app.add_health_routes();
    swoop::Blueprint bp{"bp"};
    bp.get("/undocumented")(ok);
    CHECK_THROWS_WITH_AS(app.blueprint(bp), doctest::Contains("/undocumented"),
                         std::invalid_argument);
    CHECK_THROWS_WITH_AS(app.openapi(), doctest::Contains("already"), std::invalid_argument);
  }

  TEST_CASE("the app serves the document and a docs page") {
    const std::filesystem::path assets =
        std::filesystem::temp_directory_path() / ("swoop-docs-" + std::to_string(::getpid()));
    std::filesystem::create_directories(assets);
    std::ofstream{assets / "swagger-ui-bundle.js"} << "bundle";
    swoop::App app{"shop <&>"};
    app.openapi({.version = "2.0.0", .docs_assets = assets.string()});
    app.route("/items", {.summary = "Items"})(ok);
    CHECK_THROWS_AS(app.openapi(), std::invalid_argument);
    swoop::TestClient client{app};
    const auto spec = client.get("/openapi.json");
    CHECK(spec.status == 200);
    CHECK(spec.header("Content-Type") == "application/json");
    CHECK(spec.body == swoop::openapi_json(app));
    const swoop::JsonValue d = swoop::detail::parse_default(spec.body);
    CHECK(d["info"]["title"].as_string() == "shop <&>");
    CHECK(d["info"]["version"].as_string() == "2.0.0");
    CHECK(text_of(d["paths"]) == R"({"/items":{"get":{"summary":"Items","operationId":"get_items",)"
                                 R"("responses":{"200":{"description":"OK"}}}}})");
    const auto page = client.get("/docs");
    CHECK(page.status == 200);
    CHECK(page.header("Content-Type")->starts_with("text/html"));
    CHECK(page.body.find("<title>shop &lt;&amp;&gt;</title>") != std::string::npos);
    CHECK(page.body.find(R"(<script src="/docs/assets/swagger-ui-bundle.js">)") !=
          std::string::npos);
    CHECK(page.body.find(R"(url: "/openapi.json")") != std::string::npos);
    CHECK(client.get("/docs/assets/swagger-ui-bundle.js").body == "bundle");  // from docs_assets
    std::filesystem::remove_all(assets);
  }

  TEST_CASE("the docs page needs the document, and defaults to the CDN") {
    swoop::App app{"t"};
    CHECK_THROWS_AS(app.openapi({.openapi_path = {}}), std::invalid_argument);
    app.get("/taken")(ok);
    CHECK_THROWS_AS(app.openapi({.openapi_path = "/taken"}), std::invalid_argument);
    app.openapi({.openapi_path = "/api.json"});
    swoop::TestClient client{app};
    const auto page = client.get("/docs");
    CHECK(page.body.find("https://cdn.jsdelivr.net/npm/swagger-ui-dist@5/swagger-ui.css") !=
          std::string::npos);
    CHECK(page.body.find(R"(url: "/api.json")") != std::string::npos);
    CHECK(client.get("/openapi.json").status == 404);
  }
}
