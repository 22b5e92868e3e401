// SPDX-License-Identifier: MIT
// Tests for route patterns, matching, path parameters and url_for (swoop/router.hpp).
#include "swoop/router.hpp"

#include <doctest/doctest.h>

#include <atomic>
#include <cstdint>
#include <limits>
#include <stdexcept>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

namespace {

using swoop::MatchStatus;
using swoop::PathParams;
using swoop::RouteMatch;
using swoop::Router;

RouteMatch match(const Router& router, std::string_view path, std::string_view method = "GET") {
  PathParams params;
  return router.match(method, path, params);
}

bool takes(const Router& router, std::string_view path) {
  return match(router, path).status == MatchStatus::found;
}

// The message of the std::invalid_argument that add() throws, or "" when it does not throw.
std::string add_error(Router& router, std::string_view pattern,
                      std::vector<std::string> methods = {}, std::string name = {}) {
  try {
    router.add(std::move(methods), pattern, std::move(name));
  } catch (const std::invalid_argument& e) {
    return e.what();
  }
  return {};
}

std::string url_for_error(const Router& router, std::string_view name, swoop::UrlArgs params) {
  try {
    router.url_for(name, params);
  } catch (const std::invalid_argument& e) {
    return e.what();
  }
  return {};
}

bool has(std::string_view text, std::string_view part) {
  return text.find(part) != std::string_view::npos;
}

}  // namespace

