// SPDX-License-Identifier: MIT
// Tests of swoop/status.hpp: Status and an int are taken alike wherever a status is.
#include <doctest/doctest.h>

#include <stdexcept>

#include "swoop/swoop.hpp"

using swoop::Status;

TEST_SUITE("status") {
  TEST_CASE("a StatusCode holds an int or a Status alike") {
    static_assert(swoop::StatusCode{Status::not_found} == 404);
    static_assert(swoop::StatusCode{418} == 418);
    static_assert(404 == Status::not_found);
    static_assert(Status::not_found == 404);
    static_assert(!(404 == Status::ok));
    static_assert(404 != Status::ok);
    CHECK(swoop::to_int(Status::continue_) == 100);
  }

  TEST_CASE("reason phrases, for both spellings") {
    CHECK(swoop::reason_phrase(404) == "Not Found");
    CHECK(swoop::reason_phrase(Status::not_found) == "Not Found");
    CHECK(swoop::reason_phrase(Status::http_version_not_supported) == "HTTP Version Not Supported");
    CHECK(swoop::reason_phrase(599).empty());
  }

  TEST_CASE("every function that takes a status takes a Status") {
    CHECK(swoop::Response{Status::accepted}.status() == 202);
    CHECK(swoop::text("t", Status::created).status() == Status::created);
    CHECK(swoop::html("h", Status::not_found).status() == 404);
    CHECK(swoop::raw("r", "application/octet-stream", Status::partial_content).status() == 206);
    CHECK(swoop::json_text("{}", Status::accepted).status() == 202);
    CHECK(swoop::json(swoop::JsonObject{{"a", 1}}, Status::created).status() == 201);
    CHECK(swoop::json(3, Status::created).status() == 201);
    CHECK(swoop::empty(Status::no_content).status() == 204);
    CHECK(swoop::redirect("/x", Status::see_other).status() == 303);
    swoop::Response r;
    r.set_status(Status::gateway_timeout);
    CHECK(r.status() == 504);
    CHECK(swoop::HttpError{Status::conflict, "taken"}.status() == 409);
    try {
      swoop::abort(Status::forbidden);
      FAIL("abort returned");
    } catch (const swoop::HttpError& e) {
      CHECK(e.status() == 403);
      CHECK(e.is_quiet());
    }
    CHECK(swoop::ResponseDoc{Status::not_found, "none"}.status == 404);
    swoop::StreamOptions stream{.status = Status::partial_content};
    CHECK(stream.status == 206);
    swoop::RouteOptions route{.status = Status::created};
    CHECK(route.status == 201);
  }

  TEST_CASE("the ranges checked stay the same for both spellings") {
    CHECK_THROWS_AS(swoop::Response{99}, std::invalid_argument);
    CHECK_THROWS_AS(swoop::Response{600}, std::invalid_argument);
    CHECK_THROWS_AS(swoop::redirect("/x", Status::ok), std::invalid_argument);
    CHECK_THROWS_AS(swoop::redirect("/x", 200), std::invalid_argument);
  }
}
