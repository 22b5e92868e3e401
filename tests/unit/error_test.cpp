// SPDX-License-Identifier: MIT
// Tests of swoop/error.hpp: HttpError, StatusError<N> and abort, the error categories, Timeout.
#include <doctest/doctest.h>
#include <uv.h>

#include <stdexcept>
#include <string>
#include <system_error>
#include <type_traits>
#include <utility>

#include "swoop/swoop.hpp"

namespace {

// The HttpError abort throws, caught so that its fields can be checked.
swoop::HttpError aborted(swoop::StatusCode status, std::string message = {}) {
  try {
    swoop::abort(status, std::move(message));
  } catch (const swoop::HttpError& e) {
    return e;
  }
}

}  // namespace

TEST_SUITE("error") {
  TEST_CASE("an HttpError keeps its status and message and is not quiet by default") {
    swoop::HttpError e{404, "no such item"};
    CHECK(e.status() == 404);
    CHECK(std::string{e.what()} == "no such item");
    CHECK(e.headers().empty());
    CHECK(e.context_json().empty());
    CHECK_FALSE(e.is_quiet());
    static_assert(std::is_base_of_v<std::runtime_error, swoop::HttpError>);
  }

  TEST_CASE("an HttpError carries its extra headers in order, its quiet flag and JSON context") {
    swoop::HttpError e{
        429, "slow down", {{"Retry-After", "5"}, {"X-Limit", "10"}}, true, R"({"limit":10})"};
    CHECK(e.status() == 429);
    CHECK(std::string{e.what()} == "slow down");
    CHECK(e.headers() == swoop::HeaderList{{"Retry-After", "5"}, {"X-Limit", "10"}});
    CHECK(e.is_quiet());
    CHECK(e.context_json() == R"({"limit":10})");
    CHECK(swoop::HttpError{swoop::Status::conflict, "taken"}.status() == 409);
  }

  TEST_CASE("a named error has its fixed status and the reason phrase as its default message") {
    CHECK(swoop::BadRequest{}.status() == 400);
    CHECK(std::string{swoop::BadRequest{}.what()} == "Bad Request");
    CHECK(swoop::Unauthorized{}.status() == 401);
    CHECK(std::string{swoop::Forbidden{}.what()} == "Forbidden");
    CHECK(swoop::NotFound{}.status() == 404);
    CHECK(std::string{swoop::NotFound{}.what()} == "Not Found");
    CHECK(std::string{swoop::MethodNotAllowed{}.what()} == "Method Not Allowed");
    CHECK(swoop::RequestTimeout{}.status() == 408);
    CHECK(swoop::Conflict{}.status() == 409);
    CHECK(swoop::PayloadTooLarge{}.status() == 413);
    CHECK(std::string{swoop::PayloadTooLarge{}.what()} == "Content Too Large");
    CHECK(swoop::UnsupportedMediaType{}.status() == 415);
    CHECK(std::string{swoop::UnprocessableContent{}.what()} == "Unprocessable Content");
    CHECK(swoop::TooManyRequests{}.status() == 429);
    CHECK(std::string{swoop::InternalServerError{}.what()} == "Internal Server Error");
    CHECK(swoop::NotImplemented{}.status() == 501);
    CHECK(swoop::ServiceUnavailable{}.status() == 503);
    CHECK(std::string{swoop::ServiceUnavailable{}.what()} == "Service Unavailable");
    CHECK(std::string{swoop::StatusError<418>{}.what()} == "I'm a teapot");
  }

  TEST_CASE("a named error with a status that has no reason phrase says Error") {
    swoop::StatusError<499> e;
    CHECK(e.status() == 499);
    CHECK(std::string{e.what()} == "Error");
  }

  TEST_CASE("a named error is quiet below 500 and logged from 500 on") {
    CHECK(swoop::BadRequest{}.is_quiet());
    CHECK(swoop::NotFound{}.is_quiet());
    CHECK(swoop::StatusError<499>{}.is_quiet());
    CHECK_FALSE(swoop::InternalServerError{}.is_quiet());
    CHECK_FALSE(swoop::ServiceUnavailable{}.is_quiet());
  }

  TEST_CASE("a named error takes a message, headers and a JSON context") {
    swoop::Unauthorized e{"log in first", {{"WWW-Authenticate", "Bearer"}}, R"({"field":"token"})"};
    CHECK(e.status() == 401);
    CHECK(std::string{e.what()} == "log in first");
    CHECK(e.headers() == swoop::HeaderList{{"WWW-Authenticate", "Bearer"}});
    CHECK(e.context_json() == R"({"field":"token"})");
    CHECK(e.is_quiet());
  }

  TEST_CASE("named errors are distinct types that are all caught as HttpError") {
    static_assert(std::is_same_v<swoop::NotFound, swoop::StatusError<404>>);
    static_assert(!std::is_same_v<swoop::NotFound, swoop::BadRequest>);
    static_assert(!std::is_base_of_v<swoop::BadRequest, swoop::NotFound>);
    static_assert(std::is_base_of_v<swoop::HttpError, swoop::ServiceUnavailable>);
    static_assert(!std::is_convertible_v<std::string, swoop::NotFound>, "the message is explicit");
    CHECK_THROWS_WITH_AS(throw swoop::NotFound{"no item 7"}, "no item 7", swoop::HttpError);
  }

  TEST_CASE("abort throws an HttpError whose message defaults to the reason phrase") {
    auto e = aborted(403, "not yours");
    CHECK(e.status() == 403);
    CHECK(std::string{e.what()} == "not yours");
    CHECK(e.headers().empty());
    CHECK(e.context_json().empty());
    CHECK(std::string{aborted(404).what()} == "Not Found");
    CHECK(std::string{aborted(404, "").what()} == "Not Found");
    CHECK(std::string{aborted(swoop::Status::bad_gateway).what()} == "Bad Gateway");
    CHECK(std::string{aborted(599).what()} == "Error");
  }

  TEST_CASE("abort is quiet below 500 and logged from 500 on") {
    CHECK(aborted(400).is_quiet());
    CHECK(aborted(499).is_quiet());
    CHECK_FALSE(aborted(500).is_quiet());
    CHECK_FALSE(aborted(503, "down").is_quiet());
  }

  TEST_CASE("abort throws a plain HttpError, not the named error of its status") {
    CHECK_THROWS_AS(swoop::abort(404), swoop::HttpError);
    try {
      swoop::abort(404);
    } catch (const swoop::NotFound&) {
      FAIL("abort threw a NotFound");
    } catch (const swoop::HttpError& e) {
      CHECK(e.status() == 404);
    }
  }

  TEST_CASE("swoop errc values become error codes of the swoop category") {
    std::error_code ec = swoop::errc::timed_out;
    CHECK(ec.value() == 1);
    CHECK(&ec.category() == &swoop::swoop_category());
    CHECK(std::string{ec.category().name()} == "swoop");
    CHECK(ec == swoop::make_error_code(swoop::errc::timed_out));
    CHECK(ec != swoop::errc::cancelled);
    CHECK(ec != std::make_error_code(std::errc::timed_out));
    CHECK(static_cast<bool>(ec));
    CHECK(swoop::make_error_code(swoop::errc::cancelled).value() == 2);
    CHECK(swoop::make_error_code(swoop::errc::protocol_error).value() == 5);
  }

  TEST_CASE("each swoop errc has its own message") {
    CHECK(std::error_code{swoop::errc::timed_out}.message() == "operation timed out");
    CHECK(std::error_code{swoop::errc::cancelled}.message() == "operation cancelled");
    CHECK(std::error_code{swoop::errc::connection_closed}.message() == "connection closed by peer");
    CHECK(std::error_code{swoop::errc::body_too_large}.message() == "body too large");
    CHECK(std::error_code{swoop::errc::protocol_error}.message() == "protocol error");
  }

  TEST_CASE("uv_error keeps the negative libuv status under the uv category with libuv's message") {
    auto ec = swoop::uv_error(UV_EOF);
    CHECK(ec.value() == UV_EOF);
    CHECK(&ec.category() == &swoop::uv_category());
    CHECK(std::string{ec.category().name()} == "uv");
    CHECK(ec.message() == uv_strerror(UV_EOF));
    CHECK(swoop::uv_error(UV_EADDRINUSE).message() == uv_strerror(UV_EADDRINUSE));
    CHECK(swoop::uv_error(UV_EOF) != swoop::uv_error(UV_EADDRINUSE));
    CHECK(&swoop::uv_category() != &swoop::swoop_category());
  }

  TEST_CASE("SystemError, Timeout and Cancelled carry their code or fixed message") {
    swoop::SystemError e{swoop::uv_error(UV_EADDRINUSE), "bind"};
    CHECK(e.code() == swoop::uv_error(UV_EADDRINUSE));
    CHECK(std::string{e.what()}.starts_with("bind"));
    static_assert(std::is_base_of_v<std::system_error, swoop::SystemError>);
    CHECK(std::string{swoop::Timeout{}.what()} == "operation timed out");
    CHECK(std::string{swoop::Cancelled{}.what()} == "task cancelled");
    static_assert(!std::is_base_of_v<swoop::HttpError, swoop::Timeout>);
    static_assert(!std::is_base_of_v<swoop::Timeout, swoop::Cancelled>);
  }
}
