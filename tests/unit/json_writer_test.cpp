// SPDX-License-Identifier: MIT
// Tests of JsonWriter, the to_json hook (ADL), std containers, and json() responses.
#include "swoop/json_writer.hpp"

#include <doctest/doctest.h>
#include <simdjson.h>

#include <array>
#include <cmath>
#include <cstdint>
#include <deque>
#include <limits>
#include <list>
#include <map>
#include <optional>
#include <random>
#include <set>
#include <stdexcept>
#include <string>
#include <string_view>
#include <tuple>
#include <unordered_map>
#include <utility>
#include <variant>
#include <vector>

#include "swoop/json.hpp"

using swoop::JsonArray;
using swoop::JsonObject;
using swoop::JsonValue;
using swoop::JsonWriter;
using swoop::to_json;

namespace shop {

// A user's types with hooks found by argument-dependent lookup.
struct Price {
  std::int64_t cents = 0;
  std::string currency;
};

void to_json(JsonWriter& w, const Price& p) {
  w.begin_object();
  w.member("cents", p.cents);
  w.member("currency", p.currency);
  w.end_object();
}

enum class Color { red, green };

void to_json(JsonWriter& w, Color c) { w.value(c == Color::red ? "red" : "green"); }

struct Item {
  std::string name;
  Price price;
  std::vector<std::string> tags;
  std::optional<std::string> note;
  std::map<std::string, int> stock;
  Color color = Color::red;
  std::variant<std::monostate, int, std::string> extra;
};

void to_json(JsonWriter& w, const Item& item) {
  w.begin_object();
  w.member("name", item.name);
  w.member("price", item.price);
  w.member("tags", item.tags);
  w.member("note", item.note);
  w.member("stock", item.stock);
  w.member("color", item.color);
  w.member("extra", item.extra);
  w.end_object();
}

// A range whose hook wins over the generic range rule.
struct Bag {
  std::vector<int> items;
  auto begin() const { return items.begin(); }
  auto end() const { return items.end(); }
};

void to_json(JsonWriter& w, const Bag& bag) { w.value(bag.items.size()); }

}  // namespace shop

namespace {

// Parses `text` with simdjson into a JsonValue, failing the test if it is not valid JSON.
JsonValue from_dom(simdjson::dom::element e) {
  switch (e.type()) {
    case simdjson::dom::element_type::NULL_VALUE:
      return nullptr;
    case simdjson::dom::element_type::BOOL:
      return bool{e.get_bool()};
    case simdjson::dom::element_type::INT64:
      return std::int64_t{e.get_int64()};
    case simdjson::dom::element_type::UINT64:
      return std::uint64_t{e.get_uint64()};
    case simdjson::dom::element_type::DOUBLE:
      return double{e.get_double()};
    case simdjson::dom::element_type::STRING:
      return std::string_view{e.get_string()};
    case simdjson::dom::element_type::ARRAY: {
      JsonArray a;
      for (simdjson::dom::element x : e.get_array()) a.push_back(from_dom(x));
      return a;
    }
    case simdjson::dom::element_type::OBJECT: {
      JsonObject o;
      for (auto [k, v] : e.get_object()) o.push_back({std::string{k}, from_dom(v)});
      return o;
    }
  }
  return nullptr;
}

JsonValue parse(simdjson::dom::parser& parser, const std::string& text) {
  simdjson::dom::element e;
  const auto error = parser.parse(text).get(e);
  REQUIRE_MESSAGE(error == simdjson::SUCCESS, simdjson::error_message(error), " in ", text);
  return from_dom(e);
}

// Random values: generated twice in lockstep, once as std containers (written by the ADL
// writer path) and once as the JsonValue they should read back as.
using Scalar = std::variant<std::nullptr_t, bool, std::int64_t, std::uint64_t, double, std::string>;

struct Generator {
  std::mt19937_64 rng;

  std::string string() {
    std::string s;
    for (int n = static_cast<int>(rng() % 12); n > 0; --n) {
      const char pool[] = {'a', 'Z', '"', '\\', '\n', '\x01', '/', ' ', '\x7f'};
      if (rng() % 8 == 0) {
        s += "\xC3\xA9";  // é
      } else if (rng() % 16 == 0) {
        s += "\xF0\x9F\x98\x80";  // 😀
      } else {
        s += pool[rng() % sizeof pool];
      }
    }
    return s;
  }

