// SPDX-License-Identifier: MIT
// Typed bodies at their edges (swoop/describe.hpp): deep and recursive types, huge arrays,
// integers of every width at their limits, duplicate keys, UTF-8, unknown fields, every
// constraint at its boundaries, maps, and roots of the wrong kind.
#include <doctest/doctest.h>
#include <fmt/format.h>

#include <atomic>
#include <cstdint>
#include <limits>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include "json/document.hpp"
#include "support/typed_json.hpp"
#include "swoop/describe.hpp"
#include "swoop/swoop.hpp"

namespace edge {

// A recursive type: a tree of any depth.
struct Node {
  int value = 0;
  std::vector<Node> children;
};

// Refuses unknown members, inside a list of a type that ignores them.
struct Entry {
  int id = 0;
  static constexpr auto json_fields = swoop::fields(swoop::field("id", &Entry::id));
  static constexpr bool json_reject_unknown = true;
};

struct Order {
  std::vector<Entry> items;
  std::map<std::string, Entry> by_name;
  static constexpr auto json_fields =
      swoop::fields(swoop::field("items", &Order::items, swoop::has_default),
                    swoop::field("by_name", &Order::by_name, swoop::has_default));
};

// One member per constraint, each optional to send.
struct Bounds {
  int i = 0;
  double d = 1;
  std::string s = "ok";
  std::string code = "123";
  std::string word = "a";
  std::string order = "asc";
  std::string slug = "abc";
  std::vector<int> list;
  std::map<std::string, int> scores;
  std::optional<int> opt;
  std::optional<std::string> opt_s;
  std::uint8_t small = 1;
  static constexpr auto json_fields = swoop::fields(
      swoop::field("i", &Bounds::i, swoop::has_default, swoop::range(-5, 5)),
      swoop::field("d", &Bounds::d, swoop::has_default, swoop::range(0.5, 2.5)),
      swoop::field("s", &Bounds::s, swoop::has_default, swoop::length(2, 4)),
      swoop::field("code", &Bounds::code, swoop::has_default, swoop::pattern("[0-9]{3}")),
      swoop::field("word", &Bounds::word, swoop::has_default, swoop::pattern("^[a-z]+$")),
      swoop::field("order", &Bounds::order, swoop::has_default, swoop::one_of("asc", "desc")),
      swoop::field("slug", &Bounds::slug, swoop::has_default, swoop::length(3, 3),
                   swoop::pattern("^[a-z]+$")),
      swoop::field("list", &Bounds::list, swoop::has_default, swoop::max_items(3)),
      swoop::field("scores", &Bounds::scores, swoop::has_default, swoop::max_items(2)),
      swoop::field("opt", &Bounds::opt, swoop::range(1, 9)),
      swoop::field("opt_s", &Bounds::opt_s, swoop::length(1, 3)),
      swoop::field("small", &Bounds::small, swoop::has_default, swoop::range(1, 99)));
};

// Lists and maps of values, and of structs.
struct Line {
  std::string sku;
  int qty = 1;
  static constexpr auto json_fields =
      swoop::fields(swoop::field("sku", &Line::sku),
                    swoop::field("qty", &Line::qty, swoop::has_default, swoop::range(1, 99)));
};

struct Sheet {
  std::vector<int> numbers;
  std::map<std::string, int> scores;
  std::map<std::string, Line> lines;
  std::map<std::string, std::vector<int>> series;
  static constexpr auto json_fields = swoop::fields(
      swoop::field("numbers", &Sheet::numbers, swoop::has_default, swoop::max_items(10)),
      swoop::field("scores", &Sheet::scores, swoop::has_default),
      swoop::field("lines", &Sheet::lines, swoop::has_default),
      swoop::field("series", &Sheet::series, swoop::has_default));
};

struct Named {
  std::string name;
  int id = 0;
  static constexpr auto json_fields =
      swoop::fields(swoop::field("name", &Named::name), swoop::field("id", &Named::id));
  static constexpr bool json_reject_unknown = true;
};

struct Measure {
  float f = 0;
  double d = 0;
  static constexpr auto json_fields =
      swoop::fields(swoop::field("f", &Measure::f, swoop::has_default),
                    swoop::field("d", &Measure::d, swoop::has_default));
};

// One character.
struct Letter {
  std::string c;
  static constexpr auto json_fields =
      swoop::fields(swoop::field("c", &Letter::c, swoop::pattern("^.$")));
};

// The header's own example of a pattern, with a length.
struct Slug {
  std::string slug;
  static constexpr auto json_fields = swoop::fields(
      swoop::field("slug", &Slug::slug, swoop::length(1, 80), swoop::pattern("^[a-z0-9-]+$")));
};

// A pattern without a length.
struct Letters {
  std::string s;
  static constexpr auto json_fields =
      swoop::fields(swoop::field("s", &Letters::s, swoop::pattern("^[a-z]+$")));
};

}  // namespace edge

