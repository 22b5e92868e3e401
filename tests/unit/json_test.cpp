// SPDX-License-Identifier: MIT
// Tests of JsonValue construction, access and the compact serializer, checked against simdjson.
#include "swoop/json.hpp"

#include <doctest/doctest.h>
#include <fmt/format.h>
#include <simdjson.h>

#include <bit>
#include <cmath>
#include <cstdint>
#include <limits>
#include <random>
#include <stdexcept>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

using swoop::JsonArray;
using swoop::JsonKind;
using swoop::JsonObject;
using swoop::JsonValue;
using swoop::to_json;

namespace doctest {
template <>
struct StringMaker<JsonValue> {
  static String convert(const JsonValue& value) {
    try {
      return to_json(value).c_str();
    } catch (const std::domain_error&) {
      return "<non-finite double>";
    }
  }
};
}  // namespace doctest

namespace {

// Conversion rules are compile-time properties.
static_assert(std::is_convertible_v<bool, JsonValue>);
static_assert(std::is_convertible_v<const char*, JsonValue>);
static_assert(std::is_convertible_v<std::string_view, JsonValue>);
static_assert(std::is_convertible_v<std::int8_t, JsonValue>);
static_assert(std::is_convertible_v<std::uint8_t, JsonValue>);
static_assert(std::is_convertible_v<long double, JsonValue>);
static_assert(!std::is_constructible_v<JsonValue, char>);
static_assert(!std::is_constructible_v<JsonValue, char8_t>);
static_assert(!std::is_constructible_v<JsonValue, int*>);
static_assert(!std::is_constructible_v<JsonValue, const void*>);
static_assert(std::is_nothrow_move_constructible_v<JsonValue>);

// Parses `text` with simdjson, failing the test if it is not valid JSON.
simdjson::dom::element parse(simdjson::dom::parser& parser, const std::string& text) {
  simdjson::dom::element element;
  const auto error = parser.parse(text).get(element);
  REQUIRE_MESSAGE(error == simdjson::SUCCESS, simdjson::error_message(error), " in ", text);
  return element;
}

// Writes `s` as a JSON string and reads it back with simdjson.
std::string round_trip_string(simdjson::dom::parser& parser, const std::string& s) {
  const std::string text = to_json(s);
  std::string_view back;
  REQUIRE(parse(parser, text).get(back) == simdjson::SUCCESS);
  return std::string(back);
}

void append_utf8(std::string& out, char32_t cp) {
  if (cp < 0x80) {
    out.push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out.push_back(static_cast<char>(0xC0 | (cp >> 6)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else if (cp < 0x10000) {
    out.push_back(static_cast<char>(0xE0 | (cp >> 12)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else {
    out.push_back(static_cast<char>(0xF0 | (cp >> 18)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  }
}

const std::string fffd = "\xEF\xBF\xBD";

}  // namespace

TEST_SUITE("json") {
  TEST_CASE("a default-constructed value and nullptr are null") {
    CHECK(JsonValue{}.is_null());
    CHECK(JsonValue{nullptr}.is_null());
    CHECK(to_json(JsonValue{}) == "null");
    CHECK(to_json(nullptr) == "null");
  }

  TEST_CASE("bools stay bools and are written as true and false") {
    const JsonValue t = true;
    CHECK(t.is_bool());
    CHECK_FALSE(t.is_number());
    CHECK(t.as_bool());
    CHECK(to_json(true) == "true");
    CHECK(to_json(false) == "false");
    CHECK_THROWS_AS(t.as_int(), std::logic_error);
  }

  TEST_CASE("signed integer types become int64 and unsigned ones uint64") {
    CHECK(JsonValue{static_cast<signed char>(-5)}.kind() == JsonKind::int64);
    CHECK(JsonValue{static_cast<short>(-5)}.kind() == JsonKind::int64);
    CHECK(JsonValue{-5L}.kind() == JsonKind::int64);
    CHECK(JsonValue{-5LL}.kind() == JsonKind::int64);
    CHECK(JsonValue{static_cast<unsigned char>(200)}.kind() == JsonKind::uint64);
    CHECK(JsonValue{static_cast<unsigned short>(5)}.kind() == JsonKind::uint64);
    CHECK(JsonValue{5U}.kind() == JsonKind::uint64);
    CHECK(JsonValue{std::size_t{5}}.kind() == JsonKind::uint64);
    CHECK(to_json(static_cast<signed char>(-5)) == "-5");
    CHECK(to_json(static_cast<unsigned char>(200)) == "200");
  }

  TEST_CASE("int64 and uint64 limits are written in full") {
    constexpr auto min = std::numeric_limits<std::int64_t>::min();
    constexpr auto max = std::numeric_limits<std::int64_t>::max();
    constexpr auto umax = std::numeric_limits<std::uint64_t>::max();
    CHECK(to_json(min) == "-9223372036854775808");
    CHECK(to_json(max) == "9223372036854775807");
    CHECK(to_json(umax) == "18446744073709551615");
    CHECK(to_json(0) == "0");
    CHECK(JsonValue{min}.as_int() == min);
    CHECK(JsonValue{umax}.as_uint() == umax);
  }

  TEST_CASE("integers convert between signedness only when the value fits") {
    CHECK(JsonValue{5U}.as_int() == 5);
    CHECK(JsonValue{5}.as_uint() == 5U);
    CHECK_THROWS_AS(JsonValue{std::numeric_limits<std::uint64_t>::max()}.as_int(),
                    std::out_of_range);
    CHECK_THROWS_AS(JsonValue{-1}.as_uint(), std::out_of_range);
    CHECK_THROWS_AS(JsonValue{1.0}.as_int(), std::logic_error);
    CHECK(JsonValue{7}.as_double() == 7.0);
    CHECK(JsonValue{7U}.as_double() == 7.0);
  }

  TEST_CASE("floating types become doubles") {
    CHECK(JsonValue{1.5f}.is_double());
    CHECK(JsonValue{1.5}.is_double());
    CHECK(JsonValue{1.5L}.is_double());
    CHECK(JsonValue{1.5f}.as_double() == 1.5);
    CHECK(to_json(1.5f) == "1.5");
    CHECK(to_json(0.1) == "0.1");
  }

  TEST_CASE("an integral double is written with .0 so it reads back as a double") {
    CHECK(to_json(1.0) == "1.0");
    CHECK(to_json(-3.0) == "-3.0");
    CHECK(to_json(0.0) == "0.0");
    CHECK(to_json(-0.0) == "-0.0");
    CHECK(to_json(1e15) == "1000000000000000.0");
    CHECK(to_json(1e20) == "1e+20");
    CHECK(to_json(1e-5) == "1e-05");
    CHECK(to_json(5e-324) == "5e-324");
  }

  TEST_CASE("NaN and infinities throw domain_error") {
    CHECK_THROWS_AS(to_json(std::nan("")), std::domain_error);
    CHECK_THROWS_AS(to_json(std::numeric_limits<double>::infinity()), std::domain_error);
    CHECK_THROWS_AS(to_json(-std::numeric_limits<double>::infinity()), std::domain_error);
    CHECK_THROWS_WITH(to_json(std::nan("")), doctest::Contains("NaN"));
    CHECK_THROWS_WITH(to_json(-HUGE_VAL), doctest::Contains("-infinity"));
  }

  TEST_CASE("write_json appends, and leaves the output unchanged when it throws") {
    std::string out = "data: ";
    swoop::write_json(out, JsonArray{1, 2.5, "x"});
    CHECK(out == "data: [1,2.5,\"x\"]");
    const JsonValue bad = JsonObject{{"a", JsonArray{1, "long enough text", NAN}}};
    CHECK_THROWS_AS(swoop::write_json(out, bad), std::domain_error);
    CHECK(out == "data: [1,2.5,\"x\"]");
  }

  TEST_CASE("strings are built from every string type, never from bool") {
    const char* pointer = "p";
    const std::string owned = "o";
    const std::string_view view = "v";
    CHECK(JsonValue{pointer}.as_string() == "p");
    CHECK(JsonValue{owned}.as_string() == "o");
    CHECK(JsonValue{view}.as_string() == "v");
    CHECK(JsonValue{"literal"}.is_string());
    CHECK(JsonValue{std::string("moved")}.as_string() == "moved");
    CHECK(to_json("") == "\"\"");
    CHECK(to_json("hello") == "\"hello\"");
  }

  TEST_CASE("the brief's object literal is written compactly in insertion order") {
    const JsonValue v = JsonObject{
        {"id", 5}, {"name", "x"}, {"tags", JsonArray{"a", "b"}}, {"ok", true}, {"none", nullptr}};
    CHECK(to_json(v) == R"({"id":5,"name":"x","tags":["a","b"],"ok":true,"none":null})");
    CHECK(v["id"] == 5);
    CHECK(v["tags"][1] == "b");
    CHECK(v["none"].is_null());
    CHECK(v.size() == 5);
  }

  TEST_CASE("empty and nested structures are written recursively") {
    CHECK(to_json(JsonArray{}) == "[]");
    CHECK(to_json(JsonObject{}) == "{}");
    const JsonValue v = JsonObject{
        {"a", JsonArray{JsonArray{}, JsonObject{}, JsonArray{1, JsonArray{2, JsonArray{3}}}}},
        {"b", JsonObject{{"c", JsonObject{{"d", JsonArray{nullptr, false, -1.25}}}}}}};
    CHECK(to_json(v) == R"({"a":[[],{},[1,[2,[3]]]],"b":{"c":{"d":[null,false,-1.25]}}})");
    CHECK(v["b"]["c"]["d"][2].as_double() == -1.25);
  }

  TEST_CASE("an array given a single array nests it instead of copying it") {
    const JsonArray inner{1, 2};
    CHECK(to_json(JsonArray{inner}) == "[[1,2]]");
    CHECK(to_json(JsonArray{5}) == "[5]");
  }

  TEST_CASE("objects keep insertion order, and set replaces in place or appends") {
    JsonValue v = JsonObject{{"z", 1}, {"a", 2}, {"m", 3}};
    CHECK(to_json(v) == R"({"z":1,"a":2,"m":3})");
    v.set("a", "two");
    CHECK(to_json(v) == R"({"z":1,"a":"two","m":3})");
    JsonValue& added = v.set("b", JsonArray{});
    added.push_back(4);
    CHECK(to_json(v) == R"({"z":1,"a":"two","m":3,"b":[4]})");
    v["z"] = false;
    CHECK(to_json(v) == R"({"z":false,"a":"two","m":3,"b":[4]})");
    CHECK(v.size() == 4);
  }

  TEST_CASE("repeated keys are kept in the output and lookups find the first") {
    JsonValue v = JsonObject{{"k", 1}, {"k", 2}};
    CHECK(to_json(v) == R"({"k":1,"k":2})");
    CHECK(v["k"] == 1);
    v.set("k", 3);
    CHECK(to_json(v) == R"({"k":3,"k":2})");
  }

  TEST_CASE("lookups report missing keys and wrong kinds") {
    JsonValue v = JsonObject{{"a", 1}};
    CHECK(v.contains("a"));
    CHECK_FALSE(v.contains("b"));
    CHECK(v.find("b") == nullptr);
    REQUIRE(v.find("a") != nullptr);
    CHECK(*v.find("a") == 1);
    CHECK_THROWS_AS(v["b"], std::out_of_range);
    CHECK_THROWS_WITH(v["b"], doctest::Contains("\"b\""));
    CHECK_THROWS_AS(v[std::size_t{0}], std::logic_error);
    const JsonValue array = JsonArray{1};
    CHECK_THROWS_AS(array["a"], std::logic_error);
    CHECK_THROWS_AS(array[1], std::out_of_range);
    CHECK_THROWS_AS(array.find("a"), std::logic_error);
  }

  TEST_CASE("accessors of the wrong kind throw logic_error naming the kind") {
    JsonValue n;
    CHECK_THROWS_AS(n.as_bool(), std::logic_error);
    CHECK_THROWS_AS(n.as_double(), std::logic_error);
    CHECK_THROWS_AS(n.as_string(), std::logic_error);
    CHECK_THROWS_AS(n.as_array(), std::logic_error);
    CHECK_THROWS_AS(n.as_object(), std::logic_error);
    CHECK_THROWS_AS(n.push_back(1), std::logic_error);
    CHECK_THROWS_AS(n.set("a", 1), std::logic_error);
    CHECK_THROWS_AS(n.size(), std::logic_error);
    CHECK_THROWS_AS(JsonValue{"s"}.size(), std::logic_error);
    CHECK_THROWS_WITH(JsonValue{"s"}.as_array(),
                      "swoop::JsonValue::as_array: the value is a string");
    CHECK_THROWS_WITH(JsonValue{2.5}.as_int(),
                      "swoop::JsonValue::as_int: the value is a decimal number");
  }

  TEST_CASE("is_int64 and is_uint64 say whether as_int and as_uint return the value") {
    constexpr auto int64_max = std::numeric_limits<std::int64_t>::max();
    const std::uint64_t above = static_cast<std::uint64_t>(int64_max) + 1;
    struct Case {
      JsonValue value;
      bool int64, uint64;
    };
    for (const Case& c : {Case{-1, true, false}, Case{0, true, true}, Case{5u, true, true},
                          Case{int64_max, true, true}, Case{above, false, true},
                          Case{std::numeric_limits<std::int64_t>::min(), true, false},
                          Case{1.0, false, false}, Case{"1", false, false}}) {
      CAPTURE(c.value);
      CHECK(c.value.is_int64() == c.int64);
      CHECK(c.value.is_uint64() == c.uint64);
      if (c.int64) CHECK_NOTHROW((void)c.value.as_int());
      if (!c.int64 && c.value.is_integer())
        CHECK_THROWS_AS((void)c.value.as_int(), std::out_of_range);
      if (c.uint64) CHECK_NOTHROW((void)c.value.as_uint());
      if (!c.uint64 && c.value.is_integer())
        CHECK_THROWS_AS((void)c.value.as_uint(), std::out_of_range);
    }
  }

  TEST_CASE("push_back appends to arrays") {
    JsonValue v = JsonArray{};
    v.push_back(1);
    v.push_back("two");
    v.push_back(JsonObject{{"three", 3}});
    CHECK(v.size() == 3);
    CHECK(to_json(v) == R"([1,"two",{"three":3}])");
    v.as_array().pop_back();
    CHECK(to_json(v) == R"([1,"two"])");
  }

  TEST_CASE("copies are deep and independent") {
    JsonValue a = JsonObject{{"list", JsonArray{1, 2}}};
    JsonValue b = a;
    b["list"].push_back(3);
    CHECK(to_json(a) == R"({"list":[1,2]})");
    CHECK(to_json(b) == R"({"list":[1,2,3]})");
    JsonValue c = std::move(b);
    CHECK(c["list"].size() == 3);
  }

  TEST_CASE("equality compares kinds and values deeply") {
    CHECK(JsonValue{5} == JsonValue{5U});
    CHECK(JsonValue{-1} != JsonValue{std::numeric_limits<std::uint64_t>::max()});
    CHECK(JsonValue{1} != JsonValue{1.0});
    CHECK(JsonValue{1.0} == 1.0);
    CHECK(JsonValue{NAN} != JsonValue{NAN});
    CHECK(JsonValue{true} != JsonValue{1});
    CHECK(JsonValue{"a"} == "a");
    CHECK(JsonValue{} == nullptr);
    CHECK(JsonArray{1, "a"} == JsonArray{1, "a"});
    CHECK(JsonValue{JsonArray{1}} != JsonValue{JsonArray{1, 2}});
    CHECK(JsonValue{JsonObject{{"a", 1}, {"b", 2}}} == JsonValue{JsonObject{{"a", 1}, {"b", 2}}});
    CHECK(JsonValue{JsonObject{{"a", 1}, {"b", 2}}} != JsonValue{JsonObject{{"b", 2}, {"a", 1}}});
    CHECK(JsonValue{JsonObject{{"a", 1}}} != JsonValue{JsonObject{{"a", 2}}});
  }

  TEST_CASE("every control character is escaped") {
    for (int c = 0; c < 0x20; ++c) {
      std::string expected;
      switch (c) {
        case '\b':
          expected = "\\b";
          break;
        case '\t':
          expected = "\\t";
          break;
        case '\n':
          expected = "\\n";
          break;
        case '\f':
          expected = "\\f";
          break;
        case '\r':
          expected = "\\r";
          break;
        default:
          expected = fmt::format("\\u{:04x}", c);
      }
      CAPTURE(c);
      CHECK(to_json(std::string(1, static_cast<char>(c))) == "\"" + expected + "\"");
    }
    CHECK(to_json(std::string("a\0b", 3)) == R"("a\u0000b")");
    CHECK(to_json("\x1f") == R"("\u001f")");
  }

  TEST_CASE("quotes and backslashes are escaped, slash and DEL are not") {
    CHECK(to_json(R"(say "hi")") == R"("say \"hi\"")");
    CHECK(to_json(R"(C:\dir\)") == R"("C:\\dir\\")");
    CHECK(to_json("a/b") == R"("a/b")");
    CHECK(to_json("\x7f") == "\"\x7f\"");
    CHECK(to_json(JsonObject{{"k\"\n", 1}}) == R"({"k\"\n":1})");
  }

  TEST_CASE("an escape is found at every position of a long string") {
    simdjson::dom::parser parser;
    for (const char special : {'"', '\\', '\n', '\x01', '\xff'}) {
      for (std::size_t i = 0; i < 40; ++i) {
        std::string s(40, 'x');
        s[i] = special;
        const std::string text = to_json(s);
        CAPTURE(i);
        CHECK(text.size() == s.size() + 2 + (special == '\xff' ? 2 : special == '\x01' ? 5 : 1));
        std::string expected = s;
        if (special == '\xff') expected.replace(i, 1, fffd);
        CHECK(round_trip_string(parser, s) == expected);
      }
    }
  }

  TEST_CASE("an escape is found at every position of every short length") {
    // The serializer looks at 16-byte blocks (the last one overlapping the one before), two
    // overlapping halves of 8 or 4 bytes below 16, single bytes below 4: each length below
    // 40 takes a different mix.
    for (const char special : {'"', '\\', '\x1f', '\0', '\x80'}) {
      const std::string escaped = special == '"'      ? "\\\""
                                  : special == '\\'   ? "\\\\"
                                  : special == '\x1f' ? "\\u001f"
                                  : special == '\0'   ? "\\u0000"
                                                      : fffd;
      for (std::size_t length = 1; length < 40; ++length) {
        CHECK(to_json(std::string(length, 'x')) == fmt::format("\"{}\"", std::string(length, 'x')));
        for (std::size_t i = 0; i < length; ++i) {
          std::string s(length, 'x');
          s[i] = special;
          CAPTURE(length);
          CAPTURE(i);
          CHECK(to_json(s) == fmt::format("\"{}{}{}\"", std::string(i, 'x'), escaped,
                                          std::string(length - i - 1, 'x')));
        }
      }
    }
  }

  TEST_CASE("valid multi-byte UTF-8 is kept byte for byte") {
    for (const std::string s : {"caf\xC3\xA9", "\xE2\x82\xAC", "\xED\x9F\xBF", "\xEE\x80\x80",
                                "\xEF\xBF\xBF", "\xF0\x9F\x98\x80", "\xF4\x8F\xBF\xBF", "\xC2\x80",
                                "\xE2\x80\xA8", "mixed \xC3\xA9\xE2\x82\xAC\xF0\x9F\x98\x80!"}) {
      CHECK(to_json(s) == "\"" + s + "\"");
    }
  }

  TEST_CASE("each byte of invalid UTF-8 is replaced by U+FFFD") {
    struct Case {
      std::string in;
      std::string out;
    };
    const std::vector<Case> cases{
        {"\x80", fffd},                                   // stray continuation byte
        {"a\xBF\x62", "a" + fffd + "b"},                  // stray continuation byte inside
        {"\xC0\xAF", fffd + fffd},                        // overlong '/'
        {"\xC1\xBF", fffd + fffd},                        // overlong
        {"\xE0\x80\x80", fffd + fffd + fffd},             // overlong NUL
        {"\xF0\x80\x80\x80", fffd + fffd + fffd + fffd},  // overlong NUL
        {"\xED\xA0\x80", fffd + fffd + fffd},             // surrogate U+D800
        {"\xF4\x90\x80\x80", fffd + fffd + fffd + fffd},  // above U+10FFFF
        {"\xF5", fffd},                                   // never a lead byte
        {"\xFF", fffd},                                   // never in UTF-8
        {"\xE2\x82", fffd + fffd},                        // truncated at the end
        {"\xE2\x82\x41", fffd + fffd + "A"},              // truncated before ASCII
        {"\xF0\x9F\x98", fffd + fffd + fffd},             // truncated 4-byte sequence
        {"\xC3\xA9\xC3", "\xC3\xA9" + fffd},              // valid then truncated
        {"\xC3\"", fffd + "\\\""},                        // truncated before a quote
    };
    for (const Case& c : cases) {
      CAPTURE(c.in);
      CHECK(to_json(c.in) == "\"" + c.out + "\"");
    }
  }

  TEST_CASE("random strings of code points round-trip through simdjson") {
    std::mt19937_64 rng(20240601);
    std::uniform_int_distribution<int> length(0, 40);
    std::uniform_int_distribution<std::uint32_t> range(0, 3);
    simdjson::dom::parser parser;
    for (int n = 0; n < 2000; ++n) {
      std::string s;
      for (int i = length(rng); i > 0; --i) {
        const std::uint32_t limits[] = {0x20, 0x80, 0x10000, 0x110000};
        char32_t cp = static_cast<char32_t>(rng() % limits[range(rng)]);
        if (cp >= 0xD800 && cp <= 0xDFFF) cp = 0xFFFD;
        append_utf8(s, cp);
      }
      CHECK(round_trip_string(parser, s) == s);
    }
  }

  TEST_CASE("random bytes always produce valid JSON that is stable when written again") {
    std::mt19937_64 rng(7);
    simdjson::dom::parser parser;
    for (int n = 0; n < 2000; ++n) {
      std::string s(rng() % 48, '\0');
      for (char& c : s) c = static_cast<char>(rng() & 0xFF);
      const std::string once = round_trip_string(parser, s);  // simdjson validates UTF-8
      CHECK(round_trip_string(parser, once) == once);
      // JsonValue's writer and JsonWriter's (a std::string) share the escaping code but not
      // the output path.
      CHECK(to_json(JsonValue{s}) == to_json(s));
    }
  }

  TEST_CASE("mostly plain ASCII strings are escaped exactly, by both writers") {
    // Long plain runs with a rare special byte, at lengths that cross the 4, 8 and 16-byte
    // steps of the serializer's scan.
    std::mt19937_64 rng(99);
    for (int n = 0; n < 5000; ++n) {
      std::string s(rng() % 70, '\0');
      std::string expected = "\"";
      for (char& c : s) {
        c = static_cast<char>(rng() % 20 == 0 ? rng() % 0x20 : 0x20 + rng() % 0x60);
        if (c == '"' || c == '\\') {
          expected += '\\';
          expected += c;
        } else if (static_cast<unsigned char>(c) < 0x20) {
          expected += c == '\b'   ? "\\b"
                      : c == '\t' ? "\\t"
                      : c == '\n' ? "\\n"
                      : c == '\f' ? "\\f"
                      : c == '\r' ? "\\r"
                                  : fmt::format("\\u{:04x}", static_cast<int>(c));
        } else {
          expected += c;
        }
      }
      expected += '"';
      CAPTURE(s);
      CHECK(to_json(s) == expected);
      CHECK(to_json(JsonValue{s}) == expected);
      CHECK(to_json(JsonObject{{s, s}}) == "{" + expected + ":" + expected + "}");
    }
  }

  TEST_CASE("random doubles round-trip exactly and read back as doubles") {
    std::mt19937_64 rng(42);
    std::uniform_real_distribution<double> unit(-1.0, 1.0);
    std::vector<double> values{0.0,
                               -0.0,
                               1.0,
                               -1.0,
                               0.1,
                               1.0 / 3.0,
                               1e300,
                               9007199254740993.0,
                               std::numeric_limits<double>::max(),
                               std::numeric_limits<double>::lowest(),
                               std::numeric_limits<double>::min(),
                               std::numeric_limits<double>::denorm_min(),
                               std::numeric_limits<double>::epsilon()};
    while (values.size() < 4000) {
      const double bits = std::bit_cast<double>(rng());
      if (std::isfinite(bits)) values.push_back(bits);
      values.push_back(unit(rng) * std::pow(10.0, static_cast<int>(rng() % 40) - 20));
      values.push_back(static_cast<double>(static_cast<std::int64_t>(rng()) >> (rng() % 64)));
    }
    JsonValue array = JsonArray{};
    for (double d : values) array.push_back(d);
    simdjson::dom::parser parser;
    simdjson::dom::array back;
    REQUIRE(parse(parser, to_json(array)).get(back) == simdjson::SUCCESS);
    REQUIRE(back.size() == values.size());
    std::size_t i = 0;
    for (simdjson::dom::element element : back) {
      CAPTURE(to_json(values[i]));
      CHECK(element.type() == simdjson::dom::element_type::DOUBLE);
      double d = 0;
      REQUIRE(element.get(d) == simdjson::SUCCESS);
      CHECK(std::bit_cast<std::uint64_t>(d) == std::bit_cast<std::uint64_t>(values[i]));
      ++i;
    }
  }

  TEST_CASE("random integers round-trip exactly") {
    std::mt19937_64 rng(99);
    JsonValue signed_values = JsonArray{std::numeric_limits<std::int64_t>::min(),
                                        std::numeric_limits<std::int64_t>::max(), 0, -1};
    JsonValue unsigned_values = JsonArray{std::numeric_limits<std::uint64_t>::max(), 0U};
    for (int n = 0; n < 2000; ++n) {
      signed_values.push_back(static_cast<std::int64_t>(rng()) >> (rng() % 64));
      unsigned_values.push_back(rng() >> (rng() % 64));
    }
    simdjson::dom::parser parser;
    simdjson::dom::array back;
    REQUIRE(parse(parser, to_json(signed_values)).get(back) == simdjson::SUCCESS);
    std::size_t i = 0;
    for (simdjson::dom::element element : back) {
      std::int64_t v = 0;
      REQUIRE(element.get(v) == simdjson::SUCCESS);
      CHECK(v == signed_values[i++].as_int());
    }
    REQUIRE(parse(parser, to_json(unsigned_values)).get(back) == simdjson::SUCCESS);
    i = 0;
    for (simdjson::dom::element element : back) {
      std::uint64_t v = 0;
      REQUIRE(element.get(v) == simdjson::SUCCESS);
      CHECK(v == unsigned_values[i++].as_uint());
    }
  }
}
