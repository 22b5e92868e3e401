// SPDX-License-Identifier: MIT
// Tests of JsonView (typed reads, paths in 400 messages) and of the malformed-JSON locator.
#include "swoop/json_view.hpp"

#include <doctest/doctest.h>

#include <cstdint>
#include <iterator>
#include <limits>
#include <map>
#include <random>
#include <ranges>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include "json/document.hpp"
#include "swoop/error.hpp"

using swoop::HttpError;
using swoop::JsonKind;
using swoop::JsonValue;
using swoop::JsonView;

static_assert(std::forward_iterator<swoop::JsonElements::iterator>);
static_assert(std::forward_iterator<swoop::JsonMembers::iterator>);
static_assert(std::ranges::forward_range<swoop::JsonElements>);
static_assert(std::ranges::forward_range<swoop::JsonMembers>);
static_assert(std::is_trivially_copyable_v<JsonView>);

namespace {

// A parsed document and its root, as req.json() would hold them.
struct Parsed {
  explicit Parsed(std::string_view text) : document(swoop::detail::acquire_json_document()) {
    document->parse(text);
  }
  JsonView root() const {
    REQUIRE_MESSAGE(document->ok(), document->error);
    return swoop::detail::json_root(*document);
  }
  swoop::detail::JsonDocumentPtr document;
};

// The message of the 400 that `f` throws.
template <typename F>
std::string client_error(F&& f) {
  try {
    f();
  } catch (const HttpError& e) {
    CHECK(e.status() == 400);
    CHECK(e.is_quiet());
    return e.what();
  }
  FAIL("no HttpError was thrown");
  return {};
}

// The 400 message for malformed `text`.
std::string parse_error(std::string_view text) {
  Parsed p{text};
  CHECK(p.document->error_status == 400);
  return p.document->error;
}

}  // namespace

