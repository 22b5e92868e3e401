// SPDX-License-Identifier: MIT
// The built-in middleware over real sockets: CORS, request ids, timing, gzip.
#include <doctest/doctest.h>
#include <zlib.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

#include "support/gunzip.hpp"
#include "swoop/swoop.hpp"

using swoop::Request;
using swoop::Response;
using swoop::TestClient;

using swoop::test::gunzip;

namespace {

void add_routes(swoop::App& app) {
  app.get("/data")([](Request&) { return swoop::text(std::string(5000, 'a') + "end"); });
  app.get("/small")([](Request&) { return swoop::text("tiny"); });
  app.get("/png")([](Request&) { return swoop::raw(std::string(5000, 'x'), "image/png"); });
  app.route("/items", {.methods = {"GET", "POST"}})([](Request&) { return swoop::text("items"); });
  app.get("/id")([](Request& req) { return swoop::text(req.ctx().get<swoop::RequestId>().value); });
}

}  // namespace

TEST_SUITE("builtin_middleware") {
  TEST_CASE("CORS answers allowed preflights and refuses others") {
    swoop::App app;
    add_routes(app);
    app.use(swoop::cors({.origins = {"https://a.example"},
                         .origin_regex = R"(https://[a-z]+\.b\.example)",
                         .headers = {"Content-Type", "X-Token"},
                         .expose_headers = {"X-Total"},
                         .credentials = true,
                         .max_age = 60}));
    TestClient client{app};
    auto pre =
        client.options("/items", {{"Origin", "https://a.example"},
                                  {"Access-Control-Request-Method", "POST"},
                                  {"Access-Control-Request-Headers", "content-type, x-token"}});
    CHECK(pre.status == 204);
    CHECK(pre.header("access-control-allow-origin") == "https://a.example");
    CHECK(pre.header("access-control-allow-credentials") == "true");
    CHECK(pre.header("access-control-allow-headers") == "Content-Type, X-Token");
    CHECK(pre.header("access-control-max-age") == "60");
    CHECK(pre.header("vary") == "Origin");
    auto regex = client.options(
        "/items", {{"Origin", "https://x.b.example"}, {"Access-Control-Request-Method", "GET"}});
    CHECK(regex.status == 204);
    auto bad_origin = client.options(
        "/items", {{"Origin", "https://evil.example"}, {"Access-Control-Request-Method", "GET"}});
    CHECK(bad_origin.status == 403);
    CHECK_FALSE(bad_origin.header("access-control-allow-origin"));
    auto bad_header = client.options("/items", {{"Origin", "https://a.example"},
                                                {"Access-Control-Request-Method", "GET"},
                                                {"Access-Control-Request-Headers", "x-other"}});
    CHECK(bad_header.status == 403);
    auto bad_method = client.options(
        "/items", {{"Origin", "https://a.example"}, {"Access-Control-Request-Method", "TRACE"}});
    CHECK(bad_method.status == 403);
  }

  TEST_CASE("CORS decorates actual responses for allowed origins only") {
    swoop::App app;
    add_routes(app);
    app.use(swoop::cors({.origins = {"https://a.example"}, .expose_headers = {"X-Total"}}));
    TestClient client{app};
    auto ok = client.get("/items", {{"Origin", "https://a.example"}});
    CHECK(ok.body == "items");
    CHECK(ok.header("access-control-allow-origin") == "https://a.example");
    CHECK(ok.header("access-control-expose-headers") == "X-Total");
    auto other = client.get("/items", {{"Origin", "https://evil.example"}});
    CHECK(other.body == "items");
    CHECK_FALSE(other.header("access-control-allow-origin"));
    auto none = client.get("/items");
    CHECK_FALSE(none.header("access-control-allow-origin"));
    // A plain OPTIONS (not a preflight) still gets the automatic answer.
    CHECK(client.options("/items").status == 204);
  }

  TEST_CASE("CORS with any origin answers a wildcard unless credentials are on") {
    swoop::App app;
    add_routes(app);
    app.use(swoop::cors());
    TestClient client{app};
    auto r = client.get("/items", {{"Origin", "https://x.example"}});
    CHECK(r.header("access-control-allow-origin") == "*");
    CHECK_THROWS_AS(swoop::cors({.origin_regex = "("}), std::invalid_argument);
  }

  TEST_CASE("request ids are generated, echoed and kept in the request context") {
    swoop::App app;
    add_routes(app);
    app.use(swoop::request_id());
    TestClient client{app};
    auto a = client.get("/id");
    REQUIRE(a.header("x-request-id"));
    CHECK(a.header("x-request-id")->size() == 32);
    CHECK(a.body == *a.header("x-request-id"));
    CHECK(client.get("/id").body != a.body);
    auto kept = client.get("/id", {{"X-Request-ID", "abc-123"}});
    CHECK(kept.body == "abc-123");
    CHECK(kept.header("x-request-id") == "abc-123");
    auto replaced = client.get("/id", {{"X-Request-ID", "bad id with spaces"}});
    CHECK(replaced.body.size() == 32);
  }

  TEST_CASE("timing adds Server-Timing or X-Process-Time") {
    swoop::App app;
    add_routes(app);
    app.use(swoop::timing());
    swoop::App app2;
    add_routes(app2);
    app2.use(swoop::timing({.server_timing = false}));
    TestClient client{app};
    TestClient client2{app2};
    auto r = client.get("/small");
    REQUIRE(r.header("server-timing"));
    CHECK(r.header("server-timing")->rfind("app;dur=", 0) == 0);
    auto r2 = client2.get("/small");
    REQUIRE(r2.header("x-process-time"));
    CHECK(std::stod(std::string{*r2.header("x-process-time")}) >= 0);
  }

  TEST_CASE("gzip compresses large textual bodies for clients that accept it") {
    swoop::App app;
    add_routes(app);
    app.use(swoop::gzip({.min_size = 100}));
    TestClient client{app};
    auto z = client.get("/data", {{"Accept-Encoding", "br, gzip;q=0.8"}});
    CHECK(z.header("content-encoding") == "gzip");
    CHECK(z.header("vary") == "Accept-Encoding");
    CHECK(z.body.size() < 200);
    CHECK(gunzip(z.body) == std::string(5000, 'a') + "end");
    CHECK_FALSE(client.get("/data").header("content-encoding"));
    CHECK_FALSE(client.get("/data", {{"Accept-Encoding", "gzip;q=0"}}).header("content-encoding"));
    CHECK_FALSE(client.get("/small", {{"Accept-Encoding", "gzip"}}).header("content-encoding"));
    CHECK_FALSE(client.get("/png", {{"Accept-Encoding", "gzip"}}).header("content-encoding"));
    auto head = client.head("/data", {{"Accept-Encoding", "gzip"}});
    CHECK(head.header("content-length") == z.header("content-length"));
    CHECK_THROWS_AS(swoop::gzip({.level = 0}), std::invalid_argument);
  }

  TEST_CASE("gzip makes a compressed static file's ETag weak, and If-None-Match still works") {
    // RFC 9110 8.8.3.3: the gzip coding is another representation; it cannot keep the
    // identity body's strong validator. Before: the compressed body kept the strong tag.
    char dir_template[] = "/tmp/swoop-gzip-etag-XXXXXX";
    const std::filesystem::path dir = ::mkdtemp(dir_template);
    std::ofstream{dir / "page.html"} << std::string(5000, 'p');
    swoop::App app;
    app.use(swoop::gzip({.min_size = 100}));
    app.static_files("/s", dir.string());
    {
      TestClient client{app};
      const auto plain = client.get("/s/page.html");
      const auto zipped = client.get("/s/page.html", {{"Accept-Encoding", "gzip"}});
      REQUIRE(plain.header("etag"));
      REQUIRE(zipped.header("content-encoding") == "gzip");
      const std::string strong{*plain.header("etag")};
      CHECK(strong.starts_with('"'));
      CHECK(zipped.header("etag") == "W/" + strong);
      // Each client revalidates the copy it holds.
      CHECK(client.get("/s/page.html", {{"If-None-Match", strong}}).status == 304);
      const auto revalidated = client.get(
          "/s/page.html", {{"Accept-Encoding", "gzip"}, {"If-None-Match", "W/" + strong}});
      CHECK(revalidated.status == 304);
      CHECK(revalidated.header("etag") == "W/" + strong);
      // A strong tag held by an identity client still matches weakly when it asks for gzip:
      // If-None-Match uses the weak comparison (RFC 9110 13.1.2).
      CHECK(client.get("/s/page.html", {{"Accept-Encoding", "gzip"}, {"If-None-Match", strong}})
                .status == 304);
      CHECK(client.get("/s/page.html", {{"If-None-Match", "\"other\""}}).status == 200);
    }
    std::filesystem::remove_all(dir);
  }
}
