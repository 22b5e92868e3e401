// SPDX-License-Identifier: MIT
// Typed bodies (swoop/describe.hpp): one description reads JSON with every mistake reported at
// once, writes it back, and req.json<T>() answers 422 through the app's error rendering.
#include "swoop/describe.hpp"

#include <doctest/doctest.h>

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "json/document.hpp"
#include "support/typed_json.hpp"
#include "swoop/swoop.hpp"

namespace shop {

enum class Color { red, green, light_blue };

struct Line {
  std::string sku;
  std::uint8_t qty = 1;
};

struct NewItem {
  std::string name;
  std::uint8_t qty = 1;
  std::optional<std::string> note;
  std::vector<std::string> tags;
  Color color = Color::red;
  std::vector<Line> lines;
  std::map<std::string, int> stock;
  double weight = 0;
};

struct Strict {
  int id = 0;
};

}  // namespace shop

template <>
struct swoop::describe<shop::Color> {
  static constexpr std::pair<shop::Color, std::string_view> values[] = {
      {shop::Color::red, "red"},
      {shop::Color::green, "green"},
      {shop::Color::light_blue, "light-blue"}};
};

template <>
struct swoop::describe<shop::Line> {
  static constexpr auto fields =
      swoop::fields(swoop::field("sku", &shop::Line::sku, swoop::pattern("^[A-Z]{3}-[0-9]+$")),
                    swoop::field("qty", &shop::Line::qty, swoop::has_default, swoop::range(1, 99)));
};

template <>
struct swoop::describe<shop::NewItem> {
  static constexpr auto fields = swoop::fields(
      swoop::field("name", &shop::NewItem::name, swoop::length(1, 10)),
      swoop::field("qty", &shop::NewItem::qty, swoop::has_default, swoop::range(1, 99)),
      swoop::field("note", &shop::NewItem::note, swoop::length(0, 5)),
      swoop::field("tags", &shop::NewItem::tags, swoop::has_default, swoop::max_items(2)),
      swoop::field("color", &shop::NewItem::color, swoop::has_default),
      swoop::field("lines", &shop::NewItem::lines, swoop::has_default),
      swoop::field("stock", &shop::NewItem::stock, swoop::has_default),
      swoop::field("weight", &shop::NewItem::weight, swoop::has_default, swoop::range(0.5, 2.5)));
};

template <>
struct swoop::describe<shop::Strict> {
  static constexpr bool reject_unknown_fields = true;
  static constexpr auto fields = swoop::fields(swoop::field("id", &shop::Strict::id));
};

namespace {

using swoop::ValidationError;
using swoop::ValidationIssue;

using swoop::test::issues;
using swoop::test::Parsed;
using swoop::test::read;

}  // namespace

