// SPDX-License-Identifier: MIT
// Tests of swoop/builtin_middleware.hpp: the options of cors, request_id, timing and gzip.
#include <doctest/doctest.h>

#include <cctype>
#include <cstdlib>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "support/gunzip.hpp"
#include "swoop/swoop.hpp"

using swoop::Request;
using swoop::Response;
using swoop::test::gunzip;

namespace {

bool is_hex_id(std::string_view id) {
  if (id.size() != 32) return false;
  for (char c : id) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

std::string lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

const swoop::HeaderList gzip_ok = {{"Accept-Encoding", "gzip"}};

}  // namespace

TEST_SUITE("builtin_middleware") {
  TEST_CASE("each built-in is onion middleware") {
    CHECK(swoop::cors().kind() == swoop::MiddlewareKind::onion);
    CHECK(swoop::request_id().kind() == swoop::MiddlewareKind::onion);
    CHECK(swoop::timing().kind() == swoop::MiddlewareKind::onion);
    CHECK(swoop::gzip().kind() == swoop::MiddlewareKind::onion);
    const swoop::CorsOptions cors;
    CHECK(cors.origins == std::vector<std::string>{"*"});
    CHECK_FALSE(cors.credentials);
    CHECK(cors.max_age == 600);
    CHECK(swoop::RequestIdOptions{}.header == "X-Request-ID");
    CHECK(swoop::GzipOptions{}.min_size == 500);
    CHECK(swoop::GzipOptions{}.level == 6);
  }

  TEST_CASE("request_id with its own header and without trust makes a new id for every request") {
    swoop::App app;
    app.use(swoop::request_id({.header = "X-Trace", .trust_incoming = false}));
    app.get("/")([](Request& req) { return swoop::text(req.ctx().get<swoop::RequestId>().value); });
    swoop::TestClient client{app};
    auto r = client.get("/", {{"X-Trace", "abc-123"}});
    REQUIRE(r.header("X-Trace"));
    CHECK(*r.header("X-Trace") != "abc-123");
    CHECK(is_hex_id(*r.header("X-Trace")));
    CHECK(r.body == *r.header("X-Trace"));
    CHECK_FALSE(r.header("X-Request-ID"));
    CHECK(client.get("/").body != r.body);
  }

  TEST_CASE("CORS with any origin and credentials echoes the origin, and honours its lists") {
    swoop::App app;
    app.use(swoop::cors({.methods = {"GET", "PUT"},
                         .headers = {"*"},
                         .credentials = true,
                         .max_age = std::nullopt}));
    app.route("/r",
              {.methods = {"GET", "PUT", "DELETE"}})([](Request&) { return swoop::text("r"); });
    swoop::TestClient client{app};
    auto get = client.get("/r", {{"Origin", "https://app.example"}});
    CHECK(get.header("Access-Control-Allow-Origin") == "https://app.example");
    CHECK(get.header("Access-Control-Allow-Credentials") == "true");
    auto pre = client.options("/r", {{"Origin", "https://app.example"},
                                     {"Access-Control-Request-Method", "PUT"},
                                     {"Access-Control-Request-Headers", "x-anything, x-else"}});
    CHECK(pre.status == 204);
    CHECK_FALSE(pre.header("Access-Control-Max-Age"));  // max_age = nullopt
    REQUIRE(pre.header("Access-Control-Allow-Methods"));
    CHECK(pre.header("Access-Control-Allow-Methods")->find("PUT") != std::string::npos);
    auto deleting = client.options(
        "/r", {{"Origin", "https://app.example"}, {"Access-Control-Request-Method", "DELETE"}});
    CHECK(deleting.status == 403);
    CHECK_THROWS_AS(swoop::cors({.origin_regex = "[unclosed"}), std::invalid_argument);
  }

  TEST_CASE("CORS origin_regex must match the whole origin") {
    swoop::App app;
    app.use(swoop::cors({.origins = {}, .origin_regex = R"(https://ok\.example)"}));
    app.get("/r")([](Request&) { return swoop::text("r"); });
    swoop::TestClient client{app};
    CHECK(client.get("/r", {{"Origin", "https://ok.example"}})
              .header("Access-Control-Allow-Origin") == "https://ok.example");
    for (const char* origin : {"https://ok.example.evil", "http://https://ok.example"}) {
      CAPTURE(origin);
      auto r = client.get("/r", {{"Origin", origin}});
      CHECK(r.body == "r");
      CHECK_FALSE(r.header("Access-Control-Allow-Origin"));
    }
  }

  TEST_CASE("timing adds its Server-Timing entry beside one the handler sent") {
    swoop::App app;
    app.use(swoop::timing());
    app.get("/")([](Request&) {
      auto res = swoop::text("t");
      res.add_header("Server-Timing", "db;dur=1");
      return res;
    });
    swoop::TestClient client{app};
    auto r = client.get("/");
    std::vector<std::string> values;
    for (const auto& [name, value] : r.headers) {
      if (lower(name) == "server-timing") values.push_back(value);
    }
    REQUIRE(values.size() == 2);
    CHECK(values[0] == "db;dur=1");
    REQUIRE(values[1].starts_with("app;dur="));
    char* end = nullptr;
    const double ms = std::strtod(values[1].c_str() + 8, &end);
    CHECK(*end == '\0');
    CHECK(ms >= 0);
  }

  TEST_CASE("gzip compresses a body of min_size or more of JSON, JavaScript, XML or SVG") {
    swoop::App app;
    app.use(swoop::gzip({.min_size = 64, .level = 9}));
    const std::string body(64, 'j');
    app.get("/<type:path>")([body](Request& req) {
      std::string type{req.param("type")};
      return swoop::raw(body, type);
    });
    swoop::TestClient client{app};
    for (const char* type :
         {"application/json", "application/problem+json", "application/javascript",
          "application/xml", "image/svg+xml", "text/csv"}) {
      CAPTURE(type);
      auto r = client.get(std::string{"/"} + type, gzip_ok);
      CHECK(r.header("Content-Encoding") == "gzip");
      CHECK(r.header("Content-Type") == type);
      CHECK(gunzip(r.body) == body);
    }
    CHECK_FALSE(client.get("/image/png", gzip_ok).header("Content-Encoding"));
    CHECK_FALSE(client.get("/application/octet-stream", gzip_ok).header("Content-Encoding"));
  }

  TEST_CASE("gzip leaves small or already encoded bodies alone and refuses a level outside 1..9") {
    swoop::App app;
    app.use(swoop::gzip({.min_size = 100, .level = 1}));
    app.get("/small")([](Request&) { return swoop::text(std::string(99, 's')); });
    app.get("/exact")([](Request&) { return swoop::text(std::string(100, 'e')); });
    app.get("/encoded")([](Request&) {
      auto res = swoop::text(std::string(1000, 'x'));
      res.set_header("Content-Encoding", "identity");
      return res;
    });
    swoop::TestClient client{app};
    auto small = client.get("/small", gzip_ok);
    CHECK_FALSE(small.header("Content-Encoding"));
    CHECK(small.body == std::string(99, 's'));
    auto exact = client.get("/exact", gzip_ok);
    CHECK(exact.header("Content-Encoding") == "gzip");
    CHECK(gunzip(exact.body) == std::string(100, 'e'));
    auto encoded = client.get("/encoded", gzip_ok);
    CHECK(encoded.header("Content-Encoding") == "identity");
    CHECK(encoded.body == std::string(1000, 'x'));
    CHECK_THROWS_AS(swoop::gzip({.level = 10}), std::invalid_argument);
    CHECK_NOTHROW(swoop::gzip({.level = 9}));
  }
}