TEST_SUITE("json_view") {
  TEST_CASE("scalars are read with get<T> and their kinds are reported") {
    Parsed p{R"({"b":true,"i":-5,"u":18446744073709551615,"d":2.5,"s":"h\u00e9\n","n":null,)"
             R"("a":[1,2],"o":{}})"};
    const JsonView v = p.root();
    CHECK(v.is_object());
    CHECK(v["b"].get<bool>());
    CHECK(v["b"].kind() == JsonKind::boolean);
    CHECK(v["i"].get<std::int64_t>() == -5);
    CHECK(v["i"].get<int>() == -5);
    CHECK(v["i"].get<double>() == -5.0);
    CHECK(v["i"].is_int64());
    CHECK_FALSE(v["i"].is_uint64());
    CHECK(v["u"].kind() == JsonKind::uint64);
    CHECK(v["u"].is_uint64());
    CHECK_FALSE(v["u"].is_int64());
    CHECK(v["u"].is_integer());
    // The same predicates as JsonValue's, with the same meaning: whether get<T> reads it.
    CHECK(v["u"].get<JsonValue>().is_uint64());
    CHECK_FALSE(v["u"].get<JsonValue>().is_int64());
    CHECK(v["i"].get<JsonValue>().is_int64());
    CHECK_FALSE(v["i"].get<JsonValue>().is_uint64());
    CHECK(v["u"].get<std::uint64_t>() == std::numeric_limits<std::uint64_t>::max());
    CHECK(v["d"].is_double());
    CHECK(v["d"].is_number());
    CHECK(v["d"].get<double>() == 2.5);
    CHECK(v["d"].get<float>() == 2.5f);
    CHECK(v["s"].get<std::string_view>() == "h\xC3\xA9\n");
    CHECK(v["s"].get<std::string>() == "h\xC3\xA9\n");
    CHECK(v["n"].is_null());
    CHECK(v["a"].is_array());
    CHECK(v["o"].is_object());
    CHECK(v.get<int>("i") == -5);
    CHECK(v.get<JsonView>("a").size() == 2);
  }

  TEST_CASE("arrays and objects are iterated in document order") {
    Parsed p{R"({"list":[1,"two",[3],{"four":4}],"z":1,"a":2,"dup":1,"dup":2})"};
    const JsonView v = p.root();
    std::vector<std::string> kinds;
    for (const JsonView e : v["list"].elements()) kinds.push_back(swoop::to_json(e));
    CHECK(kinds == std::vector<std::string>{"1", R"("two")", "[3]", R"({"four":4})"});
    std::vector<std::string> keys;
    for (const auto& [key, value] : v.members()) keys.emplace_back(key);
    CHECK(keys == std::vector<std::string>{"list", "z", "a", "dup", "dup"});
    CHECK(v.size() == 5);
    CHECK(v["list"].size() == 4);
    CHECK(v["list"][3]["four"].get<int>() == 4);
    CHECK(v["dup"].get<int>() == 1);  // the first of repeated keys
    Parsed empty{"[]"};
    CHECK(empty.root().elements().empty());
    CHECK(empty.root().size() == 0);
  }

  TEST_CASE("find, contains and get_optional tell missing and null members apart") {
    Parsed p{R"({"a":1,"n":null})"};
    const JsonView v = p.root();
    CHECK(v.contains("a"));
    CHECK(v.contains("n"));
    CHECK_FALSE(v.contains("x"));
    CHECK_FALSE(v.find("x").has_value());
    REQUIRE(v.find("n").has_value());
    CHECK(v.find("n")->is_null());
    CHECK(v.get_optional<int>("a") == 1);
    CHECK_FALSE(v.get_optional<int>("n").has_value());
    CHECK_FALSE(v.get_optional<int>("x").has_value());
    CHECK(v.get_optional<std::string>("x").value_or("dflt") == "dflt");
    CHECK(client_error([&] { (void)v.get_optional<std::string>("a"); }) ==
          R"(field "a" must be a string, not an integer)");
  }

  TEST_CASE("missing fields and wrong kinds throw 400 naming the path") {
    Parsed p{R"({"user":{"name":"x","tags":["a",{"deep":[null]}],"odd key":{"it's":1}}})"};
    const JsonView v = p.root();
    CHECK(client_error([&] { (void)v["url"]; }) == R"(missing field "url")");
    CHECK(client_error([&] { (void)v.get<std::string_view>("url"); }) == R"(missing field "url")");
    CHECK(client_error([&] { (void)v["user"]["email"]; }) == R"(missing field "user.email")");
    CHECK(client_error([&] { (void)v["user"]["tags"][5]; }) == R"(missing field "user.tags[5]")");
    CHECK(client_error([&] { (void)v["user"]["name"].get<int>(); }) ==
          R"(field "user.name" must be an integer, not a string)");
    CHECK(client_error([&] { (void)v["user"]["tags"][1]["deep"][0].get<std::string>(); }) ==
          R"(field "user.tags[1].deep[0]" must be a string, not null)");
    CHECK(client_error([&] { (void)v["user"]["odd key"]["it's"].get<bool>(); }) ==
          R"(field "user['odd key']['it\'s']" must be a boolean, not an integer)");
    CHECK(client_error([&] { (void)v["user"]["name"]["x"]; }) ==
          R"(field "user.name" must be an object, not a string)");
    CHECK(client_error([&] { (void)v[std::size_t{0}]; }) ==
          "the JSON body must be an array, not an object");
    CHECK(client_error([&] { (void)v.get<int>(); }) ==
          "the JSON body must be an integer, not an object");
    CHECK(client_error([&] { (void)v["user"]["name"].size(); }) ==
          R"(field "user.name" must be an array or an object, not a string)");
    CHECK(v["user"]["tags"][1]["deep"][0].path() == "user.tags[1].deep[0]");
    CHECK(v.path().empty());
  }

  TEST_CASE("long and unusual keys are shortened and escaped in messages") {
    const std::string key(200, 'k');
    Parsed p{R"({")" + key + R"(":1,"a\nb":2,"\u00e9\u00e9":3})"};
    const JsonView v = p.root();
    const std::string shown = client_error([&] { (void)v[key].get<std::string>(); });
    CHECK(shown.size() < 120);
    CHECK(shown.find("...") != std::string::npos);
    CHECK(client_error([&] { (void)v["a\nb"].get<std::string>(); }) ==
          R"(field "['a\u000ab']" must be a string, not an integer)");
    CHECK(client_error([&] { (void)v["\xC3\xA9\xC3\xA9"].get<std::string>(); }) ==
          "field \"['\xC3\xA9\xC3\xA9']\" must be a string, not an integer");
  }

  TEST_CASE("integers are range-checked for the requested type, doubles are not integers") {
    Parsed p{R"([1e400000000000000000000000])"};
    Parsed big{R"([1e308])"};
    const JsonView v = big.root();
    CHECK(v[0].get<double>() == 1e308);
    CHECK(client_error([&] { (void)v[0].get<float>(); }).find("float") != std::string::npos);
    CHECK_FALSE(p.document->ok());  // 1e400... overflows a double
    Parsed q{R"([300,-1,1.0,9223372036854775808,3e38,true])"};
    const JsonView a = q.root();
    CHECK(a[0].get<std::uint16_t>() == 300);
    CHECK(client_error([&] { (void)a[0].get<std::uint8_t>(); }) ==
          R"(field "[0]" must be an integer from 0 to 255)");
    CHECK(client_error([&] { (void)a[0].get<std::int8_t>(); }) ==
          R"(field "[0]" must be an integer from -128 to 127)");
    CHECK(client_error([&] { (void)a[1].get<unsigned>(); }) ==
          R"(field "[1]" must be an integer from 0 to 4294967295)");
    CHECK(a[1].get<long>() == -1);
    CHECK(client_error([&] { (void)a[2].get<int>(); }) ==
          R"(field "[2]" must be an integer, not a decimal number)");
    CHECK(a[2].get<double>() == 1.0);
    CHECK(client_error([&] { (void)a[3].get<std::int64_t>(); }) ==
          R"(field "[3]" must be an integer from -9223372036854775808 to 9223372036854775807)");
    CHECK(a[3].get<std::uint64_t>() == 9223372036854775808ULL);
    CHECK(a[4].get<float>() == 3e38f);
    CHECK(client_error([&] { (void)a[5].get<double>(); }) ==
          R"(field "[5]" must be a number, not a boolean)");
    CHECK(client_error([&] { (void)a[5].get<int>(); }) ==
          R"(field "[5]" must be an integer, not a boolean)");
  }

  TEST_CASE("reject throws a 400 about the value for the handler's own checks") {
    Parsed p{R"({"url":"ftp://x"})"};
    CHECK(client_error([&] { p.root()["url"].reject("must be an https URL"); }) ==
          R"(field "url" must be an https URL)");
    CHECK(client_error([&] { p.root().reject("is too large"); }) == "the JSON body is too large");
  }

  TEST_CASE("get<JsonValue> copies the subtree and to_json writes it back") {
    const std::string text =
        R"({"a":[1,-2,18446744073709551615,2.5,"s\"",null,true,{}],"b":{"c":[]}})";
    Parsed p{text};
    const JsonValue copy = p.root().get<JsonValue>();
    CHECK(swoop::to_json(copy) == text);
    CHECK(swoop::to_json(p.root()) == text);
    CHECK(swoop::to_json(p.root()["b"]) == R"({"c":[]})");
    CHECK(copy["a"][2].as_uint() == std::numeric_limits<std::uint64_t>::max());
    CHECK(swoop::json(p.root()["a"][4]).body() == R"("s\"")");
  }

  TEST_CASE("malformed JSON is described with line, column and byte offset") {
    CHECK(parse_error("{\"a\":1,\n \"b\" 2}")
              .starts_with("malformed JSON at line 2, column 6 (byte offset 13): expected ':' "
                           "after the object key "
                           "(simdjson: "));
    CHECK(parse_error("[1,2").starts_with(
        "malformed JSON at line 1, column 5 (byte offset 4): the text ends inside an array"));
    CHECK(parse_error(R"({"a":1,})")
              .starts_with("malformed JSON at line 1, column 8 (byte offset 7): expected a string "
                           "as the object key"));
    CHECK(parse_error("[1,]").find("column 4 (byte offset 3): expected a value") !=
          std::string::npos);
    CHECK(parse_error("[1 2]").find("byte offset 3): expected ',' or ']'") != std::string::npos);
    CHECK(parse_error("{\"a\":1}x").find("byte offset 7): unexpected text after") !=
          std::string::npos);
    CHECK(parse_error("[tru]").find("byte offset 1): invalid literal") != std::string::npos);
    CHECK(parse_error("[01]").find("byte offset 1): invalid number") != std::string::npos);
    CHECK(parse_error("[1.]").find("byte offset 1): invalid number") != std::string::npos);
    CHECK(parse_error("[18446744073709551616]").find("byte offset 1): integer outside") !=
          std::string::npos);
    CHECK(parse_error("[-9223372036854775809]").find("byte offset 1): integer outside") !=
          std::string::npos);
    CHECK(parse_error("[0, 1e309]").find("byte offset 4): number too large") != std::string::npos);
    CHECK(parse_error("[0.00001e314]").find("number too large") != std::string::npos);
    CHECK(parse_error(R"(["\x"])").find("byte offset 2): invalid escape") != std::string::npos);
    CHECK(parse_error(R"(["\ud800"])").find("byte offset 2): unpaired UTF-16 surrogate") !=
          std::string::npos);
    CHECK(parse_error(R"(["ok","\udc00"])").find("byte offset 7): unpaired") != std::string::npos);
    CHECK(parse_error(R"(["\u12G4"])").find("byte offset 2): invalid \\u escape") !=
          std::string::npos);
    CHECK(parse_error("\"abc").find("byte offset 0): unterminated string") != std::string::npos);
    CHECK(parse_error("[\"a\x01\"]").find("byte offset 3): unescaped control character") !=
          std::string::npos);
    CHECK(parse_error("[\"\xC3\xA9\", \"\xff\"]")
              .find("line 1, column 8 (byte offset 8): invalid UTF-8") != std::string::npos);
    CHECK(parse_error("   \n ").starts_with("malformed JSON: the body holds no JSON value"));
    CHECK(parse_error("]").find("byte offset 0): expected a value") != std::string::npos);
    CHECK(parse_error("{1:2}").find("byte offset 1): expected a string as the object key") !=
          std::string::npos);
  }

  TEST_CASE("a leading byte order mark is skipped and counted in byte offsets") {
    Parsed ok{"\xEF\xBB\xBF{\"a\":1}"};
    CHECK(ok.root()["a"].get<int>() == 1);
    CHECK(parse_error("\xEF\xBB\xBF[1,,2]").find("column 4 (byte offset 6)") != std::string::npos);
  }

  TEST_CASE("nesting deeper than 1024 is malformed at the first bracket too deep") {
    for (const char open : {'[', '{'}) {
      std::string text;
      for (int i = 0; i < 10000; ++i) text += open == '[' ? "[" : "{\"k\":";
      const std::string message = parse_error(text);
      CAPTURE(message);
      const std::size_t bracket = open == '[' ? 1024 : 1024 * 5;
      CHECK(message.find("(byte offset " + std::to_string(bracket) +
                         "): arrays and objects nested more than 1024 deep") != std::string::npos);
    }
    std::string ok = std::string(1024, '[') + std::string(1024, ']');
    Parsed p{ok};
    CHECK(p.document->ok());
  }

  TEST_CASE("random corruptions of valid JSON are located without disagreeing with simdjson") {
    const std::string base =
        R"({"a":[1,-2.5e3,"x\"y\u00e9",true,false,null,{"b":{}}],"c":"\ud83d\ude00","d":0})";
    std::mt19937 rng(11);
    const char junk[] = {'{', '}', '[', ']', ',', ':',    '"',    '\\', 'x',
                         '1', '-', '.', 'e', ' ', '\x01', '\xff', 'n',  't'};
    int located = 0;
    for (int i = 0; i < 3000; ++i) {
      std::string text = base;
      for (int n = 1 + static_cast<int>(rng() % 3); n > 0; --n) {
        const std::size_t at = rng() % text.size();
        switch (rng() % 3) {
          case 0:
            text[at] = junk[rng() % sizeof junk];
            break;
          case 1:
            text.insert(at, 1, junk[rng() % sizeof junk]);
            break;
          default:
            text.erase(at, 1);
        }
      }
      Parsed p{text};
      if (p.document->ok()) continue;
      CAPTURE(text);
      CAPTURE(p.document->error);
      // Every refusal gets a position: the locator agrees with simdjson that something is wrong.
      CHECK(p.document->error.starts_with("malformed JSON at line 1, column "));
      ++located;
    }
    CHECK(located > 1000);
  }

  TEST_CASE("documents go back to the pool and are reused") {
    swoop::detail::JsonDocument* first = nullptr;
    {
      Parsed p{"[1]"};
      first = p.document.get();
    }
    Parsed again{"[2]"};
    CHECK(again.document.get() == first);
    CHECK(again.root()[0].get<int>() == 2);
  }
}