TEST_SUITE("describe") {
  TEST_CASE("a described struct reads every field and writes them back in order") {
    const auto item = read<shop::NewItem>(
        R"({"name":"pen","qty":3,"note":"blue","tags":["a","b"],"color":"light-blue",)"
        R"("lines":[{"sku":"ABC-1","qty":2},{"sku":"XYZ-22"}],"stock":{"paris":4},"weight":1.5})");
    CHECK(item.name == "pen");
    CHECK(item.qty == 3);
    CHECK(item.note == "blue");
    CHECK(item.tags == std::vector<std::string>{"a", "b"});
    CHECK(item.color == shop::Color::light_blue);
    REQUIRE(item.lines.size() == 2);
    CHECK(item.lines[1].sku == "XYZ-22");
    CHECK(item.lines[1].qty == 1);  // has_default: missing keeps the initializer's value
    CHECK(item.stock.at("paris") == 4);
    CHECK(swoop::to_json(item) ==
          R"({"name":"pen","qty":3,"note":"blue","tags":["a","b"],"color":"light-blue",)"
          R"("lines":[{"sku":"ABC-1","qty":2},{"sku":"XYZ-22","qty":1}],"stock":{"paris":4},)"
          R"("weight":1.5})");
  }

  TEST_CASE("missing optional and defaulted fields are allowed, and null empties an optional") {
    const auto item = read<shop::NewItem>(R"({"name":"pen","note":null})");
    CHECK(item.qty == 1);
    CHECK_FALSE(item.note.has_value());
    CHECK(item.tags.empty());
    CHECK(swoop::to_json(item) ==
          R"({"name":"pen","qty":1,"note":null,"tags":[],"color":"red","lines":[],"stock":{},)"
          R"("weight":0.0})");
  }

  TEST_CASE("every mistake is reported at once, in document order, then the missing fields") {
    const auto found = issues<shop::NewItem>(
        R"({"qty":300,"note":"too long","tags":["a","b","c"],"color":"blue",)"
        R"("lines":[{"sku":"ABC-1"},{"sku":"bad","qty":0},{"qty":"2"}],"stock":{"a b":"x"},)"
        R"("weight":3})");
    const std::vector<ValidationIssue> expected{
        {"qty", "must be from 1 to 99", "range"},  // the declared range, not the uint8_t's
        {"note", "must be 0 to 5 characters long", "length"},
        {"tags", "must have at most 2 items", "items"},
        {"color", R"(must be one of "red", "green", "light-blue")", "enum"},
        {"lines[1].sku", "must match the pattern ^[A-Z]{3}-[0-9]+$", "pattern"},
        {"lines[1].qty", "must be from 1 to 99", "range"},
        {"lines[2].qty", "must be an integer, not a string", "type"},
        {"lines[2].sku", "is required", "missing"},
        {"stock['a b']", "must be an integer, not a string", "type"},
        {"weight", "must be from 0.5 to 2.5", "range"},
        {"name", "is required", "missing"},
    };
    CHECK(found == expected);
  }

  TEST_CASE("the root of another kind, and integers of every width") {
    CHECK(issues<shop::NewItem>("[1]") ==
          std::vector<ValidationIssue>{{"", "must be an object, not an array", "type"}});
    CHECK(read<std::int8_t>("-128") == -128);
    CHECK(issues<std::int8_t>("-129").at(0).message == "must be an integer from -128 to 127");
    CHECK(issues<std::uint16_t>("-1").at(0).kind == "range");
    CHECK(read<std::uint64_t>("18446744073709551615") == 18446744073709551615u);
    CHECK(issues<std::int64_t>("18446744073709551615").at(0).kind == "range");
    CHECK(issues<int>("1.0").at(0).message == "must be an integer, not a decimal number");
    CHECK(issues<bool>("1").at(0).message == "must be a boolean, not an integer");
    CHECK(read<float>("1.5") == 1.5f);
    CHECK(issues<float>("1e300").at(0).kind == "range");
  }

  TEST_CASE("length counts characters, not bytes") {
    CHECK(read<shop::NewItem>(R"({"name":"é€𝄞abcdefg"})").name == "é€𝄞abcdefg");  // 10
    CHECK(issues<shop::NewItem>(R"({"name":"é€𝄞abcdefgh"})").at(0).kind == "length");
    CHECK(issues<shop::NewItem>(R"({"name":""})").at(0).message ==
          "must be 1 to 10 characters long");
  }

  TEST_CASE("unknown fields are ignored, or refused when the description says so") {
    CHECK(read<shop::NewItem>(R"({"name":"pen","extra":1})").name == "pen");
    CHECK(issues<shop::Strict>(R"({"id":1,"extra":1,"more":[]})") ==
          std::vector<ValidationIssue>{{"extra", "is not a field of this object", "unknown_field"},
                                       {"more", "is not a field of this object", "unknown_field"}});
  }

  TEST_CASE("at most max_issues are listed, the last one counting the rest") {
    std::string body = "[";
    for (int i = 0; i < 1000; ++i) body += i == 0 ? "\"x\"" : ",\"x\"";
    body += "]";
    const auto found = issues<std::vector<int>>(body);
    REQUIRE(found.size() == ValidationError::max_issues);
    CHECK(found.front() == ValidationIssue{"[0]", "must be an integer, not a string", "type"});
    CHECK(found.back() == ValidationIssue{"", "and 901 more invalid values", "too_many"});
  }

  TEST_CASE("an enum value without a name cannot be written") {
    CHECK_THROWS_AS(swoop::to_json(static_cast<shop::Color>(7)), std::domain_error);
    CHECK(swoop::to_json(std::vector{shop::Color::green}) == R"(["green"])");
  }

  TEST_CASE("req.json<T>(): 422 with the issues as the error's context, 400 and 415 unchanged") {
    swoop::App app;
    app.post("/items")([](swoop::Request& req) {
      const auto item = req.json<shop::NewItem>();
      return swoop::json(item, 201);
    });
    swoop::TestClient client{app};
    const swoop::HeaderList json{{"Content-Type", "application/json"},
                                 {"Accept", "application/json"}};
    auto ok = client.post("/items", R"({"name":"pen"})", json);
    CHECK(ok.status == 201);
    CHECK(ok.body.find(R"("name":"pen")") != std::string::npos);
    auto bad = client.post("/items", R"({"qty":0})", json);
    CHECK(bad.status == 422);
    CHECK(bad.body ==
          R"({"error":{"status":422,"message":"2 invalid values: qty must be from 1 to 99; name )"
          R"(is required","context":{"errors":[{"path":"qty","message":"must be from 1 to 99",)"
          R"("kind":"range"},{"path":"name","message":"is required","kind":"missing"}]}}})");
    CHECK(client.post("/items", R"({"name":)", json).status == 400);
    CHECK(client.post("/items", R"({"name":"pen"})", {{"Content-Type", "text/plain"}}).status ==
          415);
  }
}

namespace {

// A struct that describes itself (no specialization at namespace swoop's scope).
struct Point {
  int x = 0;
  int y = 0;
  static constexpr auto json_fields = swoop::fields(
      swoop::field("x", &Point::x, swoop::range(-10, 10)), swoop::field("y", &Point::y));
  static constexpr bool json_reject_unknown = true;
};

}  // namespace

TEST_SUITE("describe") {
  TEST_CASE("a struct may describe itself with json_fields") {
    CHECK(read<Point>(R"({"x":1,"y":2})").y == 2);
    CHECK(swoop::to_json(Point{3, 4}) == R"({"x":3,"y":4})");
    CHECK(issues<Point>(R"({"x":11,"z":0})") ==
          std::vector<ValidationIssue>{{"x", "must be from -10 to 10", "range"},
                                       {"z", "is not a field of this object", "unknown_field"},
                                       {"y", "is required", "missing"}});
  }
}

TEST_SUITE("describe") {
  TEST_CASE("a handler that returns a described struct, or a Task of one, answers JSON 200") {
    swoop::App app;
    app.get("/point")([](swoop::Request&) { return Point{1, 2}; });
    app.get("/points")([](swoop::Request&) -> swoop::Task<std::vector<Point>> {
      co_return std::vector<Point>{{1, 2}, {3, 4}};
    });
    app.post("/mirror")(
        [](swoop::Request& req) -> swoop::Task<Point> { co_return req.json<Point>(); });
    swoop::TestClient client{app};
    const auto one = client.get("/point");
    CHECK(one.status == 200);
    CHECK(one.header("Content-Type") == "application/json");
    CHECK(one.body == R"({"x":1,"y":2})");
    CHECK(client.get("/points").body == R"([{"x":1,"y":2},{"x":3,"y":4}])");
    CHECK(client.post("/mirror", R"({"x":5,"y":6})", {{"Content-Type", "application/json"}}).body ==
          R"({"x":5,"y":6})");
    CHECK(client.post("/mirror", R"({"x":50})", {{"Content-Type", "application/json"}}).status ==
          422);
  }

  TEST_CASE("RouteOptions::status sets a typed handler's status, and is refused where it cannot") {
    swoop::App app;
    app.route("/points", {.methods = {"POST"}, .status = 201})(
        [](swoop::Request& req) { return req.json<Point>(); });
    swoop::Blueprint bp{"bp"};
    bp.route("/made",
             {.methods = {"POST"}, .status = 202})([](swoop::Request&) -> swoop::Task<Point> {
      co_return Point{7, 8};
    });
    app.blueprint(bp);
    auto untyped = [](swoop::Request&) { return swoop::text("made", 201); };
    CHECK_THROWS_WITH_AS(app.route("/text", {.status = 201})(untyped),
                         doctest::Contains("route /text: status 201 applies to a handler that "
                                           "returns a typed value"),
                         std::invalid_argument);
    CHECK_THROWS_AS(bp.route("/late", {.status = 201})(untyped), std::invalid_argument);
    for (const int status : {100, 204, 205, 304, 600}) {
      CAPTURE(status);
      CHECK_THROWS_WITH_AS(
          app.route("/none", {.status = status})([](swoop::Request&) { return Point{}; }),
          doctest::Contains("cannot carry"), std::invalid_argument);
    }
    swoop::TestClient client{app};
    const auto made =
        client.post("/points", R"({"x":1,"y":2})", {{"Content-Type", "application/json"}});
    CHECK(made.status == 201);
    CHECK(made.body == R"({"x":1,"y":2})");
    CHECK(client.post("/points", "{}", {{"Content-Type", "application/json"}}).status == 422);
    CHECK(client.post("/made", "").status == 202);
  }
}

namespace {

struct ListQuery {
  int limit = 10;
  bool desc = false;
  shop::Color color = shop::Color::red;
  std::vector<std::string> tag;
  std::optional<double> min_price;
  std::string q;
  static constexpr auto json_fields = swoop::fields(
      swoop::field("limit", &ListQuery::limit, swoop::has_default, swoop::range(1, 100)),
      swoop::field("desc", &ListQuery::desc, swoop::has_default),
      swoop::field("color", &ListQuery::color, swoop::has_default),
      swoop::field("tag", &ListQuery::tag, swoop::max_items(2)),
      swoop::field("min_price", &ListQuery::min_price),
      swoop::field("q", &ListQuery::q, swoop::length(1, 20)));
};

}  // namespace

TEST_SUITE("describe") {
  TEST_CASE("req.query<T>(): typed parameters, lists from repeated keys, every mistake at once") {
    swoop::App app;
    app.get("/items")([](swoop::Request& req) {
      const auto q = req.query<ListQuery>();
      return swoop::json(swoop::JsonObject{{"limit", q.limit},
                                           {"desc", q.desc},
                                           {"color", swoop::to_json(q.color)},
                                           {"tags", q.tag.size()},
                                           {"min", q.min_price.value_or(-1)},
                                           {"q", q.q}});
    });
    swoop::TestClient client{app};
    const auto ok = client.get("/items?q=pen&limit=5&desc=Yes&color=light-blue&tag=a&tag=b");
    CHECK(ok.status == 200);
    CHECK(ok.body ==
          R"({"limit":5,"desc":true,"color":"\"light-blue\"","tags":2,"min":-1.0,"q":"pen"})");
    CHECK(client.get("/items?q=pen").body ==
          R"({"limit":10,"desc":false,"color":"\"red\"","tags":0,"min":-1.0,"q":"pen"})");
    const auto bad =
        client.get("/items?limit=500&desc=maybe&color=blue&tag=a&tag=b&tag=c&min_price=inf",
                   {{"Accept", "application/json"}});
    CHECK(bad.status == 422);
    CHECK(bad.body.find(
              R"j("errors":[{"path":"limit","message":"must be from 1 to 100","kind":"range"},)j"
              R"j({"path":"desc","message":"must be a boolean (true or false)","kind":"type"},)j"
              R"j({"path":"color","message":"must be one of \"red\", \"green\", \"light-blue\"",)j"
              R"j("kind":"enum"},{"path":"tag","message":"must have at most 2 items",)j"
              R"j("kind":"items"},{"path":"min_price","message":"must be a number",)j"
              R"j("kind":"type"},{"path":"q","message":"is required","kind":"missing"}])j") !=
          std::string::npos);
    CHECK(client.get("/items?q=pen&limit=x").body.find("must be an integer from") !=
          std::string::npos);
    // A number outside the field's C++ type is told the declared range, as in a JSON body.
    CHECK(client.get("/items?q=pen&limit=99999999999", {{"Accept", "application/json"}})
              .body.find(R"("path":"limit","message":"must be from 1 to 100","kind":"range")") !=
          std::string::npos);
  }

  TEST_CASE("args().get<T>(name, fallback): a 400 that names the parameter") {
    swoop::App app;
    app.get("/page")([](swoop::Request& req) {
      const int limit = req.args().get<int>("limit", 10);
      const bool all = req.args().get<bool>("all", false);
      return swoop::text(std::to_string(limit) + (all ? " all" : ""));
    });
    swoop::TestClient client{app};
    CHECK(client.get("/page").body == "10");
    CHECK(client.get("/page?limit=%2B7&all=on").body == "7 all");
    const auto bad = client.get("/page?limit=7.5", {{"Accept", "text/plain"}});
    CHECK(bad.status == 400);
    CHECK(bad.body.find(R"(query parameter "limit" must be an integer from -2147483648 to )"
                        R"(2147483647)") != std::string::npos);
    CHECK(client.get("/page?limit=99999999999").status == 400);
    CHECK(client.get("/page?all=2").status == 400);
    CHECK(swoop::QueryArgs{"a=x"}.get("a", "fallback") == "x");  // the string overload stays
  }

  TEST_CASE("param<T>(name): a 400 that names the path parameter, as args().get<T> does") {
    swoop::App app;
    app.get("/users/<id>")([](swoop::Request& req) {
      return swoop::text(std::to_string(req.param<std::uint8_t>("id")));
    });
    app.get("/missing")(
        [](swoop::Request& req) { return swoop::text(req.param<std::string>("x")); });
    swoop::TestClient client{app};
    CHECK(client.get("/users/7").body == "7");
    const auto bad = client.get("/users/300", {{"Accept", "text/plain"}});
    CHECK(bad.status == 400);
    CHECK(bad.body.find(R"(path parameter "id" must be an integer from 0 to 255)") !=
          std::string::npos);
    CHECK(client.get("/missing", {{"Accept", "text/plain"}})
              .body.find(R"(missing path parameter "x")") != std::string::npos);
  }
}