template <>
struct swoop::describe<edge::Node> {
  static constexpr auto fields =
      swoop::fields(swoop::field("value", &edge::Node::value),
                    swoop::field("children", &edge::Node::children, swoop::has_default));
};

namespace {

using swoop::ValidationError;
using swoop::ValidationIssue;
using Issues = std::vector<ValidationIssue>;

using swoop::test::issues;
using swoop::test::Parsed;
using swoop::test::read;

// The one issue reading text as T raises.
template <typename T>
ValidationIssue issue(std::string_view text) {
  const Issues found = issues<T>(text);
  REQUIRE(found.size() == 1);
  return found.front();
}

// The 400 message of text the parser refuses (before any typed reading).
std::string parse_error(std::string_view text) {
  Parsed p{text};
  CHECK(p.document->error_status == 400);
  return p.document->error;
}

// {"value":0,"children":[...]} nested `levels` deep, each level's child at index 0 or 1
// (alternating, with a valid sibling before it at index 1), and `leaf` the innermost value.
std::string tree(int levels, std::string_view leaf) {
  std::string text;
  for (int level = 0; level < levels; ++level) {
    text += R"({"value":0,"children":[)";
    if (level % 2 == 1) text += R"({"value":1},)";
  }
  text += R"({"value":)";
  text += leaf;
  text += "}";
  for (int level = 0; level < levels; ++level) text += "]}";
  return text;
}

// The path tree(levels, ...) gives its innermost value.
std::string tree_path(int levels) {
  std::string path;
  for (int level = 0; level < levels; ++level) {
    path += level % 2 == 1 ? "children[1]." : "children[0].";
  }
  return path + "value";
}

// "[x,x,...]": n copies of element.
std::string array_of(std::size_t n, std::string_view element) {
  std::string text = "[";
  for (std::size_t i = 0; i < n; ++i) {
    if (i > 0) text += ',';
    text += element;
  }
  return text + "]";
}

template <typename T>
std::string range_message() {
  return "must be an integer from " + std::to_string(std::numeric_limits<T>::min()) + " to " +
         std::to_string(std::numeric_limits<T>::max());
}

// Reads T at its limits, and one past each: a "range" issue, or a 400 from the parser where
// the number is outside 64-bit integers altogether.
template <typename T>
void check_integer_limits() {
  using Limits = std::numeric_limits<T>;
  const ValidationIssue out_of_range{"", range_message<T>(), "range"};
  CHECK(read<T>(std::to_string(Limits::min())) == Limits::min());
  CHECK(read<T>(std::to_string(Limits::max())) == Limits::max());
  if constexpr (std::is_signed_v<T> && sizeof(T) == 8) {
    CHECK(parse_error("-9223372036854775809").find("integer outside") != std::string::npos);
  } else {
    CHECK(issue<T>(std::to_string(static_cast<std::int64_t>(Limits::min()) - 1)) == out_of_range);
  }
  if constexpr (std::is_unsigned_v<T> && sizeof(T) == 8) {
    CHECK(parse_error("18446744073709551616").find("integer outside") != std::string::npos);
  } else {
    CHECK(issue<T>(std::to_string(static_cast<std::uint64_t>(Limits::max()) + 1)) == out_of_range);
  }
  // A number with a fraction or an exponent is not an integer, even when its value is one.
  CHECK(issue<T>("1.0") == ValidationIssue{"", "must be an integer, not a decimal number", "type"});
  CHECK(issue<T>("1e3") == ValidationIssue{"", "must be an integer, not a decimal number", "type"});
  CHECK(issue<T>("\"1\"") == ValidationIssue{"", "must be an integer, not a string", "type"});
  CHECK(issue<T>("true") == ValidationIssue{"", "must be an integer, not a boolean", "type"});
  CHECK(issue<T>("null") == ValidationIssue{"", "must be an integer, not null", "type"});
}

}  // namespace