  std::pair<Scalar, JsonValue> scalar() {
    switch (rng() % 6) {
      case 0:
        return {nullptr, nullptr};
      case 1: {
        const bool b = rng() % 2 == 0;
        return {b, b};
      }
      case 2: {
        const auto i = static_cast<std::int64_t>(rng()) >> (rng() % 64);
        return {i, i};
      }
      case 3: {
        const std::uint64_t u = rng() >> (rng() % 64);
        return {u, u};
      }
      case 4: {
        double d = std::bit_cast<double>(rng());
        if (!std::isfinite(d)) d = 0.5;
        return {d, d};
      }
      default: {
        std::string s = string();
        return {s, s};
      }
    }
  }
};

}  // namespace

TEST_SUITE("json_writer") {
  TEST_CASE("a user's struct is written through its ADL hook, nested in std containers") {
    // Member by member: GCC 12 warns -Wmaybe-uninitialized (falsely) about the nested
    // aggregate initializer's strings in Release builds.
    shop::Item item;
    item.name = "pen";
    item.price.cents = 150;
    item.price.currency = "EUR";
    item.tags = {"blue", "cheap"};
    item.stock = {{"b", 2}, {"a", 1}};
    item.color = shop::Color::green;
    item.extra = 7;
    CHECK(to_json(item) ==
          R"({"name":"pen","price":{"cents":150,"currency":"EUR"},"tags":["blue","cheap"],)"
          R"("note":null,"stock":{"a":1,"b":2},"color":"green","extra":7})");
    const std::vector<shop::Price> prices{{1, "X"}, {2, "Y"}};
    CHECK(to_json(prices) == R"([{"cents":1,"currency":"X"},{"cents":2,"currency":"Y"}])");
    const std::map<std::string, std::vector<shop::Price>> by_shop{{"s", prices}};
    CHECK(to_json(by_shop) == R"({"s":[{"cents":1,"currency":"X"},{"cents":2,"currency":"Y"}]})");
    CHECK(to_json(std::optional<shop::Price>{}) == "null");
    CHECK(to_json(std::optional<shop::Price>{shop::Price{3, "Z"}}) ==
          R"({"cents":3,"currency":"Z"})");
  }

  TEST_CASE("a hook wins over the generic rules for a type that is also a range") {
    CHECK(to_json(shop::Bag{{1, 2, 3}}) == "3");
  }

  TEST_CASE("scalars follow the same rules as JsonValue") {
    CHECK(to_json(true) == "true");
    CHECK(to_json(false) == "false");
    CHECK(to_json(nullptr) == "null");
    CHECK(to_json(std::nullopt) == "null");
    CHECK(to_json(std::monostate{}) == "null");
    CHECK(to_json(std::int8_t{-5}) == "-5");
    CHECK(to_json(std::uint16_t{65535}) == "65535");
    CHECK(to_json(std::numeric_limits<std::int64_t>::min()) == "-9223372036854775808");
    CHECK(to_json(std::numeric_limits<std::uint64_t>::max()) == "18446744073709551615");
    CHECK(to_json(1.0) == "1.0");
    CHECK(to_json(1e20) == "1e+20");
    CHECK(to_json(2.5L) == "2.5");
    CHECK(to_json(std::string_view{"a\"b"}) == R"("a\"b")");
    const char* pointer = "p";
    CHECK(to_json(pointer) == R"("p")");
    CHECK(to_json(std::string("\xff")) == "\"\xEF\xBF\xBD\"");
  }

  TEST_CASE("floats are written in their own shortest form and read back as the same float") {
    CHECK(to_json(0.1f) == "0.1");
    CHECK(to_json(1.0f) == "1.0");
    CHECK(to_json(3.4028235e38f) == "3.4028235e+38");
    std::mt19937 rng(5);
    simdjson::dom::parser parser;
    for (int i = 0; i < 2000; ++i) {
      const float f = std::bit_cast<float>(static_cast<std::uint32_t>(rng()));
      if (!std::isfinite(f)) continue;
      const std::string text = to_json(f);
      CAPTURE(text);
      const JsonValue back = parse(parser, text);
      REQUIRE(back.is_double());
      CHECK(std::bit_cast<std::uint32_t>(static_cast<float>(back.as_double())) ==
            std::bit_cast<std::uint32_t>(f));
    }
  }

  TEST_CASE("NaN and infinities are refused, and write_json leaves the output unchanged") {
    CHECK_THROWS_WITH_AS(to_json(std::vector<double>{1.0, NAN}), doctest::Contains("NaN"),
                         std::domain_error);
    CHECK_THROWS_AS(to_json(std::numeric_limits<float>::infinity()), std::domain_error);
    std::string out = "x=";
    CHECK_THROWS_AS(
        swoop::write_json(out, std::map<std::string, double>{{"a", 1}, {"b", -HUGE_VAL}}),
        std::domain_error);
    CHECK(out == "x=");
    swoop::write_json(out, std::array<int, 2>{1, 2});
    CHECK(out == "x=[1,2]");
  }

  TEST_CASE("ranges of every shape are arrays") {
    CHECK(to_json(std::vector<int>{}) == "[]");
    CHECK(to_json(std::array<bool, 2>{true, false}) == "[true,false]");
    CHECK(to_json(std::list<std::string>{"a", "b"}) == R"(["a","b"])");
    CHECK(to_json(std::set<int>{3, 1, 2}) == "[1,2,3]");
    CHECK(to_json(std::deque<double>{0.5}) == "[0.5]");
    const int c_array[3] = {7, 8, 9};
    CHECK(to_json(c_array) == "[7,8,9]");
    CHECK(to_json(std::vector<bool>{true, false}) == "[true,false]");
    CHECK(to_json(std::vector<std::vector<int>>{{1}, {}, {2, 3}}) == "[[1],[],[2,3]]");
  }

  TEST_CASE("maps are objects, integer keys become decimal strings") {
    CHECK(to_json(std::map<std::string, int>{}) == "{}");
    CHECK(to_json(std::map<std::string_view, bool>{{"k\n", true}}) == R"({"k\n":true})");
    CHECK(to_json(std::map<int, std::string>{{-1, "a"}, {20, "b"}}) == R"({"-1":"a","20":"b"})");
    CHECK(to_json(std::unordered_map<std::string, int>{{"only", 1}}) == R"({"only":1})");
    CHECK(to_json(std::multimap<std::string, int>{{"k", 1}, {"k", 2}}) == R"({"k":1,"k":2})");
  }

  TEST_CASE("optional, variant, pair and tuple") {
    CHECK(to_json(std::optional<int>{}) == "null");
    CHECK(to_json(std::optional<int>{4}) == "4");
    CHECK(to_json(std::vector<std::optional<std::string>>{"a", std::nullopt}) == R"(["a",null])");
    using V = std::variant<std::monostate, int, std::string, std::vector<int>>;
    CHECK(to_json(V{}) == "null");
    CHECK(to_json(V{3}) == "3");
    CHECK(to_json(V{"s"}) == R"("s")");
    CHECK(to_json(V{std::vector<int>{1}}) == "[1]");
    CHECK(to_json(std::pair{1, "a"}) == R"([1,"a"])");
    CHECK(to_json(std::tuple{true, 2.5, nullptr, std::string("x")}) == R"([true,2.5,null,"x"])");
    CHECK(to_json(std::tuple<>{}) == "[]");
  }

  TEST_CASE("JsonValue, JsonObject and JsonArray are written directly, also inside containers") {
    CHECK(to_json(JsonObject{{"a", 1}}) == R"({"a":1})");
    CHECK(to_json(JsonArray{1, "x"}) == R"([1,"x"])");
    CHECK(to_json(std::vector<JsonValue>{nullptr, JsonObject{}}) == "[null,{}]");
    CHECK(to_json(std::map<std::string, JsonValue>{{"v", JsonArray{true}}}) == R"({"v":[true]})");
  }

  TEST_CASE("the writer builds documents by hand with correct commas") {
    std::string out;
    JsonWriter w{out};
    CHECK_FALSE(w.is_complete());
    w.begin_object();
    w.key("a");
    w.begin_array();
    w.value(1);
    w.begin_object();
    w.end_object();
    w.begin_array();
    w.end_array();
    w.value("s");
    w.end_array();
    w.member("b", std::vector<int>{});
    w.key("c");
    w.value(nullptr);
    w.end_object();
    CHECK(w.is_complete());
    CHECK(out == R"({"a":[1,{},[],"s"],"b":[],"c":null})");
    CHECK(&w.output() == &out);
  }

  TEST_CASE("json() responses carry application/json, the status and extra headers") {
    const swoop::Response r = swoop::json(std::vector<int>{1, 2}, 201, {{"Location", "/x/1"}});
    CHECK(r.status() == 201);
    CHECK(r.body() == "[1,2]");
    CHECK(r.headers().get("Content-Type") == "application/json");
    CHECK(r.headers().get("Location") == "/x/1");
    const swoop::Response p = swoop::json(
        shop::Price{1, "X"}, 400, {{"content-type", "application/problem+json"}, {"Link", "<a>"}});
    CHECK(p.headers().get("Content-Type") == "application/problem+json");
    CHECK(p.headers().get_all("Content-Type").size() == 1);
    CHECK(p.body() == R"({"cents":1,"currency":"X"})");
    const swoop::Response v = swoop::json(JsonValue{JsonObject{{"ok", true}}});
    CHECK(v.status() == 200);
    CHECK(v.body() == R"({"ok":true})");
    CHECK(swoop::json(JsonObject{{"a", 1}}).body() == R"({"a":1})");
    CHECK_THROWS_AS(swoop::json(1, 200, {{"Bad Name", "x"}}), std::invalid_argument);
  }

  TEST_CASE("random std containers are written like the JsonValue they mirror and read back") {
    Generator gen{std::mt19937_64{2024}};
    simdjson::dom::parser parser;
    for (int round = 0; round < 300; ++round) {
      // A vector of maps of vectors of scalars, mirrored as a JsonValue.
      std::vector<std::map<std::string, std::vector<Scalar>>> data;
      JsonArray mirror;
      for (int i = static_cast<int>(gen.rng() % 4); i > 0; --i) {
        std::map<std::string, std::vector<Scalar>> m;
        for (int k = static_cast<int>(gen.rng() % 4); k > 0; --k) {
          std::vector<Scalar> v;
          JsonArray mv;
          for (int n = static_cast<int>(gen.rng() % 5); n > 0; --n) {
            auto [s, j] = gen.scalar();
            v.push_back(std::move(s));
            mv.push_back(std::move(j));
          }
          m[gen.string()] = std::move(v);
        }
        JsonObject mo;
        for (const auto& [key, v] : m) {
          JsonArray mv;
          for (const Scalar& s : v)
            mv.push_back(std::visit([](const auto& x) { return JsonValue{x}; }, s));
          mo.push_back({key, std::move(mv)});
        }
        data.push_back(std::move(m));
        mirror.push_back(std::move(mo));
      }
      const std::string text = to_json(data);
      CAPTURE(text);
      CHECK(text == to_json(JsonValue{mirror}));
      // Keys with invalid UTF-8 never occur here, so the round trip is exact.
      CHECK(parse(parser, text) == JsonValue{mirror});
    }
  }

  TEST_CASE("random JsonValue trees read back equal through simdjson") {
    Generator gen{std::mt19937_64{77}};
    simdjson::dom::parser parser;
    const auto tree = [&](auto& self, int depth) -> JsonValue {
      const auto pick = gen.rng() % (depth > 6 ? 2 : 4);
      if (pick < 2) return gen.scalar().second;
      if (pick == 2) {
        JsonArray a;
        for (int n = static_cast<int>(gen.rng() % 5); n > 0; --n)
          a.push_back(self(self, depth + 1));
        return a;
      }
      JsonObject o;
      for (int n = static_cast<int>(gen.rng() % 5); n > 0; --n) {
        o.push_back({gen.string(), self(self, depth + 1)});
      }
      return o;
    };
    for (int round = 0; round < 500; ++round) {
      const JsonValue value = tree(tree, 0);
      const std::string text = to_json(value);
      CAPTURE(text);
      CHECK(parse(parser, text) == value);
      CHECK(to_json(parse(parser, text)) == text);
    }
  }
}