namespace pay {

struct Card {
  std::string number;
  int cvc = 0;
};
struct Transfer {
  std::string iban;
};
using Method = std::variant<Card, Transfer>;

struct Payment {
  std::int64_t amount = 0;
  Method method;
};

struct ItemPatch {
  swoop::Patch<std::string> name;
  swoop::Patch<int> qty;
  swoop::Patch<std::vector<std::string>> tags;
};

}  // namespace pay

template <>
struct swoop::describe<pay::Card> {
  static constexpr bool reject_unknown_fields = true;
  static constexpr auto fields =
      swoop::fields(swoop::field("number", &pay::Card::number, swoop::length(12, 19)),
                    swoop::field("cvc", &pay::Card::cvc, swoop::range(0, 999)));
};
template <>
struct swoop::describe<pay::Transfer> {
  static constexpr auto fields = swoop::fields(swoop::field("iban", &pay::Transfer::iban));
};
template <>
struct swoop::describe<pay::Method> {
  static constexpr std::string_view tag = "type";
  static constexpr std::string_view names[] = {"card", "transfer"};
};
template <>
struct swoop::describe<pay::Payment> {
  static constexpr auto fields =
      swoop::fields(swoop::field("amount", &pay::Payment::amount, swoop::range(1, 100000)),
                    swoop::field("method", &pay::Payment::method));
};
template <>
struct swoop::describe<pay::ItemPatch> {
  static constexpr auto fields =
      swoop::fields(swoop::field("name", &pay::ItemPatch::name, swoop::length(1, 5)),
                    swoop::field("qty", &pay::ItemPatch::qty, swoop::range(1, 9)),
                    swoop::field("tags", &pay::ItemPatch::tags, swoop::max_items(1)));
};

