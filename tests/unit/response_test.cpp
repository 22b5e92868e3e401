// SPDX-License-Identifier: MIT
// Tests of swoop/response.hpp: Response, its status range and headers, and the named constructors.
#include <doctest/doctest.h>

#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "swoop/detail/access.hpp"  // the Content-Type kept aside, the body's source
#include "swoop/swoop.hpp"

using namespace std::string_view_literals;
using swoop::detail::Access;
using Views = std::vector<std::string_view>;

TEST_SUITE("response") {
  TEST_CASE("a default Response is an empty 200 with no headers") {
    swoop::Response r;
    CHECK(r.status() == 200);
    CHECK(r.body().empty());
    CHECK(r.headers().empty());
    CHECK(Access::pending_content_type(r).empty());
    CHECK_FALSE(r.is_streamed());
    CHECK((Access::body_source(r) == nullptr));
  }

  TEST_CASE("a status outside 100..599 is refused by the constructor and by set_status") {
    CHECK(swoop::Response{100}.status() == 100);
    CHECK(swoop::Response{599}.status() == 599);
    for (int bad : {-200, 0, 99, 600, 1000}) {
      CAPTURE(bad);
      CHECK_THROWS_AS(swoop::Response{bad}, std::invalid_argument);
      CHECK_THROWS_AS(swoop::text("x", bad), std::invalid_argument);
      CHECK_THROWS_AS(swoop::empty(bad), std::invalid_argument);
    }
    swoop::Response r{201};
    CHECK_THROWS_AS(r.set_status(600), std::invalid_argument);
    CHECK_THROWS_AS(r.set_status(99), std::invalid_argument);
    CHECK(r.status() == 201);
    r.set_status(418);
    CHECK(r.status() == 418);
  }

  TEST_CASE("text, html and json_text set the body, status and their Content-Type") {
    auto t = swoop::text("hello", 201);
    CHECK(t.status() == 201);
    CHECK(t.body() == "hello");
    CHECK(Access::pending_content_type(t) == "text/plain; charset=utf-8");
    CHECK(t.headers().get("content-type") == "text/plain; charset=utf-8");
    CHECK(t.headers().size() == 1);
    CHECK(Access::pending_content_type(t).empty());  // now among headers()
    CHECK(t.headers().size() == 1);                  // and placed once only
    auto h = swoop::html("<p>hi</p>");
    CHECK(h.status() == 200);
    CHECK(h.body() == "<p>hi</p>");
    CHECK(h.headers().get("Content-Type") == "text/html; charset=utf-8");
    auto j = swoop::json_text(R"({"a":1})", 202);
    CHECK(j.status() == 202);
    CHECK(j.body() == R"({"a":1})");
    CHECK(j.headers().get_all("Content-Type") == Views{"application/json"});
  }

  TEST_CASE("raw takes any bytes and content type, octet-stream by default") {
    const std::string bytes{"\0\x01\xff"sv};
    auto r = swoop::raw(bytes);
    CHECK(r.status() == 200);
    CHECK(r.body() == bytes);
    CHECK(r.headers().get("Content-Type") == "application/octet-stream");
    auto csv = swoop::raw("a,b", "text/csv", 206);
    CHECK(csv.status() == 206);
    CHECK(csv.headers().get("Content-Type") == "text/csv");
    CHECK_THROWS_AS(swoop::raw("x", "text/plain\r\nSet-Cookie: a=1"), std::invalid_argument);
  }

  TEST_CASE("empty answers 204 with no body and no headers unless given another status") {
    auto r = swoop::empty();
    CHECK(r.status() == 204);
    CHECK(r.body().empty());
    CHECK(r.headers().empty());
    CHECK(swoop::empty(205).status() == 205);
  }

  TEST_CASE("redirect answers 302 with a Location by default") {
    auto r = swoop::redirect("/items/7");
    CHECK(r.status() == 302);
    CHECK(r.headers().get_all("location") == Views{"/items/7"});
    CHECK(r.body().empty());
  }

  TEST_CASE("redirect takes 301, 303, 307 and 308 and refuses every other status") {
    for (int ok : {301, 303, 307, 308}) {
      CAPTURE(ok);
      auto r = swoop::redirect("https://example.com/", ok);
      CHECK(r.status() == ok);
      CHECK(r.headers().get("Location") == "https://example.com/");
    }
    for (int bad : {200, 204, 300, 304, 305, 306, 309, 404, 500, 0, 1302}) {
      CAPTURE(bad);
      CHECK_THROWS_AS(swoop::redirect("/x", bad), std::invalid_argument);
    }
  }

  TEST_CASE("redirect refuses a location with CR, LF or NUL") {
    for (std::string_view bad : {"/x\r\nSet-Cookie: a=1"sv, "/x\ny"sv, "/x\ry"sv, "/x\0y"sv}) {
      CAPTURE(bad);
      CHECK_THROWS_AS(swoop::redirect(bad), std::invalid_argument);
    }
  }

  TEST_CASE("set_header replaces, add_header keeps earlier values, and both chain") {
    swoop::Response r;
    CHECK(&r.set_header("X-A", "1") == &r);
    CHECK(&r.add_header("x-a", "2") == &r);
    CHECK(r.headers().get_all("X-A") == Views{"1", "2"});
    r.set_header("X-a", "3").add_header("Vary", "Accept").add_header("Vary", "Origin");
    CHECK(r.headers().get_all("x-a") == Views{"3"});
    CHECK(r.headers().getlist("vary") == Views{"Accept", "Origin"});
    CHECK(r.headers().size() == 3);
  }

  TEST_CASE("set_header and add_header refuse bad names and values") {
    swoop::Response r;
    CHECK_THROWS_AS(r.set_header("Bad Name", "v"), std::invalid_argument);
    CHECK_THROWS_AS(r.add_header("", "v"), std::invalid_argument);
    CHECK_THROWS_AS(r.set_header("X-A", "a\r\nSet-Cookie: x=1"), std::invalid_argument);
    CHECK_THROWS_AS(r.add_header("X-A", "a\nb"), std::invalid_argument);
    CHECK_THROWS_AS(r.headers().add("X-A", "a\0b"sv), std::invalid_argument);
    CHECK(r.headers().empty());
  }

  TEST_CASE("setting Content-Type on a text response replaces its own, in any case") {
    auto r = swoop::text("a,b");
    r.set_header("content-type", "text/csv");
    CHECK(r.headers().get_all("Content-Type") == Views{"text/csv"});
    CHECK(Access::pending_content_type(r).empty());
    auto added = swoop::html("x");
    added.add_header("X-Other", "1");
    CHECK(added.headers().get("Content-Type") == "text/html; charset=utf-8");
    CHECK(added.headers().size() == 2);
  }

  TEST_CASE("set_body replaces the body and, given one, the Content-Type") {
    auto r = swoop::text("old");
    r.set_body("new");
    CHECK(r.body() == "new");
    CHECK(r.headers().get("Content-Type") == "text/plain; charset=utf-8");
    CHECK(&r.set_body("<b/>", "application/xml") == &r);
    CHECK(r.body() == "<b/>");
    CHECK(r.headers().get_all("Content-Type") == Views{"application/xml"});
    r.body() += "!";
    CHECK(r.body() == "<b/>!");
  }

  TEST_CASE("set_body with a Content-Type it refuses changes nothing") {
    auto r = swoop::text("kept");
    CHECK_THROWS_AS(r.set_body("new", "text/plain\r\nX-Injected: 1"), std::invalid_argument);
    CHECK(r.body() == "kept");
    CHECK(r.headers().get_all("Content-Type") == Views{"text/plain; charset=utf-8"});
  }

  TEST_CASE("copies of a Response are independent") {
    auto a = swoop::text("a");
    auto b = a;
    b.set_header("X-B", "1");
    b.body() = "b";
    b.set_status(404);
    CHECK(a.status() == 200);
    CHECK(a.body() == "a");
    CHECK_FALSE(a.headers().contains("X-B"));
    CHECK(a.headers().get("Content-Type") == "text/plain; charset=utf-8");
    CHECK(b.headers().get("Content-Type") == "text/plain; charset=utf-8");
    CHECK(b.headers().size() == 2);
  }

  TEST_CASE("set_cookie and delete_cookie add Set-Cookie headers and keep the others") {
    swoop::Response r;
    r.set_cookie("theme", "dark").set_cookie("theme", "light");
    r.delete_cookie("sid");
    CHECK(r.headers().get_all("Set-Cookie") ==
          Views{"theme=dark; Path=/", "theme=light; Path=/",
                "sid=; Max-Age=0; Expires=Thu, 01 Jan 1970 00:00:00 GMT; Path=/"});
    CHECK_THROWS_AS(r.set_cookie("a b", "v"), std::invalid_argument);
    CHECK_THROWS_AS(r.set_cookie("a", "v\r\nX: y"), std::invalid_argument);
    swoop::CookieOptions bad_path;
    bad_path.path = "/;x";
    CHECK_THROWS_AS(r.delete_cookie("a", bad_path), std::invalid_argument);
    CHECK(r.headers().size() == 3);
  }
}
