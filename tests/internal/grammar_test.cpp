// SPDX-License-Identifier: MIT
// The shared field grammar (src/http/grammar.hpp): lists, tokens, parameters, q-values.
#include "http/grammar.hpp"

#include <doctest/doctest.h>

#include <string>
#include <string_view>
#include <vector>

namespace {

using namespace swoop::detail;

std::vector<std::string> items(std::string_view list) {
  std::vector<std::string> out;
  for (const std::string_view item : ListItems{list}) out.emplace_back(item);
  return out;
}

}  // namespace

TEST_CASE("trim_ows removes spaces and tabs only, from both ends") {
  CHECK(trim_ows(" \t a b \t ") == "a b");
  CHECK(trim_ows("\r a \n") == "\r a \n");
  CHECK(trim_ows(" \t ").empty());
  CHECK(trim_ows("").empty());
}

TEST_CASE("list items are trimmed, empty ones skipped, commas in quoted strings kept") {
  using V = std::vector<std::string>;
  CHECK(items("a, b,c") == V{"a", "b", "c"});
  CHECK(items(" , ,a,\t,b , ") == V{"a", "b"});  // RFC 9110 5.6.1: empty elements do not count
  CHECK(items("") == V{});
  CHECK(items(" , ") == V{});
  CHECK(items(R"("a,b", W/"c,d")") == V{R"("a,b")", R"(W/"c,d")"});
  CHECK(items(R"("a\",b", c)") == V{R"("a\",b")", "c"});  // an escaped quote does not close it
  CHECK(items(R"(a;q="x,y", b)") == V{R"(a;q="x,y")", "b"});
  CHECK(items(R"("open, c)") == V{R"("open, c)"});  // unterminated: the rest is one element
  // A quote inside a token is no quoted string: it hides no comma (Connection: a"b, upgrade).
  CHECK(items(R"(k"; x="1"; y, Upgrade)") == V{R"(k"; x="1"; y)", "Upgrade"});
  CHECK(items(R"(a"b, c"d)") == V{R"(a"b)", R"(c"d)"});
  CHECK(items(R"(x; q = "1,2", y)") == V{R"(x; q = "1,2")", "y"});
  CHECK(items("a\\") == V{"a\\"});
}

TEST_CASE("has_list_token compares whole elements, ignoring case") {
  CHECK(has_list_token("keep-alive, Close", "close"));
  CHECK(has_list_token("close\t", "close"));
  CHECK_FALSE(has_list_token("closed", "close"));
  CHECK_FALSE(has_list_token("\"close\"", "close"));
  CHECK_FALSE(has_list_token("", "close"));
  // Token lists have no quoted strings: every comma splits.
  CHECK(has_list_token(R"(x="a, upgrade, b")", "upgrade"));
}

TEST_CASE("parameters follow the first semicolon, as tokens or quoted strings") {
  std::string_view params;
  CHECK(split_parameters(" form-data ; name=\"a;b\"; filename=x.txt ", params) == "form-data");
  HeaderParam p;
  REQUIRE(next_parameter(params, p) == ParamResult::found);
  CHECK(p.name == "name");
  CHECK(p.value == "a;b");
  CHECK(p.quoted);
  REQUIRE(next_parameter(params, p) == ParamResult::found);
  CHECK(p.name == "filename");
  CHECK(p.value == "x.txt");
  CHECK_FALSE(p.quoted);
  CHECK(next_parameter(params, p) == ParamResult::end);

  CHECK(split_parameters("text/html", params) == "text/html");
  CHECK(params.empty());
  params = "a=\"unterminated";
  CHECK(next_parameter(params, p) == ParamResult::malformed);
  params = "flag; ; =x; b=1";  // a name alone, an empty element, no name: skipped
  REQUIRE(next_parameter(params, p) == ParamResult::found);
  CHECK(p.name == "b");
}

TEST_CASE("weight reads the q parameter in thousandths and refuses what RFC 9110 12.4.2 does") {
  CHECK(weight("") == 1000);
  CHECK(weight("level=1") == 1000);
  CHECK(weight("q=1") == 1000);
  CHECK(weight("Q=0.5") == 500);
  CHECK(weight(" q = 0.25 ") == 250);
  CHECK(weight("q=0.001") == 1);
  CHECK(weight("q=0") == 0);
  CHECK(weight("q=0.000") == 0);
  CHECK(weight("q=1.000") == 1000);
  CHECK(weight("q=1.") == 1000);
  for (const char* bad : {"q=1.5", "q=2", "q=0.0001", "q=.5", "q=abc", "q=", "q=-0", "q=\"1\"",
                          "q=0,5", "x=\"open"}) {
    CAPTURE(bad);
    CHECK_FALSE(weight(bad).has_value());
  }
}

TEST_CASE("byte classes: tokens, values and hex digits") {
  for (const char c : std::string_view{"!#$%&'*+-.^_`|~09azAZ"}) {
    CHECK(is_token_char(static_cast<unsigned char>(c)));
  }
  for (const char c : std::string_view{"\"(),/:;<=>?@[\\]{} \t\x7f\x01"}) {
    CHECK_FALSE(is_token_char(static_cast<unsigned char>(c)));
  }
  CHECK(is_value_char('\t'));
  CHECK(is_value_char(0x80));
  CHECK_FALSE(is_value_char('\r'));
  CHECK_FALSE(is_value_char(0));
  CHECK(hex_value('0') == 0);
  CHECK(hex_value('f') == 15);
  CHECK(hex_value('F') == 15);
  CHECK(hex_value('g') == -1);
  CHECK(hex_value('/') == -1);
  CHECK(ascii_lower('Q') == 'q');
  CHECK(ascii_lower('\xC0') == '\xC0');
}
