// SPDX-License-Identifier: MIT
// Tests of cookie parsing and Set-Cookie formatting (swoop/cookies.hpp, Response::set_cookie).
#include "swoop/cookies.hpp"

#include <doctest/doctest.h>

#include <chrono>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "swoop/detail/access.hpp"
#include "swoop/headers.hpp"
#include "swoop/response.hpp"

namespace {

using Views = std::vector<std::string_view>;
using Pairs = std::vector<std::pair<std::string_view, std::string_view>>;
using namespace std::chrono_literals;
using namespace std::string_literals;

// Request headers over one buffer, as the connection builds them.
struct HeaderBuffer {
  std::string text;
  swoop::RequestHeaders headers;

  explicit HeaderBuffer(const std::vector<std::pair<std::string, std::string>>& fields) {
    std::vector<std::uint32_t> offsets;
    for (const auto& [name, value] : fields) {
      offsets.push_back(static_cast<std::uint32_t>(text.size()));
      text += name;
      offsets.push_back(static_cast<std::uint32_t>(text.size()));
      text += value;
    }
    for (std::size_t i = 0; i < fields.size(); ++i) {
      swoop::detail::Access::push(
          headers, offsets[2 * i], static_cast<std::uint32_t>(fields[i].first.size()),
          offsets[2 * i + 1], static_cast<std::uint32_t>(fields[i].second.size()));
    }
    swoop::detail::Access::rebase(headers, text.data());
  }
};

std::string cookie_header_of(std::size_t size, std::string_view pair) {
  std::string header;
  header.reserve(size + pair.size());
  while (header.size() < size) header += pair;
  return header;
}

std::string set_cookie(std::string_view name, std::string_view value,
                       const swoop::CookieOptions& options = {}) {
  return swoop::format_set_cookie(name, value, options);
}

}  // namespace