TEST_SUITE("describe") {
  TEST_CASE("a described variant is chosen by its tag member, and written back with it") {
    const auto card = read<pay::Payment>(
        R"({"amount":5,"method":{"type":"card","number":"4111111111111111","cvc":123}})");
    REQUIRE(std::holds_alternative<pay::Card>(card.method));
    CHECK(std::get<pay::Card>(card.method).cvc == 123);
    CHECK(swoop::to_json(card) ==
          R"({"amount":5,"method":{"type":"card","number":"4111111111111111","cvc":123}})");
    const auto transfer =
        read<pay::Payment>(R"({"amount":5,"method":{"iban":"DE1","type":"transfer"}})");
    CHECK(std::get<pay::Transfer>(transfer.method).iban == "DE1");

    using Issues = std::vector<ValidationIssue>;
    CHECK(issues<pay::Payment>(R"({"amount":5,"method":{"number":"1"}})") ==
          Issues{{"method.type", "is required", "missing"}});
    CHECK(issues<pay::Payment>(R"({"amount":5,"method":{"type":"cash"}})") ==
          Issues{{"method.type", R"(must be one of "card", "transfer")", "enum"}});
    CHECK(issues<pay::Payment>(R"({"amount":5,"method":{"type":1}})") ==
          Issues{{"method.type", R"(must be one of "card", "transfer", not an integer)", "type"}});
    CHECK(issues<pay::Payment>(R"({"amount":5,"method":[]})") ==
          Issues{{"method", "must be an object, not an array", "type"}});
    // The chosen alternative's rules apply; its tag is not an unknown member of a strict one.
    CHECK(issues<pay::Payment>(R"({"amount":0,"method":{"type":"card","number":"1","x":1}})") ==
          Issues{{"amount", "must be from 1 to 100000", "range"},
                 {"method.number", "must be 12 to 19 characters long", "length"},
                 {"method.x", "is not a field of this object", "unknown_field"},
                 {"method.cvc", "is required", "missing"}});
    CHECK(issues<pay::Payment>(
              R"({"amount":5,"method":{"type":"transfer","type":"card","iban":"x"}})") ==
          Issues{{"method.type", "appears more than once", "duplicate"}});
  }

  TEST_CASE("a Patch member tells missing from null from a value, and writes back the same") {
    const auto none = read<pay::ItemPatch>("{}");
    CHECK(none.name.missing());
    CHECK_FALSE(none.name.is_null());
    CHECK_FALSE(none.name.has_value());
    CHECK(swoop::to_json(none) == "{}");

    const auto some = read<pay::ItemPatch>(R"({"name":"pen","qty":null,"tags":["a"]})");
    CHECK(some.name.has_value());
    CHECK(*some.name == "pen");
    CHECK(some.qty.is_null());
    CHECK_FALSE(some.qty.missing());
    CHECK(some.tags.value() == std::vector<std::string>{"a"});
    CHECK(some.tags.missing() == false);
    CHECK(swoop::to_json(some) == R"({"name":"pen","qty":null,"tags":["a"]})");
    CHECK_THROWS_AS(some.qty.value(), std::bad_optional_access);

    // Constraints apply to a value, never to null or a missing member.
    using Issues = std::vector<ValidationIssue>;
    CHECK(issues<pay::ItemPatch>(R"({"name":null,"tags":null})").empty());
    CHECK(issues<pay::ItemPatch>(R"({"name":"toolong","qty":10,"tags":["a","b"]})") ==
          Issues{{"name", "must be 1 to 5 characters long", "length"},
                 {"qty", "must be from 1 to 9", "range"},
                 {"tags", "must have at most 1 items", "items"}});
    CHECK(issues<pay::ItemPatch>(R"({"qty":"1"})") ==
          Issues{{"qty", "must be an integer, not a string", "type"}});
    CHECK(swoop::to_json(
              pay::ItemPatch{.name = std::string{"a"}, .qty = swoop::Patch<int>::null()}) ==
          R"({"name":"a","qty":null})");
  }

  TEST_CASE("a member given twice is an issue, in structs and in maps") {
    using Issues = std::vector<ValidationIssue>;
    CHECK(issues<shop::Strict>(R"({"id":1,"id":2})") ==
          Issues{{"id", "appears more than once", "duplicate"}});
    CHECK(issues<shop::NewItem>(R"({"name":"a","stock":{"x":1,"x":"y"}})") ==
          Issues{{"stock.x", "appears more than once", "duplicate"}});
  }

  TEST_CASE("an enum of the wrong JSON kind is a type issue that still names the choices") {
    CHECK(issues<shop::NewItem>(R"({"name":"a","color":null})") ==
          std::vector<ValidationIssue>{
              {"color", R"(must be one of "red", "green", "light-blue", not null)", "type"}});
  }

  TEST_CASE("a list too long with bad elements reports both, and the message counts them all") {
    CHECK(issues<shop::NewItem>(R"({"name":"a","tags":["a",1,"c"]})") ==
          std::vector<ValidationIssue>{{"tags[1]", "must be a string, not an integer", "type"},
                                       {"tags", "must have at most 2 items", "items"}});
    std::string body = R"({"name":"a","lines":[)";
    for (int i = 0; i < 300; ++i) body += i == 0 ? R"({"sku":1})" : R"(,{"sku":1})";
    body += "]}";
    Parsed p{body};
    try {
      swoop::from_json<shop::NewItem>(p.root());
      FAIL("no ValidationError");
    } catch (const ValidationError& e) {
      CHECK(e.issues().size() == ValidationError::max_issues);
      CHECK(std::string_view{e.what()}.starts_with("300 invalid values: lines[0].sku must be"));
      CHECK(std::string_view{e.what()}.ends_with("; and 295 more"));
    }
  }
}