TEST_SUITE("describe") {
  TEST_CASE("a recursive type reads a tree and names an error eight levels down by its path") {
    const auto root = read<edge::Node>(tree(8, "42"));
    const edge::Node* node = &root;
    for (int level = 0; level < 8; ++level) {
      REQUIRE(node->children.size() == (level % 2 == 1 ? 2u : 1u));
      node = &node->children.back();
    }
    CHECK(node->value == 42);
    CHECK(node->children.empty());
    CHECK(tree_path(8) ==
          "children[0].children[1].children[0].children[1].children[0].children[1]."
          "children[0].children[1].value");
    CHECK(issues<edge::Node>(tree(8, R"("x")")) ==
          Issues{{tree_path(8), "must be an integer, not a string", "type"}});
    CHECK(issues<edge::Node>(tree(8, "1.5")) ==
          Issues{{tree_path(8), "must be an integer, not a decimal number", "type"}});
  }

  TEST_CASE("a tree as deep as the parser allows is read, and its deepest error has the path") {
    // Each level is an object and an array: 511 levels and the leaf object are 1023 deep.
    const auto root = read<edge::Node>(tree(511, "7"));
    const edge::Node* node = &root;
    while (!node->children.empty()) node = &node->children.back();
    CHECK(node->value == 7);
    const Issues found = issues<edge::Node>(tree(511, "null"));
    REQUIRE(found.size() == 1);
    CHECK(found[0].path == tree_path(511));
    CHECK(found[0].kind == "type");
  }

  TEST_CASE("a document nested deeper than 1024 is a 400 from the parser, not a crash") {
    const std::string text = tree(600, "1");
    CHECK(parse_error(text).find("arrays and objects nested more than 1024 deep") !=
          std::string::npos);
    swoop::App app;
    std::atomic<int> reads = 0;  // handlers run on the client's worker threads
    app.post("/tree")([&](swoop::Request& req) {
      (void)req.json<edge::Node>();
      ++reads;
      return swoop::text("read");
    });
    swoop::TestClient client{app};
    const swoop::HeaderList json{{"Content-Type", "application/json"}};
    const auto response = client.post("/tree", text, json);
    CHECK(response.status == 400);
    CHECK(response.body.find("nested more than 1024 deep") != std::string::npos);
    CHECK(reads == 0);
    // The deepest tree the parser allows is read on a worker's stack too.
    CHECK(client.post("/tree", tree(511, "1"), json).status == 200);
    CHECK(reads == 1);
  }

  TEST_CASE("an array of 100000 integers is read whole") {
    std::string text = "[";
    for (int i = 0; i < 100000; ++i) {
      if (i > 0) text += ',';
      text += std::to_string(i);
    }
    text += "]";
    const auto numbers = read<std::vector<int>>(text);
    REQUIRE(numbers.size() == 100000);
    CHECK(numbers.front() == 0);
    CHECK(numbers[54321] == 54321);
    CHECK(numbers.back() == 99999);
  }

  TEST_CASE("100000 bad elements give max_issues issues, the last counting the other 99901") {
    const Issues found = issues<std::vector<int>>(array_of(100000, R"("x")"));
    REQUIRE(found.size() == ValidationError::max_issues);
    for (std::size_t i = 0; i + 1 < found.size(); ++i) {
      CAPTURE(i);
      // fmt, since "[" + std::to_string(i) makes GCC 12 warn (-Wrestrict, a false alarm).
      const std::string path = fmt::format("[{}]", i);
      CHECK(found[i] == ValidationIssue{path, "must be an integer, not a string", "type"});
    }
    // 99 listed and 99901 counted: every one of the 100000.
    CHECK(found.back() == ValidationIssue{"", "and 99901 more invalid values", "too_many"});
  }

  TEST_CASE("exactly max_issues bad elements are all listed, one more is summarised") {
    const Issues exact = issues<std::vector<int>>(array_of(ValidationError::max_issues, "true"));
    REQUIRE(exact.size() == ValidationError::max_issues);
    CHECK(exact.back() == ValidationIssue{"[99]", "must be an integer, not a boolean", "type"});
    const Issues over = issues<std::vector<int>>(array_of(ValidationError::max_issues + 1, "true"));
    REQUIRE(over.size() == ValidationError::max_issues);
    CHECK(over[98].path == "[98]");
    CHECK(over.back() == ValidationIssue{"", "and 2 more invalid values", "too_many"});
  }

  TEST_CASE("the message of a cut ValidationError counts every invalid value") {
    try {
      read<std::vector<int>>(array_of(100000, R"("x")"));
      FAIL("no ValidationError");
    } catch (const ValidationError& e) {
      CHECK(std::string_view{e.what()}.starts_with("100000 invalid values: "));
    }
  }

  TEST_CASE("max_items on a huge array of good elements is one items issue") {
    const std::string numbers = array_of(100000, "1");
    CHECK(issues<edge::Sheet>(R"({"numbers":)" + numbers + "}") ==
          Issues{{"numbers", "must have at most 10 items", "items"}});
    // An element's issue and the list's length are both told: fixing one does not reveal
    // the other in a second round trip.
    CHECK(issues<edge::Sheet>(R"({"numbers":[1,2,3,"x",5,6,7,8,9,10,11,12]})") ==
          Issues{{"numbers[3]", "must be an integer, not a string", "type"},
                 {"numbers", "must have at most 10 items", "items"}});
  }

  TEST_CASE("signed integers of every width are read at their limits and refused past them") {
    check_integer_limits<std::int8_t>();
    check_integer_limits<std::int16_t>();
    check_integer_limits<std::int32_t>();
    check_integer_limits<std::int64_t>();
    CHECK(issue<std::int64_t>("9223372036854775808") ==
          ValidationIssue{"", range_message<std::int64_t>(), "range"});
    CHECK(read<std::int64_t>("-0") == 0);
    CHECK(read<std::int8_t>("-0") == 0);
  }

  TEST_CASE("unsigned integers of every width are read at their limits and refused past them") {
    check_integer_limits<std::uint8_t>();
    check_integer_limits<std::uint16_t>();
    check_integer_limits<std::uint32_t>();
    check_integer_limits<std::uint64_t>();
    CHECK(read<std::uint8_t>("-0") == 0);
    CHECK(read<std::uint64_t>("-0") == 0);
    CHECK(issue<std::uint64_t>("-9223372036854775808") ==
          ValidationIssue{"", range_message<std::uint64_t>(), "range"});
    CHECK(issue<std::uint32_t>("-1") ==
          ValidationIssue{"", range_message<std::uint32_t>(), "range"});
  }

  TEST_CASE("integers outside 64 bits are a 400 from the parser, also through req.json<T>()") {
    CHECK(parse_error(R"({"n":18446744073709551616})").find("integer outside") !=
          std::string::npos);
    CHECK(parse_error(R"({"n":-9223372036854775809})").find("integer outside") !=
          std::string::npos);
    CHECK(parse_error("[123456789012345678901234567890]").find("integer outside") !=
          std::string::npos);
    swoop::App app;
    app.post("/n")(
        [](swoop::Request& req) { return swoop::text(std::to_string(req.json<std::uint64_t>())); });
    swoop::TestClient client{app};
    const swoop::HeaderList json{{"Content-Type", "application/json"}};
    CHECK(client.post("/n", "18446744073709551615", json).body == "18446744073709551615");
    CHECK(client.post("/n", "18446744073709551616", json).status == 400);
    CHECK(client.post("/n", "-1", json).status == 422);
  }

  TEST_CASE("doubles and floats: integers are numbers, 1e400 is a 400, a float has its range") {
    CHECK(read<double>("5") == 5.0);
    CHECK(read<double>("18446744073709551615") == 18446744073709551615.0);
    CHECK(read<double>("-1e308") == -1e308);
    CHECK(read<double>("-0.0") == 0.0);
    CHECK(parse_error("1e400").find("number too large") != std::string::npos);
    CHECK(parse_error(R"({"d":-1e400})").find("number too large") != std::string::npos);
    CHECK(read<float>("3e38") == 3e38f);
    CHECK(read<float>("-3e38") == -3e38f);
    CHECK(read<float>("1e-50") == 0.0f);  // too small for a float: rounds to zero, no issue
    const ValidationIssue too_big{"f", "must be a number within the range of a 32-bit float",
                                  "range"};
    CHECK(issues<edge::Measure>(R"({"f":3.5e38})") == Issues{too_big});
    CHECK(issues<edge::Measure>(R"({"f":-3.5e38})") == Issues{too_big});
    CHECK(issues<edge::Measure>(R"({"f":1e300,"d":1e300})") == Issues{too_big});
    CHECK(issues<edge::Measure>(R"({"f":"1","d":true})") ==
          Issues{{"f", "must be a number, not a string", "type"},
                 {"d", "must be a number, not a boolean", "type"}});
  }

  // The largest float is written in its shortest form, 3.4028235e+38, which is above FLT_MAX
  // as a double, and must read back.
  TEST_CASE("the largest float written as JSON reads back") {
    const edge::Measure largest{std::numeric_limits<float>::max(), 0};
    const std::string text = swoop::to_json(largest);
    CAPTURE(text);
    CHECK(issues<edge::Measure>(text).empty());
  }

  TEST_CASE("a repeated key of a struct is a duplicate issue, whatever its values") {
    // Parsers disagree on which of two members counts (Python's keeps the last): a proxy
    // and swoop must not read different values, so the document is refused.
    CHECK(issues<edge::Named>(R"({"name":"a","id":1,"name":"b"})") ==
          Issues{{"name", "appears more than once", "duplicate"}});
    CHECK(issues<edge::Named>(R"({"name":"a","id":1,"id":"x"})") ==
          Issues{{"id", "appears more than once", "duplicate"}});
    CHECK(issues<edge::Named>(R"({"name":"a","id":"x","id":2})") ==
          Issues{{"id", "must be an integer, not a string", "type"},
                 {"id", "appears more than once", "duplicate"}});
  }

  TEST_CASE("a repeated key of a map is a duplicate issue too") {
    CHECK(issues<edge::Sheet>(R"({"scores":{"a":1,"b":2,"a":3}})") ==
          Issues{{"scores.a", "appears more than once", "duplicate"}});
    CHECK(issues<edge::Sheet>(R"({"scores":{"a":"x","a":2}})") ==
          Issues{{"scores.a", "must be an integer, not a string", "type"},
                 {"scores.a", "appears more than once", "duplicate"}});
  }

  TEST_CASE("invalid UTF-8 in a string is a 400 from the parser and never reaches the struct") {
    const std::string text = "{\"name\":\"\xC3\x28\",\"id\":1}";
    CHECK(parse_error(text).find("(byte offset 9): invalid UTF-8") != std::string::npos);
    CHECK(parse_error("{\"na\xFFme\":\"a\",\"id\":1}").find("invalid UTF-8") != std::string::npos);
    CHECK(parse_error(R"({"name":"\ud800","id":1})").find("unpaired UTF-16 surrogate") !=
          std::string::npos);
    swoop::App app;
    std::atomic<int> reads = 0;
    app.post("/named")([&](swoop::Request& req) {
      const auto named = req.json<edge::Named>();
      ++reads;
      return swoop::text(named.name);
    });
    swoop::TestClient client{app};
    const swoop::HeaderList json{{"Content-Type", "application/json"}};
    const auto bad = client.post("/named", text, json);
    CHECK(bad.status == 400);
    CHECK(bad.body.find("invalid UTF-8") != std::string::npos);
    CHECK(reads == 0);
    CHECK(client.post("/named", R"({"name":"\u00e9","id":1})", json).body == "\xC3\xA9");
    CHECK(reads == 1);
  }

  TEST_CASE("length counts code points: multi-byte characters and surrogate pairs are one each") {
    CHECK(read<edge::Bounds>(R"({"s":"éé"})").s == "éé");                 // 4 bytes
    CHECK(read<edge::Bounds>(R"({"s":"€€€€"})").s == "€€€€");             // 12 bytes
    CHECK(read<edge::Bounds>(R"({"s":"\ud834\udd1e\ud83d\ude00"})").s ==  // 8 bytes
          "\xF0\x9D\x84\x9E\xF0\x9F\x98\x80");
    CHECK(read<edge::Bounds>(R"({"s":"𝄞\u00e9\u20ac\ud83d\ude00"})").s.size() == 13);
    const ValidationIssue length{"s", "must be 2 to 4 characters long", "length"};
    CHECK(issues<edge::Bounds>(R"({"s":"\ud834\udd1e"})") == Issues{length});
    CHECK(issues<edge::Bounds>(R"({"s":"ééééé"})") == Issues{length});
    CHECK(issues<edge::Bounds>(R"({"s":"\ud834\udd1e\ud834\udd1e\ud834\udd1e\ud834\udd1e)"
                               R"(\ud834\udd1e"})") == Issues{length});
    // Code points, not characters as people see them: e + combining acute is two.
    CHECK(read<edge::Bounds>(R"({"s":"e\u0301"})").s == "e\xCC\x81");
    CHECK(issues<edge::Bounds>(R"({"opt_s":"e\u0301e\u0301"})") ==
          Issues{{"opt_s", "must be 1 to 3 characters long", "length"}});
    // An escaped NUL is a code point too.
    CHECK(read<edge::Bounds>(R"({"s":"a\u0000"})").s == std::string{"a\0", 2});
  }

  TEST_CASE("unknown fields are ignored unless the type refuses them, also inside a list") {
    CHECK(read<edge::Order>(R"({"items":[{"id":1}],"other":{"deep":[1,2]}})").items.size() == 1);
    CHECK(issues<edge::Order>(R"({"items":[{"id":1},{"id":2,"extra":true}],"other":1})") ==
          Issues{{"items[1].extra", "is not a field of this object", "unknown_field"}});
    CHECK(issues<edge::Order>(R"({"by_name":{"a b":{"id":1,"x":0}}})") ==
          Issues{{"by_name['a b'].x", "is not a field of this object", "unknown_field"}});
    // Members are checked in the document's order, then the missing ones in the
    // description's order.
    CHECK(issues<edge::Named>(R"({"zz":1,"id":"1","aa":2})") ==
          Issues{{"zz", "is not a field of this object", "unknown_field"},
                 {"id", "must be an integer, not a string", "type"},
                 {"aa", "is not a field of this object", "unknown_field"},
                 {"name", "is required", "missing"}});
  }

  TEST_CASE("unknown keys that are not identifiers are named in bracket notation") {
    const std::string long_key(100, 'k');
    const Issues found = issues<edge::Entry>(R"({"id":1,"a b":1,"it's":2,"":3,"1x":4,"_ok$":5,)"
                                             R"("a\\b":6,"\u00e9":7,")" +
                                             long_key + R"(":8})");
    const std::string unknown = "is not a field of this object";
    CHECK(found == Issues{{"['a b']", unknown, "unknown_field"},
                          {"['it\\'s']", unknown, "unknown_field"},
                          {"['']", unknown, "unknown_field"},
                          {"['1x']", unknown, "unknown_field"},
                          {"_ok$", unknown, "unknown_field"},
                          {"['a\\\\b']", unknown, "unknown_field"},
                          {"['\xC3\xA9']", unknown, "unknown_field"},
                          {"['" + std::string(64, 'k') + "...']", unknown, "unknown_field"}});
  }

  TEST_CASE("range is inclusive at both ends, for integers and doubles") {
    CHECK(read<edge::Bounds>(R"({"i":-5})").i == -5);
    CHECK(read<edge::Bounds>(R"({"i":5})").i == 5);
    CHECK(issues<edge::Bounds>(R"({"i":-6})") == Issues{{"i", "must be from -5 to 5", "range"}});
    CHECK(issues<edge::Bounds>(R"({"i":6})") == Issues{{"i", "must be from -5 to 5", "range"}});
    CHECK(read<edge::Bounds>(R"({"d":0.5})").d == 0.5);
    CHECK(read<edge::Bounds>(R"({"d":2.5})").d == 2.5);
    CHECK(read<edge::Bounds>(R"({"d":2})").d == 2.0);  // an integer is a number
    const Issues outside{{"d", "must be from 0.5 to 2.5", "range"}};
    CHECK(issues<edge::Bounds>(R"({"d":0.49999999})") == outside);
    CHECK(issues<edge::Bounds>(R"({"d":2.5000001})") == outside);
    CHECK(issues<edge::Bounds>(R"({"d":-0.0})") == outside);
    CHECK(issues<edge::Bounds>(R"({"d":1e300})") == outside);
  }

  TEST_CASE("length is checked at zero, min, max and max plus one") {
    const Issues wrong{{"s", "must be 2 to 4 characters long", "length"}};
    CHECK(issues<edge::Bounds>(R"({"s":""})") == wrong);
    CHECK(issues<edge::Bounds>(R"({"s":"a"})") == wrong);
    CHECK(read<edge::Bounds>(R"({"s":"ab"})").s == "ab");
    CHECK(read<edge::Bounds>(R"({"s":"abcd"})").s == "abcd");
    CHECK(issues<edge::Bounds>(R"({"s":"abcde"})") == wrong);
    CHECK(issues<edge::Bounds>(R"({"opt_s":""})") ==
          Issues{{"opt_s", "must be 1 to 3 characters long", "length"}});
  }

  TEST_CASE("a pattern matches anywhere unless anchored") {
    CHECK(read<edge::Bounds>(R"({"code":"ab123cd"})").code == "ab123cd");
    CHECK(issues<edge::Bounds>(R"({"code":"12a3"})") ==
          Issues{{"code", "must match the pattern [0-9]{3}", "pattern"}});
    CHECK(read<edge::Bounds>(R"({"word":"abc"})").word == "abc");
    const Issues no_match{{"word", "must match the pattern ^[a-z]+$", "pattern"}};
    CHECK(issues<edge::Bounds>(R"({"word":"abc1"})") == no_match);
    CHECK(issues<edge::Bounds>(R"({"word":""})") == no_match);
    CHECK(issues<edge::Bounds>(R"({"word":"abc\ndef"})") == no_match);
  }

  // A known difference from JSON Schema's "pattern" (documented at swoop::pattern): the
  // expression sees bytes, so "^.$" refuses "é" (two bytes), which a schema validator accepts.
  TEST_CASE("a pattern sees bytes: a dot is one byte of UTF-8") {
    CHECK(read<edge::Letter>(R"({"c":"a"})").c == "a");
    CHECK(issues<edge::Letter>(R"({"c":"é"})").at(0).kind == "pattern");
  }

  TEST_CASE("a pattern on a long string is an issue, never a stack overflow") {
    // libstdc++'s std::regex recurses once per character a repetition matches: unbounded,
    // a 100000-character string overflowed the stack. A length before the pattern stops it;
    // without one, the pattern refuses what it cannot search safely.
    const std::string text = R"({"slug":")" + std::string(100000, 'a') + R"("})";
    CHECK(issues<edge::Slug>(text) ==
          Issues{{"slug", "must be 1 to 80 characters long", "length"}});
    const std::string longest(swoop::Pattern::max_text, 'a');
    CHECK(read<edge::Letters>(R"({"s":")" + longest + R"("})").s == longest);
    CHECK(
        issues<edge::Letters>(R"({"s":"a)" + longest + R"("})") ==
        Issues{{"s", "must be at most 4096 bytes long to match the pattern ^[a-z]+$", "pattern"}});
  }

  TEST_CASE("a field's constraints apply in order, up to the first that fails") {
    CHECK(read<edge::Bounds>(R"({"slug":"xyz"})").slug == "xyz");
    CHECK(issues<edge::Bounds>(R"({"slug":"AB"})") ==
          Issues{{"slug", "must be 3 characters long", "length"}});
    CHECK(issues<edge::Bounds>(R"({"slug":"ABC"})") ==
          Issues{{"slug", "must match the pattern ^[a-z]+$", "pattern"}});
  }

  TEST_CASE("one_of accepts only its exact choices") {
    CHECK(read<edge::Bounds>(R"({"order":"desc"})").order == "desc");
    const Issues wrong{{"order", R"(must be one of "asc", "desc")", "one_of"}};
    CHECK(issues<edge::Bounds>(R"({"order":"ASC"})") == wrong);
    CHECK(issues<edge::Bounds>(R"({"order":""})") == wrong);
    CHECK(issues<edge::Bounds>(R"({"order":"asc "})") == wrong);
  }

  TEST_CASE("max_items applies to lists and maps at their boundary") {
    CHECK(read<edge::Bounds>(R"({"list":[]})").list.empty());
    CHECK(read<edge::Bounds>(R"({"list":[1,2,3]})").list.size() == 3);
    CHECK(issues<edge::Bounds>(R"({"list":[1,2,3,4]})") ==
          Issues{{"list", "must have at most 3 items", "items"}});
    CHECK(read<edge::Bounds>(R"({"scores":{"a":1,"b":2}})").scores.size() == 2);
    CHECK(issues<edge::Bounds>(R"({"scores":{"a":1,"b":2,"c":3}})") ==
          Issues{{"scores", "must have at most 2 items", "items"}});
  }

  TEST_CASE("constraints of an optional member apply only when it holds a value") {
    CHECK_FALSE(read<edge::Bounds>("{}").opt.has_value());
    CHECK_FALSE(read<edge::Bounds>(R"({"opt":null,"opt_s":null})").opt.has_value());
    CHECK(read<edge::Bounds>(R"({"opt":1})").opt == 1);
    CHECK(read<edge::Bounds>(R"({"opt":9})").opt == 9);
    CHECK(issues<edge::Bounds>(R"({"opt":0,"opt_s":"abcd"})") ==
          Issues{{"opt", "must be from 1 to 9", "range"},
                 {"opt_s", "must be 1 to 3 characters long", "length"}});
    CHECK(issues<edge::Bounds>(R"({"opt":"1"})") ==
          Issues{{"opt", "must be an integer, not a string", "type"}});
  }

  TEST_CASE("a value of the wrong type raises only its type issue, not its constraints") {
    CHECK(
        issues<edge::Bounds>(
            R"({"i":"x","d":"x","s":5,"code":null,"order":1,"list":{},"scores":[],"small":300})") ==
        Issues{{"i", "must be an integer, not a string", "type"},
               {"d", "must be a number, not a string", "type"},
               {"s", "must be a string, not an integer", "type"},
               {"code", "must be a string, not null", "type"},
               {"order", "must be a string, not an integer", "type"},
               {"list", "must be an array, not an object", "type"},
               {"scores", "must be an object, not an array", "type"},
               {"small", "must be from 1 to 99", "range"}});  // the declared range
    CHECK(issues<edge::Bounds>(R"({"list":[1,"x",3,4,5]})") ==
          Issues{{"list[1]", "must be an integer, not a string", "type"},
                 {"list", "must have at most 3 items", "items"}});
  }

  TEST_CASE("bad values of a map are named by their keys") {
    CHECK(issues<edge::Sheet>(R"({"scores":{"alice":"x","two words":1.5,"bob":3,"1":null}})") ==
          Issues{{"scores.alice", "must be an integer, not a string", "type"},
                 {"scores['two words']", "must be an integer, not a decimal number", "type"},
                 {"scores['1']", "must be an integer, not null", "type"}});
    CHECK(issues<edge::Sheet>(
              R"({"lines":{"a":{"sku":"X","qty":0},"b c":{"qty":1}},"series":{"s":[1,"2"]}})") ==
          Issues{{"lines.a.qty", "must be from 1 to 99", "range"},
                 {"lines['b c'].sku", "is required", "missing"},
                 {"series.s[1]", "must be an integer, not a string", "type"}});
    CHECK(issues<edge::Sheet>(R"({"scores":[1]})") ==
          Issues{{"scores", "must be an object, not an array", "type"}});
    const auto sheet = read<edge::Sheet>(R"({"scores":{"b":2,"":1}})");
    CHECK(sheet.scores == std::map<std::string, int>{{"", 1}, {"b", 2}});
  }

  TEST_CASE("a root of the wrong kind is one type issue with an empty path") {
    const auto root_issue = [](std::string_view text) { return issues<edge::Named>(text); };
    CHECK(root_issue("[]") == Issues{{"", "must be an object, not an array", "type"}});
    CHECK(root_issue(R"("s")") == Issues{{"", "must be an object, not a string", "type"}});
    CHECK(root_issue("1") == Issues{{"", "must be an object, not an integer", "type"}});
    CHECK(root_issue("18446744073709551615") ==
          Issues{{"", "must be an object, not an integer", "type"}});
    CHECK(root_issue("-1.5") == Issues{{"", "must be an object, not a decimal number", "type"}});
    CHECK(root_issue("null") == Issues{{"", "must be an object, not null", "type"}});
    CHECK(root_issue("true") == Issues{{"", "must be an object, not a boolean", "type"}});
    CHECK(root_issue("false") == Issues{{"", "must be an object, not a boolean", "type"}});
    CHECK(issues<std::vector<int>>("{}") ==
          Issues{{"", "must be an array, not an object", "type"}});
    CHECK(issues<std::map<std::string, int>>("[]") ==
          Issues{{"", "must be an object, not an array", "type"}});
    CHECK_FALSE(read<std::optional<edge::Named>>("null").has_value());
  }
}
