// SPDX-License-Identifier: MIT
// Tests for percent coding and query-string parsing (swoop/url.hpp).
#include "swoop/url.hpp"

#include <doctest/doctest.h>

#include <iterator>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace {

using Views = std::vector<std::string_view>;

static_assert(std::forward_iterator<swoop::QueryArgs::Iterator>);

}  // namespace

TEST_SUITE("url") {
  TEST_CASE("percent_decode decodes escapes of either hex case") {
    std::string out;
    CHECK(swoop::percent_decode("/caf%C3%a9/a%2Fb%20c", out));
    CHECK(out == "/caf\xC3\xA9/a/b c");
  }

  TEST_CASE("percent_decode appends to what the output already holds") {
    std::string out = "prefix:";
    CHECK(swoop::percent_decode("a%41", out));
    CHECK(out == "prefix:aA");
  }

  TEST_CASE("percent_decode keeps plus signs unless asked to read them as spaces") {
    std::string out;
    CHECK(swoop::percent_decode("a+b%2B", out));
    CHECK(out == "a+b+");
    out.clear();
    CHECK(swoop::percent_decode("a+b%2B", out, true));
    CHECK(out == "a b+");
  }

  TEST_CASE("percent_decode decodes a NUL escape to a NUL byte") {
    std::string out;
    CHECK(swoop::percent_decode("a%00b", out));
    CHECK(out == std::string_view("a\0b", 3));
  }

  TEST_CASE("percent_decode rejects a malformed escape and leaves the output as it was") {
    std::string bad;
    SUBCASE("a lone percent sign") { bad = "abc%"; }
    SUBCASE("one hex digit") { bad = "abc%4"; }
    SUBCASE("non-hex digits") { bad = "abc%zz"; }
    SUBCASE("a second digit that is not hex") { bad = "%4g"; }
    SUBCASE("a bad escape after a good one") { bad = "%41%x1"; }
    std::string out = "kept";
    CHECK_FALSE(swoop::percent_decode(bad, out));
    CHECK(out == "kept");
  }

  TEST_CASE("percent_decode of an empty string succeeds with nothing appended") {
    std::string out;
    CHECK(swoop::percent_decode("", out));
    CHECK(out.empty());
  }

  TEST_CASE("percent_encode keeps unreserved characters and escapes the rest in upper case") {
    CHECK(swoop::percent_encode("AZaz09-._~") == "AZaz09-._~");
    CHECK(swoop::percent_encode("a b&c=d/e?f#g+h%") == "a%20b%26c%3Dd%2Fe%3Ff%23g%2Bh%25");
    CHECK(swoop::percent_encode("caf\xC3\xA9") == "caf%C3%A9");
    CHECK(swoop::percent_encode(std::string_view("\0", 1)) == "%00");
    CHECK(swoop::percent_encode("").empty());
  }

  TEST_CASE("percent_encode keeps slashes when asked") {
    CHECK(swoop::percent_encode("css/a b.css", true) == "css/a%20b.css");
    CHECK(swoop::percent_encode("css/a b.css") == "css%2Fa%20b.css");
  }

  TEST_CASE("percent_encode and percent_decode round-trip every byte") {
    std::string all;
    for (int c = 0; c < 256; ++c) all.push_back(static_cast<char>(c));
    std::string decoded;
    CHECK(swoop::percent_decode(swoop::percent_encode(all), decoded));
    CHECK(decoded == all);
  }

  TEST_CASE("query arguments keep their order and every repeated value") {
    const swoop::QueryArgs args{"a=1&b=&a=3&c"};
    REQUIRE(args.size() == 4);
    CHECK_FALSE(args.empty());
    CHECK(args[0] == std::pair<std::string_view, std::string_view>{"a", "1"});
    CHECK(args[1] == std::pair<std::string_view, std::string_view>{"b", ""});
    CHECK(args[2] == std::pair<std::string_view, std::string_view>{"a", "3"});
    CHECK(args[3] == std::pair<std::string_view, std::string_view>{"c", ""});
    CHECK(args[4] == swoop::QueryArgs::value_type{});
    CHECK(args.getlist("a") == Views{"1", "3"});
    CHECK(args.getlist("missing").empty());
    CHECK(args.get_all("a") == args.getlist("a"));  // the Flask/Sanic spelling is an alias
  }

  TEST_CASE("get returns the first value, or nothing or the fallback for a missing name") {
    const swoop::QueryArgs args{"a=1&b=&a=3&c"};
    CHECK(args.get("a") == "1");
    CHECK(args.get("b") == "");
    CHECK(args.get("c") == "");
    CHECK_FALSE(args.get("d").has_value());
    CHECK(args.get("d", "dflt") == "dflt");
    CHECK(args.get("a", "dflt") == "1");
    CHECK(args.contains("c"));
    CHECK_FALSE(args.contains("d"));
    CHECK_FALSE(args.contains("A"));
  }

  TEST_CASE("empty pieces of a query are skipped") {
    const swoop::QueryArgs args{"&a=1&&b=2&"};
    CHECK(args.size() == 2);
    CHECK(args.get("a") == "1");
    CHECK(args.get("b") == "2");
    CHECK(swoop::QueryArgs{""}.empty());
    CHECK(swoop::QueryArgs{"&&&"}.empty());
    CHECK(swoop::QueryArgs{}.size() == 0);
  }

  TEST_CASE("names and values are form-decoded") {
    const swoop::QueryArgs args{"first+name=J%C3%B6rg+M&q=a%2Bb%26c%3Dd&x=1=2"};
    CHECK(args.get("first name") == "J\xC3\xB6rg M");
    CHECK(args.get("q") == "a+b&c=d");
    CHECK(args.get("x") == "1=2");
  }

  TEST_CASE("a malformed escape in a query is kept literally") {
    const swoop::QueryArgs args{"a=%zz&b=100%&c=%4&%=%41"};
    CHECK(args.get("a") == "%zz");
    CHECK(args.get("b") == "100%");
    CHECK(args.get("c") == "%4");
    CHECK(args.get("%") == "A");
  }

  TEST_CASE("a pair without a name keeps the empty name") {
    const swoop::QueryArgs args{"=v"};
    REQUIRE(args.size() == 1);
    CHECK(args.get("") == "v");
  }

  TEST_CASE("query arguments iterate as name and value pairs") {
    const swoop::QueryArgs args{"x=1&y=2&x=3"};
    std::vector<std::pair<std::string_view, std::string_view>> seen;
    for (const auto& [name, value] : args) seen.emplace_back(name, value);
    REQUIRE(seen.size() == 3);
    CHECK(seen[0].first == "x");
    CHECK(seen[1].second == "2");
    CHECK(seen[2].second == "3");
    CHECK(std::distance(args.begin(), args.end()) == 3);
    auto it = args.begin();
    CHECK((*it++).first == "x");
    CHECK((*it).first == "y");
  }

  TEST_CASE("query arguments own their text after the source string is gone") {
    auto source =
        std::make_unique<std::string>("long+enough+name+to+leave+SSO=some+long+value+here");
    swoop::QueryArgs args{*source};
    source.reset();
    CHECK(args.get("long enough name to leave SSO") == "some long value here");
  }

  TEST_CASE("copied and moved query arguments keep views into their own storage") {
    auto original =
        std::make_unique<swoop::QueryArgs>("a=short&b=a+value+long+enough+to+be+on+the+heap");
    const swoop::QueryArgs copy = *original;
    swoop::QueryArgs moved = std::move(*original);
    original.reset();
    CHECK(copy.get("a") == "short");
    CHECK(copy.get("b") == "a value long enough to be on the heap");
    CHECK(moved.get("a") == "short");
    CHECK(moved.get_all("b") == Views{"a value long enough to be on the heap"});
  }
}