TEST_SUITE("cookies") {
  TEST_CASE("the RFC 6265 example Cookie header gives each cookie") {
    const auto cookies = swoop::parse_cookies("SID=31d4d96e407aad42; lang=en-US");
    REQUIRE(cookies.size() == 2);
    CHECK(cookies.get("SID") == "31d4d96e407aad42");
    CHECK(cookies.get("lang") == "en-US");
    CHECK(cookies.contains("lang"));
    CHECK_FALSE(cookies.contains("LANG"));
    CHECK_FALSE(cookies.get("missing").has_value());
    CHECK(cookies.get("missing", "dflt") == "dflt");
    CHECK(cookies.get("SID", "dflt") == "31d4d96e407aad42");
    CHECK(Pairs(cookies.begin(), cookies.end()) ==
          Pairs{{"SID", "31d4d96e407aad42"}, {"lang", "en-US"}});
  }

  TEST_CASE("one pair of double quotes around a value is removed") {
    const auto cookies =
        swoop::parse_cookies(R"(a="hello"; b=""; c="unbalanced; d=in"side; e=""x"")");
    CHECK(cookies.get("a") == "hello");
    CHECK(cookies.get("b") == "");
    CHECK(cookies.get("c") == "\"unbalanced");
    CHECK(cookies.get("d") == "in\"side");
    CHECK(cookies.get("e") == "\"x\"");
  }

  TEST_CASE("duplicate names keep every value in header order") {
    const auto cookies = swoop::parse_cookies("id=narrow; other=1; id=wide");
    CHECK(cookies.get("id") == "narrow");
    CHECK(cookies.get_all("id") == Views{"narrow", "wide"});
    CHECK(cookies.get_all("none").empty());
    CHECK(cookies.getlist("id") == cookies.get_all("id"));
    CHECK(cookies.size() == 3);
  }

  TEST_CASE("malformed pairs are skipped and the rest is kept") {
    const auto cookies = swoop::parse_cookies(
        "novalue; =nameless; ok=1;;  ; bad\x01name=x; badvalue=a\x7f; also=2; last");
    CHECK(Pairs(cookies.begin(), cookies.end()) == Pairs{{"ok", "1"}, {"also", "2"}});
  }

  TEST_CASE("whitespace around names and values is trimmed and '=' may appear in values") {
    const auto cookies = swoop::parse_cookies(" a = 1 ;\tb=2\t;token=abc==;c=;d=x y");
    CHECK(cookies.get("a") == "1");
    CHECK(cookies.get("b") == "2");
    CHECK(cookies.get("token") == "abc==");
    CHECK(cookies.get("c") == "");
    CHECK(cookies.get("d") == "x y");
  }

  TEST_CASE("an empty Cookie header gives no cookies") {
    CHECK(swoop::parse_cookies("").empty());
    CHECK(swoop::parse_cookies("   ").empty());
    CHECK(swoop::RequestCookies{}.size() == 0);
  }

  TEST_CASE("cookie names and values are views into the header") {
    const std::string header = "name=value";
    const auto cookies = swoop::parse_cookies(header);
    CHECK(cookies.get("name")->data() == header.data() + 5);
  }

  TEST_CASE("every Cookie field of the request headers is read, in order") {
    const HeaderBuffer buffer{
        {{"Host", "example.com"}, {"Cookie", "a=1; b=2"}, {"X-Cookie", "no=1"}, {"cookie", "a=3"}}};
    const auto cookies = swoop::parse_cookies(buffer.headers);
    CHECK(Pairs(cookies.begin(), cookies.end()) == Pairs{{"a", "1"}, {"b", "2"}, {"a", "3"}});
    CHECK(swoop::parse_cookies(buffer.headers, 2).size() == 2);
    CHECK(swoop::parse_cookies(HeaderBuffer{{{"Host", "x"}}}.headers).empty());
  }

  TEST_CASE("a 100 KB Cookie header is parsed quickly and keeps a bounded number of cookies") {
    const std::string header = cookie_header_of(100 * 1024, "k=v; ");
    const auto start = std::chrono::steady_clock::now();
    const auto cookies = swoop::parse_cookies(header);
    const auto junk = swoop::parse_cookies(cookie_header_of(100 * 1024, "junk;=x;"));
    const auto elapsed = std::chrono::steady_clock::now() - start;
    CHECK(cookies.size() == swoop::default_max_cookies);
    CHECK(junk.empty());
    CHECK(swoop::parse_cookies(header, 10).size() == 10);
    CHECK(elapsed < 200ms);

    const HeaderBuffer buffer{{{"Cookie", header}, {"Cookie", header}}};
    CHECK(swoop::parse_cookies(buffer.headers).size() == swoop::default_max_cookies);
  }

  TEST_CASE("a cookie with no options is a session cookie for the whole site") {
    CHECK(set_cookie("sid", "abc") == "sid=abc; Path=/");
    CHECK(set_cookie("empty", "") == "empty=; Path=/");
    CHECK(set_cookie("q", "\"quoted\"") == "q=\"quoted\"; Path=/");
    CHECK(set_cookie("q", "\"\"") == "q=\"\"; Path=/");
    CHECK(set_cookie("v", "!#$%&'()*+-./09:<=>?@AZ[]^_`az{|}~") ==
          "v=!#$%&'()*+-./09:<=>?@AZ[]^_`az{|}~; Path=/");
  }

  TEST_CASE("each cookie option writes its attribute") {
    CHECK(set_cookie("a", "1", {.max_age = 3600s}) == "a=1; Max-Age=3600; Path=/");
    CHECK(set_cookie("a", "1", {.max_age = std::chrono::hours{24}}) ==
          "a=1; Max-Age=86400; Path=/");
    CHECK(set_cookie("a", "1", {.max_age = -5s}) == "a=1; Max-Age=0; Path=/");
    CHECK(set_cookie("a", "1", {.expires = std::chrono::system_clock::time_point{}}) ==
          "a=1; Expires=Thu, 01 Jan 1970 00:00:00 GMT; Path=/");
    const auto rfc_date =
        std::chrono::sys_days{std::chrono::year{1994} / 11 / 6} + 8h + 49min + 37s + 999ms;
    CHECK(set_cookie("a", "1", {.expires = rfc_date}) ==
          "a=1; Expires=Sun, 06 Nov 1994 08:49:37 GMT; Path=/");
    const auto later = std::chrono::sys_days{std::chrono::year{2038} / 1 / 19} + 3h + 14min + 8s;
    CHECK(set_cookie("a", "1", {.expires = later}) ==
          "a=1; Expires=Tue, 19 Jan 2038 03:14:08 GMT; Path=/");
    CHECK(set_cookie("a", "1", {.path = "/api/v1"}) == "a=1; Path=/api/v1");
    CHECK(set_cookie("a", "1", {.path = ""}) == "a=1");
    CHECK(set_cookie("a", "1", {.domain = "example.com"}) == "a=1; Domain=example.com; Path=/");
    CHECK(set_cookie("a", "1", {.secure = true}) == "a=1; Path=/; Secure");
    CHECK(set_cookie("a", "1", {.http_only = true}) == "a=1; Path=/; HttpOnly");
    CHECK(set_cookie("a", "1", {.same_site = swoop::SameSite::lax}) == "a=1; Path=/; SameSite=Lax");
    CHECK(set_cookie("a", "1", {.same_site = swoop::SameSite::strict}) ==
          "a=1; Path=/; SameSite=Strict");
    CHECK(set_cookie("a", "1", {.same_site = swoop::SameSite::unset}) == "a=1; Path=/");
  }

  TEST_CASE("SameSite=None and Partitioned add Secure once") {
    CHECK(set_cookie("a", "1", {.same_site = swoop::SameSite::none}) ==
          "a=1; Path=/; Secure; SameSite=None");
    CHECK(set_cookie("a", "1", {.secure = true, .same_site = swoop::SameSite::none}) ==
          "a=1; Path=/; Secure; SameSite=None");
    CHECK(set_cookie("a", "1", {.partitioned = true}) == "a=1; Path=/; Secure; Partitioned");
  }

  TEST_CASE("all cookie options together are written in a fixed order") {
    const swoop::CookieOptions options{
        .max_age = 60s,
        .expires = std::chrono::sys_days{std::chrono::year{2030} / 12 / 31},
        .path = "/app",
        .domain = ".example.org",
        .secure = true,
        .http_only = true,
        .same_site = swoop::SameSite::none,
        .partitioned = true,
    };
    CHECK(set_cookie("__Host-id", "x", options) ==
          "__Host-id=x; Max-Age=60; Expires=Tue, 31 Dec 2030 00:00:00 GMT; Domain=.example.org; "
          "Path=/app; Secure; HttpOnly; SameSite=None; Partitioned");
  }

  TEST_CASE("a cookie name that is not a token throws") {
    for (const std::string& name : {""s, "a b"s, "a;b"s, "a=b"s, "a\r\nSet-Cookie: x"s, "a\nb"s,
                                    "a\0b"s, "a,b"s, "\"a\""s, "caf\xC3\xA9"s, "a\tb"s, "(a)"s}) {
      CAPTURE(name);
      CHECK_THROWS_AS(set_cookie(name, "v"), std::invalid_argument);
    }
  }

  TEST_CASE("a cookie value outside cookie-octets throws") {
    for (const std::string& value :
         {"a b"s, "a;b"s, "a; Domain=evil.com"s, "a\r\nSet-Cookie: x=1"s, "a\nb"s, "a\0b"s, "a,b"s,
          "a\\b"s, "a\"b"s, "\""s, "\"a"s, "\"a b\""s, "caf\xC3\xA9"s, "a\tb"s, "\x7f"s}) {
      CAPTURE(value);
      CHECK_THROWS_AS(set_cookie("n", value), std::invalid_argument);
    }
  }

  TEST_CASE("a cookie path or domain with a separator or a control byte throws") {
    for (const std::string& bad :
         {"/a;b"s, "/; Secure"s, "/\r\nX: y"s, "/\n"s, "/\0"s, "/\x7f"s, "/caf\xC3\xA9"s, "/\t"s}) {
      CAPTURE(bad);
      CHECK_THROWS_AS(set_cookie("n", "v", {.path = bad}), std::invalid_argument);
      CHECK_THROWS_AS(set_cookie("n", "v", {.domain = bad}), std::invalid_argument);
    }
    CHECK(set_cookie("n", "v", {.path = "/a b,c"}) == "n=v; Path=/a b,c");
  }

  TEST_CASE("set_cookie adds a Set-Cookie header and never replaces another") {
    swoop::Response res{200};
    res.add_header("Set-Cookie", "existing=1");
    res.set_cookie("a", "1").set_cookie("a", "2", {.http_only = true});
    CHECK(res.headers().get_all("Set-Cookie") ==
          Views{"existing=1", "a=1; Path=/", "a=2; Path=/; HttpOnly"});
    CHECK(res.headers().getlist("set-cookie") == res.headers().get_all("Set-Cookie"));
  }

  TEST_CASE("a refused cookie leaves the response unchanged") {
    swoop::Response res{200};
    CHECK_THROWS_AS(res.set_cookie("a", "x\r\nLocation: /evil"), std::invalid_argument);
    CHECK_THROWS_AS(res.set_cookie("a;", "1"), std::invalid_argument);
    CHECK_THROWS_AS(res.delete_cookie("a", {.domain = "x;y"}), std::invalid_argument);
    CHECK(res.headers().empty());
  }

  TEST_CASE("delete_cookie expires the cookie with the path and domain it was set with") {
    swoop::Response res{200};
    res.delete_cookie("sid");
    res.delete_cookie("pref", {.max_age = 3600s,
                               .path = "/app",
                               .domain = "example.com",
                               .secure = true,
                               .same_site = swoop::SameSite::strict});
    CHECK(res.headers().get_all("Set-Cookie") ==
          Views{"sid=; Max-Age=0; Expires=Thu, 01 Jan 1970 00:00:00 GMT; Path=/",
                "pref=; Max-Age=0; Expires=Thu, 01 Jan 1970 00:00:00 GMT; Domain=example.com; "
                "Path=/app; Secure; SameSite=Strict"});
  }
}