namespace {

struct Signup {
  std::string email;
  int age = 0;
  bool newsletter = false;
  std::vector<shop::Color> colors;
  static constexpr auto json_fields =
      swoop::fields(swoop::field("email", &Signup::email, swoop::pattern("^[^@]+@[^@]+$")),
                    swoop::field("age", &Signup::age, swoop::range(13, 130)),
                    swoop::field("newsletter", &Signup::newsletter, swoop::has_default),
                    swoop::field("colors", &Signup::colors, swoop::max_items(2)));
};

struct ClientInfo {
  std::string agent;
  std::optional<int> version;
  std::vector<std::string> accept;
  static constexpr auto json_fields =
      swoop::fields(swoop::field("User-Agent", &ClientInfo::agent),
                    swoop::field("X-Api-Version", &ClientInfo::version, swoop::range(1, 3)),
                    swoop::field("Accept", &ClientInfo::accept));
};

}  // namespace

TEST_SUITE("describe") {
  TEST_CASE("req.form<T>(): form fields through the same description, every mistake at once") {
    swoop::App app;
    app.post("/signup")([](swoop::Request& req) { return req.form<Signup>(); });
    swoop::TestClient client{app};
    const swoop::HeaderList form{{"Content-Type", "application/x-www-form-urlencoded"},
                                 {"Accept", "application/json"}};
    const auto ok = client.post(
        "/signup", "email=a%40b.c&age=30&newsletter=on&colors=red&colors=light-blue", form);
    CHECK(ok.status == 200);
    CHECK(ok.body ==
          R"({"email":"a@b.c","age":30,"newsletter":true,"colors":["red","light-blue"]})");
    const auto bad = client.post("/signup", "age=12&colors=red&colors=pink&colors=green", form);
    CHECK(bad.status == 422);
    const Parsed answer{bad.body};
    std::vector<std::string> paths;
    for (const swoop::JsonView e : answer.root()["error"]["context"]["errors"].elements()) {
      paths.emplace_back(e["path"].get<std::string_view>());
    }
    CHECK(paths == std::vector<std::string>{"email", "age", "colors[1]", "colors"});
    CHECK(client.post("/signup", "email=a@b", {{"Content-Type", "text/plain"}}).status == 415);
  }

  TEST_CASE("req.headers<T>(): header names matched case-insensitively, lists split at commas") {
    swoop::App app;
    app.get("/who")([](swoop::Request& req) { return req.headers<ClientInfo>(); });
    swoop::TestClient client{app};
    const auto ok = client.get("/who", {{"user-agent", "curl/8.0 (x, y)"},
                                        {"x-api-version", "2"},
                                        {"Accept", "text/html, application/json"},
                                        {"Accept", "*/*"}});
    CHECK(ok.status == 200);
    CHECK(ok.body == R"j({"User-Agent":"curl/8.0 (x, y)","X-Api-Version":2,)j"
                     R"("Accept":["text/html","application/json","*/*"]})");
    const auto bad = client.get("/who", {{"X-Api-Version", "9"}, {"Accept", "application/json"}});
    CHECK(bad.status == 422);
    CHECK(bad.body.find(
              R"({"path":"X-Api-Version","message":"must be from 1 to 3","kind":"range"})") !=
          std::string::npos);
    CHECK(bad.body.find(R"({"path":"User-Agent","message":"is required","kind":"missing"})") !=
          std::string::npos);
  }
}
