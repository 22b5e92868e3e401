// SPDX-License-Identifier: MIT
// Tests of swoop/headers.hpp: case-insensitive, multi-valued, ordered and injection-proof fields.
#include <doctest/doctest.h>

#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "swoop/swoop.hpp"

using namespace std::string_view_literals;
using Views = std::vector<std::string_view>;

namespace {

// The fields as "name: value" lines, in iteration order.
std::vector<std::string> lines(const swoop::Headers& h) {
  std::vector<std::string> out;
  for (const auto& f : h) out.push_back(f.name + ": " + f.value);
  return out;
}

}  // namespace

TEST_SUITE("headers") {
  TEST_CASE("iequals compares ASCII letters without case and nothing else") {
    CHECK(swoop::iequals("Content-Type", "content-TYPE"));
    CHECK(swoop::iequals("", ""));
    CHECK_FALSE(swoop::iequals("Content-Type", "Content-Typ"));
    CHECK_FALSE(swoop::iequals("X-A", "X-B"));
    CHECK_FALSE(swoop::iequals("[", "{"));  // differ by 0x20 but are not letters
    CHECK_FALSE(swoop::iequals("@", "`"));
    CHECK_FALSE(swoop::iequals("\xC4", "\xE4"));  // Latin-1 letters are not folded
  }

  TEST_CASE("CR, LF and NUL break a header value at any position, other bytes do not") {
    CHECK_FALSE(swoop::has_header_breaking_char(""));
    CHECK_FALSE(swoop::has_header_breaking_char("text/html; charset=utf-8, \t tabs and spaces"));
    CHECK_FALSE(swoop::has_header_breaking_char("\x01\x0b\x0c\x0e\x7f\x80\xff\xfe\x8d\x8a\x09"));
    for (char bad : {'\r', '\n', '\0'}) {
      for (std::size_t at = 0; at < 20; ++at) {
        std::string value(20, 'a');
        value[at] = bad;
        CAPTURE(at);
        CHECK(swoop::has_header_breaking_char(value));
      }
    }
  }

  TEST_CASE("a header name is a non-empty RFC 9110 token") {
    CHECK(swoop::is_token("Content-Type"));
    CHECK(swoop::is_token("!#$%&'*+-.^_`|~09azAZ"));
    CHECK_FALSE(swoop::is_token(""));
    for (std::string_view bad :
         {"a b"sv, "a:b"sv, "a\tb"sv, "(x)"sv, "\"x\""sv, "x,y"sv, "x/y"sv, "x;y"sv, "x=y"sv,
          "{x}"sv, "x\r\n"sv, "x\0y"sv, "\x7f"sv, "caf\xC3\xA9"sv}) {
      CAPTURE(bad);
      CHECK_FALSE(swoop::is_token(bad));
    }
  }

  TEST_CASE("new Headers are empty and get finds nothing") {
    swoop::Headers h;
    CHECK(h.empty());
    CHECK(h.size() == 0);
    CHECK(h.begin() == h.end());
    CHECK_FALSE(h.get("Host").has_value());
    CHECK_FALSE(h.contains("Host"));
    CHECK(h.get_all("Host").empty());
    CHECK(h.remove("Host") == 0);
  }

  TEST_CASE("add keeps every field in the order added, with names as given") {
    swoop::Headers h;
    h.add("Set-Cookie", "a=1");
    h.add("Vary", "Accept");
    h.add("set-cookie", "b=2");
    h.add("SET-COOKIE", "c=3");
    CHECK(h.size() == 4);
    CHECK_FALSE(h.empty());
    CHECK(lines(h) == std::vector<std::string>{"Set-Cookie: a=1", "Vary: Accept", "set-cookie: b=2",
                                               "SET-COOKIE: c=3"});
    CHECK(h.get("Set-Cookie") == "a=1");
    CHECK(h.get_all("sEt-CoOkIe") == Views{"a=1", "b=2", "c=3"});
    CHECK(h.getlist("set-cookie") == Views{"a=1", "b=2", "c=3"});
    CHECK(h.get_all("Vary") == Views{"Accept"});
  }

  TEST_CASE("lookups ignore the case of the name") {
    swoop::Headers h;
    h.add("Content-Type", "text/plain");
    CHECK(h.get("content-type") == "text/plain");
    CHECK(h.get("CONTENT-TYPE") == "text/plain");
    CHECK(h.contains("cOnTeNt-TyPe"));
    CHECK_FALSE(h.contains("Content-Typ"));
    CHECK_FALSE(h.contains("Content-Type "));
  }

  TEST_CASE("set replaces every field of that name with one, whatever its case") {
    swoop::Headers h;
    h.add("X-A", "1");
    h.add("Other", "o");
    h.add("x-a", "2");
    h.set("X-a", "3");
    CHECK(h.size() == 2);
    CHECK(h.get_all("X-A") == Views{"3"});
    CHECK(h.get("Other") == "o");
    h.set("New", "n");
    CHECK(h.size() == 3);
    CHECK(h.get("new") == "n");
    h.set("new", "");
    CHECK(h.size() == 3);
    CHECK(h.get("New") == "");
    CHECK(h.contains("New"));
  }

  TEST_CASE("remove drops every field of that name and says how many") {
    swoop::Headers h;
    h.add("Vary", "Accept");
    h.add("Keep", "k");
    h.add("vary", "Origin");
    CHECK(h.remove("VARY") == 2);
    CHECK(h.size() == 1);
    CHECK_FALSE(h.contains("Vary"));
    CHECK(h.remove("Vary") == 0);
    CHECK(lines(h) == std::vector<std::string>{"Keep: k"});
  }

  TEST_CASE("a name that is not a token is refused by set and add, and nothing changes") {
    swoop::Headers h;
    h.add("Keep", "k");
    for (std::string_view bad : {""sv, "Bad Name"sv, "X:Y"sv, "X-A\r\nInjected"sv, "X\0Y"sv}) {
      CAPTURE(bad);
      CHECK_THROWS_AS(h.set(bad, "v"), std::invalid_argument);
      CHECK_THROWS_AS(h.add(bad, "v"), std::invalid_argument);
    }
    CHECK(lines(h) == std::vector<std::string>{"Keep: k"});
  }

  TEST_CASE("a value with CR, LF or NUL is refused by set and add, so no header can be injected") {
    swoop::Headers h;
    h.add("Keep", "k");
    for (std::string_view bad :
         {"a\r\nSet-Cookie: x=1"sv, "a\rb"sv, "a\nb"sv, "a\0b"sv, "\r"sv, "0123456789abcdef\n"sv}) {
      CAPTURE(bad);
      CHECK_THROWS_AS(h.set("Keep", bad), std::invalid_argument);
      CHECK_THROWS_AS(h.add("X-New", bad), std::invalid_argument);
    }
    CHECK(lines(h) == std::vector<std::string>{"Keep: k"});
    CHECK_NOTHROW(h.add("X-Obs", "caf\xC3\xA9 \t x"));
    CHECK(h.get("x-obs") == "caf\xC3\xA9 \t x");
  }
}
