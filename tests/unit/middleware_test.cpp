// SPDX-License-Identifier: MIT
// Tests of swoop/middleware.hpp: a Middleware's kind follows from its callable's signature.
#include <doctest/doctest.h>

#include <optional>
#include <type_traits>

#include "support/loop_fixture.hpp"
#include "swoop/swoop.hpp"

using swoop::MiddlewareKind;
using swoop::Request;
using swoop::Response;
using swoop::Task;

namespace {

void log_request(Request&) {}
std::optional<Response> deny(Request&) { return swoop::text("no", 403); }
Task<void> async_log(Request&) { co_return; }
Task<std::optional<Response>> async_deny(Request&) { co_return swoop::text("later", 401); }
void stamp(Request&, Response& res) { res.set_header("X-Stamp", "1"); }
Task<void> async_stamp(Request&, Response& res) {
  res.set_header("X-Async", "1");
  co_return;
}
Task<Response> around(Request& req, swoop::Next next) { co_return co_await next(req); }

struct Functor {
  std::optional<Response> operator()(Request&) const { return std::nullopt; }
};

template <typename F>
constexpr bool accepted = std::is_constructible_v<swoop::Middleware, F>;

}  // namespace

TEST_SUITE("middleware") {
  TEST_CASE("a callable taking the request alone is request middleware, sync or async") {
    CHECK(swoop::Middleware{log_request}.kind() == MiddlewareKind::request);
    CHECK(swoop::Middleware{deny}.kind() == MiddlewareKind::request);
    CHECK(swoop::Middleware{async_log}.kind() == MiddlewareKind::request);
    CHECK(swoop::Middleware{async_deny}.kind() == MiddlewareKind::request);
    CHECK(swoop::Middleware{Functor{}}.kind() == MiddlewareKind::request);
    CHECK(swoop::Middleware{[n = 0](Request&) mutable { ++n; }}.kind() == MiddlewareKind::request);
    CHECK(swoop::Middleware{[](const Request&) {}}.kind() == MiddlewareKind::request);
  }

  TEST_CASE("a callable taking the request and the response is response middleware") {
    CHECK(swoop::Middleware{stamp}.kind() == MiddlewareKind::response);
    CHECK(swoop::Middleware{async_stamp}.kind() == MiddlewareKind::response);
    CHECK(swoop::Middleware{[](Request&, Response&) {}}.kind() == MiddlewareKind::response);
  }

  TEST_CASE("a callable taking the request and Next and returning Task of Response is onion") {
    CHECK(swoop::Middleware{around}.kind() == MiddlewareKind::onion);
    swoop::Middleware lambda{[](Request& req, swoop::Next next) -> Task<Response> {
      auto res = co_await next(req);
      res.set_header("X-Seen", "1");
      co_return res;
    }};
    CHECK(lambda.kind() == MiddlewareKind::onion);
  }

  TEST_CASE("a Middleware is built implicitly from a callable, and a copy keeps its kind") {
    static_assert(std::is_convertible_v<decltype(&stamp), swoop::Middleware>);
    swoop::Middleware original = around;
    swoop::Middleware copy = original;
    CHECK(copy.kind() == MiddlewareKind::onion);
    copy = swoop::Middleware{deny};
    CHECK(copy.kind() == MiddlewareKind::request);
    CHECK(original.kind() == MiddlewareKind::onion);
  }

  TEST_CASE("callables of any other shape are not middleware") {
    static_assert(!accepted<int>);
    static_assert(!accepted<decltype([](Request&) { return swoop::text("x"); })>);
    static_assert(!accepted<decltype([](Request&) { return true; })>);
    static_assert(!accepted<decltype([](Request&) -> Task<Response> { co_return Response{}; })>);
    static_assert(!accepted<decltype([](Request&) -> std::optional<int> { return 1; })>);
    static_assert(!accepted<decltype([](Request&, Response&) { return true; })>);
    static_assert(!accepted<decltype([](Request&, Response&) { return Response{}; })>);
    static_assert(!accepted<decltype([](Request&, swoop::Next) { return Response{}; })>);
    static_assert(!accepted<decltype([](Request&, swoop::Next) -> Task<std::optional<Response>> {
      co_return std::nullopt;
    })>);
    static_assert(!accepted<decltype([](int) {})>);
    static_assert(!accepted<decltype([]() {})>);
    static_assert(!accepted<decltype([](Request&, Response&, int) {})>);
    static_assert(accepted<decltype(&deny)>);
    static_assert(accepted<decltype([](Request& r, swoop::Next n) { return n(r); })>);
  }

  TEST_CASE_FIXTURE(swoop::test::LoopFixture,
                    "request middleware continues with nothing or answers with its Response") {
    Request req;
    CHECK_FALSE(swoop::sync_wait(loop, swoop::Middleware{log_request}.on_request(req)));
    CHECK_FALSE(swoop::sync_wait(loop, swoop::Middleware{async_log}.on_request(req)));
    CHECK_FALSE(swoop::sync_wait(loop, swoop::Middleware{Functor{}}.on_request(req)));
    auto now = swoop::sync_wait(loop, swoop::Middleware{deny}.on_request(req));
    REQUIRE(now.has_value());
    CHECK(now->status() == 403);
    CHECK(now->body() == "no");
    auto later = swoop::sync_wait(loop, swoop::Middleware{async_deny}.on_request(req));
    REQUIRE(later.has_value());
    CHECK(later->status() == 401);
    CHECK(later->body() == "later");
  }

  TEST_CASE_FIXTURE(swoop::test::LoopFixture,
                    "response middleware may modify or replace the response it is given") {
    Request req;
    Response res = swoop::text("body");
    swoop::sync_wait(loop, swoop::Middleware{stamp}.on_response(req, res));
    swoop::sync_wait(loop, swoop::Middleware{async_stamp}.on_response(req, res));
    CHECK(res.headers().get("X-Stamp") == "1");
    CHECK(res.headers().get("X-Async") == "1");
    CHECK(res.body() == "body");
    swoop::Middleware replace{[](Request&, Response& r) { r = swoop::text("replaced", 500); }};
    swoop::sync_wait(loop, replace.on_response(req, res));
    CHECK(res.status() == 500);
    CHECK(res.body() == "replaced");
    CHECK_FALSE(res.headers().contains("X-Stamp"));
  }

  TEST_CASE_FIXTURE(swoop::test::LoopFixture, "copies of a Middleware share one callable") {
    int seen = 0;
    swoop::Middleware a{[n = 0, &seen](Request&) mutable { seen = ++n; }};
    swoop::Middleware b = a;
    Request req;
    CHECK_FALSE(swoop::sync_wait(loop, a.on_request(req)));
    CHECK(seen == 1);
    CHECK_FALSE(swoop::sync_wait(loop, b.on_request(req)));
    CHECK(seen == 2);  // b counted on from where a left off: the same state
  }
}