TEST_SUITE("router") {
  TEST_CASE("a static route matches its path and nothing else") {
    Router router;
    const auto id = router.add({"GET"}, "/hello/world");
    PathParams params;
    const RouteMatch m = router.match("GET", "/hello/world", params);
    CHECK(m.status == MatchStatus::found);
    CHECK(m.route_id == id);
    CHECK_FALSE(m.head_from_get);
    CHECK(params.empty());
    CHECK(match(router, "/hello").status == MatchStatus::not_found);
    CHECK(match(router, "/hello/world/x").status == MatchStatus::not_found);
    CHECK(match(router, "/Hello/World").status == MatchStatus::not_found);
    CHECK(match(router, "/hello//world").status == MatchStatus::not_found);
  }

  TEST_CASE("many static routes of every length each match only their own path") {
    // The static table grows several times and hashes keys 8 bytes at a time plus a tail.
    Router router;
    std::vector<std::string> paths;
    for (std::size_t i = 0; i < 600; ++i) {
      std::string path{"/"};
      path.append(i % 40, static_cast<char>('a' + i % 26));
      path += std::to_string(i);
      paths.push_back(path);
      CHECK(router.add({"GET"}, paths.back()) == i);
    }
    for (std::size_t i = 0; i < paths.size(); ++i) {
      const std::string& path = paths[i];
      CAPTURE(path);
      CHECK(match(router, path).route_id == i);
      CHECK(takes(router, path + "/"));  // not strict: the trailing slash is ignored
      CHECK_FALSE(takes(router, path + "x"));
      CHECK_FALSE(takes(router, path.substr(0, path.size() - 1) + "#"));
    }
    CHECK_FALSE(takes(router, "/"));
    CHECK_FALSE(takes(router, "/a"));
  }

  TEST_CASE("route ids count up from zero in registration order") {
    Router router;
    CHECK(router.size() == 0);
    CHECK(router.add({"GET"}, "/a") == 0);
    CHECK(router.add({"GET"}, "/b/<x>") == 1);
    CHECK(router.add({"POST"}, "/a") == 2);
    CHECK(router.size() == 3);
    CHECK(match(router, "/a", "POST").route_id == 2);
  }

  TEST_CASE("an empty method list means GET") {
    Router router;
    router.add({}, "/a");
    CHECK(match(router, "/a", "GET").status == MatchStatus::found);
    CHECK(match(router, "/a", "POST").status == MatchStatus::method_not_allowed);
  }

  TEST_CASE("the root pattern matches only the root path") {
    Router router;
    SUBCASE("non-strict") { router.add({"GET"}, "/"); }
    SUBCASE("strict") { router.add({"GET"}, "/", {}, true); }
    CHECK(takes(router, "/"));
    CHECK_FALSE(takes(router, "//"));
    CHECK_FALSE(takes(router, "/x"));
    CHECK_FALSE(takes(router, ""));
  }

  TEST_CASE("a path that does not start with a slash matches nothing") {
    Router router;
    router.add({"GET"}, "/a");
    router.add({"GET"}, "/<x>");
    CHECK(match(router, "a").status == MatchStatus::not_found);
    CHECK(match(router, "").status == MatchStatus::not_found);
    CHECK(match(router, "*", "OPTIONS").status == MatchStatus::not_found);
  }

  TEST_CASE("a parameter captures one segment and its value views into the path") {
    Router router;
    router.add({"GET"}, "/users/<user>/posts/<post:int>");
    const std::string path = "/users/ann/posts/42";
    PathParams params;
    REQUIRE(router.match("GET", path, params).status == MatchStatus::found);
    REQUIRE(params.size() == 2);
    CHECK(params[0].first == "user");
    CHECK(params[0].second == "ann");
    CHECK(params[1].first == "post");
    CHECK(params.get("post") == "42");
    CHECK_FALSE(params.get("nope").has_value());
    CHECK(params.get("user")->data() == path.data() + 7);
    CHECK(params[2] == PathParams::value_type{});
    std::vector<std::string_view> names;
    for (const auto& [name, value] : params) names.push_back(name);
    CHECK(names == std::vector<std::string_view>{"user", "post"});
  }

  TEST_CASE("a failed match leaves the parameters empty") {
    Router router;
    router.add({"GET"}, "/a/<x>");
    PathParams params;
    REQUIRE(router.match("GET", "/a/1", params).status == MatchStatus::found);
    CHECK(router.match("GET", "/b/1", params).status == MatchStatus::not_found);
    CHECK(params.empty());
    REQUIRE(router.match("GET", "/a/1", params).status == MatchStatus::found);
    params.clear();
    CHECK(params.size() == 0);
  }

  TEST_CASE("a parameter segment does not match an empty segment") {
    Router router;
    router.add({"GET"}, "/a/<x>/b");
    router.add({"GET"}, "/c/<x:path>");
    router.add({"GET"}, "/d/<x:^.*$>");
    CHECK(takes(router, "/a/1/b"));
    CHECK_FALSE(takes(router, "/a//b"));
    CHECK_FALSE(takes(router, "/c/"));
    CHECK_FALSE(takes(router, "/c//"));
    CHECK_FALSE(takes(router, "/d/"));
    CHECK_FALSE(takes(router, "/d//"));
  }

  TEST_CASE("each parameter type takes only values of its form") {
    struct Case {
      const char* type;
      std::vector<const char*> good;
      std::vector<const char*> bad;
    };
    const std::vector<Case> cases = {
        {"str", {"a", "hello world", "-", "%zz", "\xC3\xA9"}, {}},
        {"int",
         {"0", "42", "-7", "007", "9223372036854775807", "-9223372036854775808"},
         {"+1", "-", "1.5", "1e3", "abc", "1a", " 1", "9223372036854775808", "-9223372036854775809",
          "0x10"}},
        {"float",
         {"1", "-1", "+2", "1.5", "-0.25", ".5", "5.", "1e3", "1E-3", "-1.5e+10", "0"},
         {".", "-", "+", "e3", "1e", "1e+", "1.2.3", "inf", "nan", "-inf", "1e999", "0x1p3", "1,5",
          " 1", "1f"}},
        {"uuid",
         {"123e4567-e89b-12d3-a456-426614174000", "123E4567-E89B-12D3-A456-426614174000"},
         {"123e4567e89b12d3a456426614174000", "123e4567-e89b-12d3-a456-42661417400",
          "123e4567-e89b-12d3-a456-4266141740000", "g23e4567-e89b-12d3-a456-426614174000",
          "123e4567-e89b-12d3-a456_426614174000"}},
        {"slug", {"a", "my-post", "post-2-b", "123"}, {"My-post", "-a", "a-", "a--b", "a_b", "é"}},
        {"alpha", {"abc", "ABCdef"}, {"abc1", "a-b", "\xC3\xA9", "a b"}},
    };
    for (const Case& c : cases) {
      CAPTURE(c.type);
      Router router;
      router.add({"GET"}, std::string("/v/<x:") + c.type + ">");
      for (const char* value : c.good) {
        CAPTURE(value);
        PathParams params;
        const std::string path = std::string("/v/") + value;
        REQUIRE(router.match("GET", path, params).status == MatchStatus::found);
        CHECK(params.get("x") == value);
      }
      for (const char* value : c.bad) {
        CAPTURE(value);
        CHECK(match(router, std::string("/v/") + value).status == MatchStatus::not_found);
      }
    }
  }

  TEST_CASE("a parameter without a type is a str parameter") {
    Router router;
    router.add({"GET"}, "/a/<x>");
    CHECK_THROWS_AS(router.add({"GET"}, "/a/<y:str>"), std::invalid_argument);
  }

  TEST_CASE("a path parameter takes the rest of the path with its slashes") {
    Router router;
    router.add({"GET"}, "/static/<rest:path>");
    PathParams params;
    REQUIRE(router.match("GET", "/static/css/site.css", params).status == MatchStatus::found);
    CHECK(params.get("rest") == "css/site.css");
    REQUIRE(router.match("GET", "/static/a", params).status == MatchStatus::found);
    CHECK(params.get("rest") == "a");
    REQUIRE(router.match("GET", "/static/a/b/", params).status == MatchStatus::found);
    CHECK(params.get("rest") == "a/b");
    CHECK_FALSE(takes(router, "/static"));
    CHECK_FALSE(takes(router, "/static/"));
    CHECK_FALSE(takes(router, "/static/a//b"));
    CHECK_FALSE(takes(router, "/static//a"));
    CHECK_FALSE(takes(router, "/static/a//"));
  }

  TEST_CASE("a regex parameter must match the whole segment") {
    Router router;
    router.add({"GET"}, "/code/<c:^[A-Z]{3}$>");
    router.add({"GET"}, "/n/<n:^[0-9]+>");  // no '$': regex_match still takes the whole segment
    PathParams params;
    REQUIRE(router.match("GET", "/code/ABC", params).status == MatchStatus::found);
    CHECK(params.get("c") == "ABC");
    CHECK_FALSE(takes(router, "/code/ABCD"));
    CHECK_FALSE(takes(router, "/code/abc"));
    CHECK_FALSE(takes(router, "/code/xABC"));
    CHECK(takes(router, "/n/123"));
    CHECK_FALSE(takes(router, "/n/123x"));
  }

  TEST_CASE("a regex parameter does not match a segment longer than max_regex_param_size") {
    Router router;
    router.add({"GET"}, "/r/<x:^a*$>", "r");
    const std::string longest(swoop::max_regex_param_size, 'a');
    CHECK(takes(router, "/r/" + longest));
    CHECK_FALSE(takes(router, "/r/" + longest + "a"));
    CHECK_FALSE(takes(router, "/r/" + std::string(100000, 'a')));
    CHECK_THROWS_AS(router.url_for("r", {{"x", longest + "a"}}), std::invalid_argument);
  }

  TEST_CASE("a regex parameter may contain colons, slashes and angle brackets") {
    Router router;
    router.add({"GET"}, "/r/<x:^a:b|<c>|d/e$>/end");
    CHECK(takes(router, "/r/a:b/end"));
    CHECK(takes(router, "/r/<c>/end"));
    CHECK_FALSE(takes(router, "/r/d/e/end"));
  }

  TEST_CASE("a value that does not fit its type falls through to the next route or a 404") {
    Router router;
    const auto by_id = router.add({"GET"}, "/items/<id:int>");
    SUBCASE("with no other route it is a 404") {
      CHECK(match(router, "/items/abc").status == MatchStatus::not_found);
      CHECK(match(router, "/items/abc", "POST").status == MatchStatus::not_found);
    }
    SUBCASE("a less specific route takes it") {
      const auto by_name = router.add({"GET"}, "/items/<name>");
      CHECK(match(router, "/items/abc").route_id == by_name);
      CHECK(match(router, "/items/12").route_id == by_id);
    }
  }

  TEST_CASE("a static segment beats a parameter whatever the registration order") {
    Router router;
    const auto param = router.add({"GET"}, "/users/<id>");
    const auto fixed = router.add({"GET"}, "/users/me");
    const auto deep_param = router.add({"GET"}, "/<a>/<b>/x");
    const auto deep_fixed = router.add({"GET"}, "/users/<b>/x");
    CHECK(match(router, "/users/me").route_id == fixed);
    CHECK(match(router, "/users/you").route_id == param);
    CHECK(match(router, "/users/me/x").route_id == deep_fixed);
    CHECK(match(router, "/groups/me/x").route_id == deep_param);
  }

  TEST_CASE("more specific parameter types are tried first") {
    Router router;
    // Registered from least to most specific, so that order does not explain the outcome.
    const auto rest = router.add({"GET"}, "/t/<x:path>");
    const auto str = router.add({"GET"}, "/t/<x>");
    const auto alpha = router.add({"GET"}, "/t/<x:alpha>");
    const auto slug = router.add({"GET"}, "/t/<x:slug>");
    const auto regex = router.add({"GET"}, "/t/<x:^R[0-9]+$>");
    const auto uuid = router.add({"GET"}, "/t/<x:uuid>");
    const auto floating = router.add({"GET"}, "/t/<x:float>");
    const auto integer = router.add({"GET"}, "/t/<x:int>");
    CHECK(match(router, "/t/12").route_id == integer);
    CHECK(match(router, "/t/1.5").route_id == floating);
    CHECK(match(router, "/t/123e4567-e89b-12d3-a456-426614174000").route_id == uuid);
    CHECK(match(router, "/t/R12").route_id == regex);
    CHECK(match(router, "/t/my-post").route_id == slug);
    CHECK(match(router, "/t/abc").route_id == slug);
    CHECK(match(router, "/t/Abc").route_id == alpha);
    CHECK(match(router, "/t/a b").route_id == str);
    CHECK(match(router, "/t/a/b").route_id == rest);
  }

  TEST_CASE("regex parameters are tried in registration order") {
    Router router;
    const auto first = router.add({"GET"}, "/r/<x:^a.*$>");
    const auto second = router.add({"GET"}, "/r/<x:^.*b$>");
    CHECK(match(router, "/r/ab").route_id == first);
    CHECK(match(router, "/r/xb").route_id == second);
  }

  TEST_CASE("matching backtracks so that the first complete match wins") {
    Router router;
    SUBCASE("between parameter types") {
      const auto b = router.add({"GET"}, "/a/<x:int>/b");
      const auto c = router.add({"GET"}, "/a/<y>/c");
      PathParams params;
      CHECK(router.match("GET", "/a/1/b", params).route_id == b);
      CHECK(params.get("x") == "1");
      CHECK(router.match("GET", "/a/1/c", params).route_id == c);
      CHECK(params.get("y") == "1");
      CHECK_FALSE(params.get("x").has_value());
      CHECK(match(router, "/a/1/d").status == MatchStatus::not_found);
    }
    SUBCASE("from a static branch to a parameter branch") {
      router.add({"GET"}, "/a/b/<z:int>");
      const auto d = router.add({"GET"}, "/a/<x>/d");
      PathParams params;
      CHECK(router.match("GET", "/a/b/d", params).route_id == d);
      CHECK(params.get("x") == "b");
    }
    SUBCASE("from a fully static route to a parameter route") {
      router.add({"GET"}, "/a/b/c");
      const auto d = router.add({"GET"}, "/a/<x>/c/d");
      CHECK(match(router, "/a/b/c/d").route_id == d);
    }
    SUBCASE("to a path parameter last") {
      router.add({"GET"}, "/f/<x>/<y:int>");
      const auto rest = router.add({"GET"}, "/f/<p:path>");
      PathParams params;
      CHECK(router.match("GET", "/f/a/b", params).route_id == rest);
      CHECK(params.get("p") == "a/b");
    }
  }

  TEST_CASE("a non-strict route matches with or without a trailing slash") {
    Router router;
    const auto foo = router.add({"GET"}, "/foo");
    const auto bar = router.add({"GET"}, "/bar/");
    const auto user = router.add({"GET"}, "/u/<id>");
    CHECK(match(router, "/foo").route_id == foo);
    CHECK(match(router, "/foo/").route_id == foo);
    CHECK(match(router, "/bar").route_id == bar);
    CHECK(match(router, "/bar/").route_id == bar);
    PathParams params;
    CHECK(router.match("GET", "/u/5/", params).route_id == user);
    CHECK(params.get("id") == "5");
    CHECK_FALSE(takes(router, "/foo//"));
    CHECK_FALSE(takes(router, "/u/5//"));
  }

  TEST_CASE("a strict route matches only as written") {
    SUBCASE("strict by the router's default") {
      Router router{true};
      router.add({"GET"}, "/foo");
      router.add({"GET"}, "/bar/");
      router.add({"GET"}, "/u/<id>");
      CHECK(takes(router, "/foo"));
      CHECK_FALSE(takes(router, "/foo/"));
      CHECK(takes(router, "/bar/"));
      CHECK_FALSE(takes(router, "/bar"));
      CHECK(takes(router, "/u/1"));
      CHECK_FALSE(takes(router, "/u/1/"));
    }
    SUBCASE("strict for one route") {
      Router router;
      router.add({"GET"}, "/foo", {}, true);
      router.add({"GET"}, "/bar");
      CHECK_FALSE(takes(router, "/foo/"));
      CHECK(takes(router, "/bar/"));
    }
    SUBCASE("non-strict for one route of a strict router") {
      Router router{true};
      router.add({"GET"}, "/foo", {}, false);
      CHECK(takes(router, "/foo/"));
    }
  }

  TEST_CASE("two strict routes may differ only by a trailing slash") {
    Router router;
    const auto bare = router.add({"GET"}, "/foo", {}, true);
    const auto slashed = router.add({"GET"}, "/foo/", {}, true);
    CHECK(match(router, "/foo").route_id == bare);
    CHECK(match(router, "/foo/").route_id == slashed);
    const auto post = router.add({"POST"}, "/x/<id>", {}, true);
    CHECK(match(router, "/x/1/", "POST").status == MatchStatus::not_found);
    CHECK(match(router, "/x/1", "POST").route_id == post);
  }

  TEST_CASE("a path with a known path but another method is not allowed") {
    Router router;
    router.add({"GET", "POST"}, "/items");
    router.add({"DELETE"}, "/items/<id:int>");
    router.add({"PURGE", "GET"}, "/cache/<key>");
    RouteMatch m = match(router, "/items", "PUT");
    CHECK(m.status == MatchStatus::method_not_allowed);
    CHECK(m.allow == "GET, HEAD, OPTIONS, POST");
    m = match(router, "/items/3", "GET");
    CHECK(m.status == MatchStatus::method_not_allowed);
    CHECK(m.allow == "DELETE, OPTIONS");
    CHECK(match(router, "/items/x", "GET").status == MatchStatus::not_found);
    m = match(router, "/cache/k", "POST");
    CHECK(m.allow == "GET, HEAD, OPTIONS, PURGE");
    CHECK(match(router, "/cache/k", "PURGE").status == MatchStatus::found);
  }

  TEST_CASE("the allow list only names routes that take the trailing slash as given") {
    Router router;
    router.add({"GET"}, "/foo", {}, true);
    router.add({"POST"}, "/foo/", {}, true);
    CHECK(match(router, "/foo", "PUT").allow == "GET, HEAD, OPTIONS");
    CHECK(match(router, "/foo/", "PUT").allow == "OPTIONS, POST");
  }

  TEST_CASE("OPTIONS without an OPTIONS route is answered automatically") {
    Router router;
    router.add({"GET"}, "/a");
    const auto explicit_options = router.add({"OPTIONS"}, "/b");
    RouteMatch m = match(router, "/a", "OPTIONS");
    CHECK(m.status == MatchStatus::auto_options);
    CHECK(m.allow == "GET, HEAD, OPTIONS");
    m = match(router, "/b", "OPTIONS");
    CHECK(m.status == MatchStatus::found);
    CHECK(m.route_id == explicit_options);
    CHECK(match(router, "/c", "OPTIONS").status == MatchStatus::not_found);
  }

  TEST_CASE("HEAD is answered by the GET route unless the path has a HEAD route") {
    Router router;
    const auto get_a = router.add({"GET"}, "/a");
    const auto get_b = router.add({"GET"}, "/b/<x>");
    const auto head_b = router.add({"HEAD"}, "/b/<y>");
    router.add({"POST"}, "/c");
    RouteMatch m = match(router, "/a", "HEAD");
    CHECK(m.status == MatchStatus::found);
    CHECK(m.route_id == get_a);
    CHECK(m.head_from_get);
    m = match(router, "/b/1", "HEAD");
    CHECK(m.route_id == head_b);
    CHECK_FALSE(m.head_from_get);
    m = match(router, "/b/1", "GET");
    CHECK(m.route_id == get_b);
    CHECK_FALSE(m.head_from_get);
    m = match(router, "/c", "HEAD");
    CHECK(m.status == MatchStatus::method_not_allowed);
    CHECK(m.allow == "OPTIONS, POST");
  }

  TEST_CASE("a route further down takes a method the more specific route lacks") {
    Router router;
    const auto get = router.add({"GET"}, "/a/<x:int>");
    const auto post = router.add({"POST"}, "/a/<y>");
    CHECK(match(router, "/a/5", "GET").route_id == get);
    CHECK(match(router, "/a/5", "POST").route_id == post);
    const RouteMatch m = match(router, "/a/5", "PUT");
    CHECK(m.status == MatchStatus::method_not_allowed);
    CHECK(m.allow == "GET, HEAD, OPTIONS");
  }

  TEST_CASE("a malformed pattern is rejected with a message naming it") {
    std::string pattern;
    SUBCASE("empty") { pattern = ""; }
    SUBCASE("no leading slash") { pattern = "a/b"; }
    SUBCASE("an empty segment") { pattern = "/a//b"; }
    SUBCASE("a trailing empty segment") { pattern = "/a//"; }
    SUBCASE("a double slash only") { pattern = "//"; }
    SUBCASE("an unterminated parameter") { pattern = "/a/<x"; }
    SUBCASE("text after a parameter") { pattern = "/a/<x>.txt"; }
    SUBCASE("text before a parameter") { pattern = "/a/file-<x>"; }
    SUBCASE("a stray closing bracket") { pattern = "/a/x>"; }
    SUBCASE("an empty parameter") { pattern = "/<>"; }
    SUBCASE("a missing name") { pattern = "/<:int>"; }
    SUBCASE("a name starting with a digit") { pattern = "/<1x>"; }
    SUBCASE("a name with a hyphen") { pattern = "/<a-b>"; }
    SUBCASE("an empty type") { pattern = "/<x:>"; }
    SUBCASE("an unknown type") { pattern = "/<x:number>"; }
    SUBCASE("a type in the wrong case") { pattern = "/<x:INT>"; }
    SUBCASE("a duplicate parameter name") { pattern = "/<x>/<x:int>"; }
    SUBCASE("a path parameter that is not last") { pattern = "/<p:path>/a"; }
    SUBCASE("an invalid regex") { pattern = "/<x:^[a$>"; }
    SUBCASE("too many parameters") {
      pattern.clear();
      for (int i = 0; i <= static_cast<int>(swoop::max_path_params); ++i) {
        pattern += "/<p" + std::to_string(i) + ">";
      }
    }
    Router router;
    const std::string error = add_error(router, pattern);
    CAPTURE(error);
    CHECK(has(error, "'" + pattern + "'"));
    CHECK(router.size() == 0);
  }

  TEST_CASE("a pattern may have as many parameters as max_path_params") {
    std::string pattern;
    std::string path;
    for (std::size_t i = 0; i < swoop::max_path_params; ++i) {
      pattern.append("/<p").append(std::to_string(i)).append(":int>");
      path.append("/").append(std::to_string(i));
    }
    Router router;
    router.add({"GET"}, pattern);
    PathParams params;
    REQUIRE(router.match("GET", path, params).status == MatchStatus::found);
    REQUIRE(params.size() == swoop::max_path_params);
    CHECK(params.get("p15") == "15");
    CHECK(params[15].first == "p15");
  }

  TEST_CASE("a method that is not an upper-case token is rejected") {
    std::string method;
    SUBCASE("empty") { method = ""; }
    SUBCASE("lower case") { method = "get"; }
    SUBCASE("a space") { method = "GE T"; }
    SUBCASE("a separator") { method = "GET/"; }
    Router router;
    const std::string error = add_error(router, "/a", {method});
    CHECK(has(error, "'/a'"));
    CHECK(router.size() == 0);
  }

  TEST_CASE("a route that takes the same paths and method as another is a conflict") {
    Router router;
    router.add({"GET", "POST"}, "/a/<x:int>");
    router.add({"GET"}, "/s");
    std::string pattern;
    std::string existing = "/a/<x:int>";
    std::vector<std::string> methods = {"POST"};
    bool strict = false;
    SUBCASE("another parameter name") { pattern = "/a/<y:int>"; }
    SUBCASE("a trailing slash on a non-strict route") { pattern = "/a/<y:int>/"; }
    SUBCASE("a strict route against a non-strict one") {
      pattern = "/a/<y:int>/";
      strict = true;
    }
    SUBCASE("one of several methods") {
      pattern = "/a/<x:int>";
      methods = {"PUT", "GET"};
    }
    SUBCASE("a static route") {
      pattern = "/s/";
      existing = "/s";
      methods = {"GET"};
    }
    std::string error;
    try {
      router.add(methods, pattern, {}, strict);
    } catch (const std::invalid_argument& e) {
      error = e.what();
    }
    CAPTURE(error);
    CHECK(has(error, "'" + pattern + "'"));
    CHECK(has(error, "'" + existing + "'"));
    CHECK(router.size() == 2);
  }

  TEST_CASE("routes that differ by method, type or regex do not conflict") {
    Router router;
    router.add({"GET"}, "/a/<x:int>");
    CHECK_NOTHROW(router.add({"DELETE"}, "/a/<y:int>"));
    CHECK_NOTHROW(router.add({"GET"}, "/a/<y:float>"));
    CHECK_NOTHROW(router.add({"GET"}, "/a/<y:^a$>"));
    CHECK_NOTHROW(router.add({"GET"}, "/a/<y:^b$>"));
    CHECK_NOTHROW(router.add({"GET"}, "/a/<y:^a$>/x"));
    CHECK_NOTHROW(router.add({"GET", "GET"}, "/b"));
    CHECK(router.size() == 7);
  }

  TEST_CASE("a rejected route leaves the router as it was") {
    Router router;
    router.add({"GET"}, "/a/<x:int>", "a");
    CHECK_FALSE(add_error(router, "/a/<y:int>/<z:^[$>").empty());
    CHECK_FALSE(add_error(router, "/a/<y:int>").empty());
    CHECK_FALSE(add_error(router, "/b/<y:int>", {"GET"}, "a").empty());
    CHECK(router.size() == 1);
    CHECK(match(router, "/b/1").status == MatchStatus::not_found);
    CHECK(match(router, "/a/1", "POST").allow == "GET, HEAD, OPTIONS");
    CHECK(router.add({"GET"}, "/b/<y:int>", "b") == 1);
  }

  TEST_CASE("a route name may be used only once") {
    Router router;
    router.add({"GET"}, "/a", "home");
    const std::string error = add_error(router, "/b", {"GET"}, "home");
    CHECK(has(error, "'home'"));
    CHECK(has(error, "'/b'"));
    CHECK(has(error, "'/a'"));
    CHECK_NOTHROW(router.add({"GET"}, "/c"));
    CHECK_NOTHROW(router.add({"GET"}, "/d"));
  }

  TEST_CASE("url_for builds the path of a named route") {
    Router router;
    router.add({"GET"}, "/", "root");
    router.add({"GET"}, "/items/<id:int>", "item");
    router.add({"GET"}, "/dir/<name>/", "dir");
    router.add({"GET"}, "/static/<rest:path>", "static");
    router.add({"GET"}, "/hello world/<who>", "spaced");
    router.add({"GET"}, "/p/<x:float>/<c:^[a-z ]+$>/<u:uuid>", "mixed");
    CHECK(router.url_for("root") == "/");
    CHECK(router.url_for("item", {{"id", 42}}) == "/items/42");
    CHECK(router.url_for("item", {{"id", "-7"}}) == "/items/-7");
    CHECK(router.url_for("item", {{"id", std::int64_t{-9223372036854775807 - 1}}}) ==
          "/items/-9223372036854775808");
    CHECK(router.url_for("dir", {{"name", std::string("a b")}}) == "/dir/a%20b/");
    CHECK(router.url_for("static", {{"rest", "css/a b.css"}}) == "/static/css/a%20b.css");
    CHECK(router.url_for("spaced", {{"who", "\xC3\xA9"}}) == "/hello%20world/%C3%A9");
    CHECK(router.url_for(
              "mixed", {{"u", "123e4567-e89b-12d3-a456-426614174000"}, {"x", 0.5}, {"c", "a b"}}) ==
          "/p/0.5/a%20b/123e4567-e89b-12d3-a456-426614174000");
  }

  TEST_CASE("url_for appends the query in the given order, percent-encoded") {
    Router router;
    router.add({"GET"}, "/search", "search");
    CHECK(router.url_for("search", {}, {{"q", "a b&c"}, {"page", 2}, {"q", "x"}}) ==
          "/search?q=a%20b%26c&page=2&q=x");
    CHECK(router.url_for("search", {}, {{"flag", true}, {"c", 'z'}, {"n", 2.5f}}) ==
          "/search?flag=true&c=z&n=2.5");
  }

  TEST_CASE("url_for output matches its route again") {
    Router router;
    const auto id = router.add({"GET"}, "/f/<a:slug>/<b:float>/<rest:path>", "f");
    const std::string url =
        router.url_for("f", {{"a", "my-post"}, {"b", -1.25e-5}, {"rest", "x/y"}});
    PathParams params;
    REQUIRE(router.match("GET", url, params).route_id == id);
    CHECK(params.get("b") == "-1.25e-05");
    CHECK(params.get("rest") == "x/y");
  }

  TEST_CASE("url_for rejects unknown names, missing or extra parameters and unfit values") {
    Router router;
    router.add({"GET"}, "/items/<id:int>/<tag:alpha>", "item");
    router.add({"GET"}, "/s/<x>", "s");
    router.add({"GET"}, "/f/<x:float>", "f");
    router.add({"GET"}, "/p/<x:path>", "p");
    router.add({"GET"}, "/r/<x:^[a-z]+$>", "r");
    CHECK(has(url_for_error(router, "nope", {}), "'nope'"));
    CHECK(has(url_for_error(router, "item", {{"id", 1}}), "'tag'"));
    CHECK(has(url_for_error(router, "item", {{"id", 1}, {"tag", "a"}, {"x", 2}}), "'x'"));
    CHECK(has(url_for_error(router, "item", {{"id", 1}, {"tag", "a"}, {"id", 2}}), "'id'"));
    CHECK(has(url_for_error(router, "item", {{"id", "one"}, {"tag", "a"}}), "'one'"));
    CHECK(has(url_for_error(router, "item", {{"id", 1.5}, {"tag", "a"}}), "<id:int>"));
    CHECK(has(url_for_error(router, "item", {{"id", 1}, {"tag", "a1"}}), "<tag:alpha>"));
    CHECK_FALSE(url_for_error(router, "s", {{"x", ""}}).empty());
    CHECK_FALSE(url_for_error(router, "s", {{"x", "a/b"}}).empty());
    CHECK_FALSE(
        url_for_error(router, "f", {{"x", std::numeric_limits<double>::infinity()}}).empty());
    CHECK_FALSE(url_for_error(router, "p", {{"x", "/etc"}}).empty());
    CHECK_FALSE(url_for_error(router, "p", {{"x", "a//b"}}).empty());
    CHECK_FALSE(url_for_error(router, "r", {{"x", "A"}}).empty());
    CHECK(url_for_error(router, "r", {{"x", "a"}}).empty());
  }

  TEST_CASE("match may run on several threads at once") {
    Router router;
    router.add({"GET"}, "/a/<x:int>", "a");
    router.add({"GET"}, "/a/<x:^[a-z]+$>");
    router.add({"GET"}, "/static");
    std::atomic<int> failures{0};
    std::vector<std::thread> threads;
    for (int t = 0; t < 4; ++t) {
      threads.emplace_back([&router, &failures] {
        for (int i = 0; i < 500; ++i) {
          PathParams params;
          const std::string path = "/a/" + std::to_string(i);
          const bool ok = router.match("GET", path, params).route_id == 0 &&
                          params.get("x") == path.substr(3) &&
                          router.match("GET", "/a/abc", params).route_id == 1 &&
                          router.match("GET", "/static/", params).route_id == 2 &&
                          router.url_for("a", {{"x", i}}) == path;
          if (!ok) ++failures;
        }
      });
    }
    for (std::thread& thread : threads) thread.join();
    CHECK(failures == 0);
  }

  TEST_CASE("a moved router keeps its routes") {
    Router router;
    router.add({"GET"}, "/a/<x>", "a");
    Router moved = std::move(router);
    CHECK(moved.size() == 1);
    CHECK(takes(moved, "/a/1"));
    CHECK(moved.url_for("a", {{"x", 1}}) == "/a/1");
    Router assigned;
    assigned = std::move(moved);
    CHECK(takes(assigned, "/a/2"));
  }
}
