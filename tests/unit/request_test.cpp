// SPDX-License-Identifier: MIT
// Tests of swoop/request.hpp: a Request's defaults, typed path parameters, its origin, streams.
#include <doctest/doctest.h>

#include <functional>
#include <string>
#include <string_view>

#include "support/loop_fixture.hpp"
#include "swoop/swoop.hpp"

using swoop::Request;
using swoop::Response;
using swoop::Task;

namespace {

// The status of the HttpError fn throws; 0 when it throws none.
int http_status(const std::function<void()>& fn) {
  try {
    fn();
  } catch (const swoop::HttpError& e) {
    return e.status();
  }
  return 0;
}

}  // namespace

TEST_SUITE("request") {
  TEST_CASE("a Request made outside a server is empty, HTTP/1.1 and keep-alive") {
    Request req;
    CHECK(req.method().empty());
    CHECK(req.target().empty());
    CHECK(req.path().empty());
    CHECK(req.query_string().empty());
    CHECK(req.args().empty());
    CHECK(req.headers().size() == 0);
    CHECK_FALSE(req.header("Host"));
    CHECK(req.body().empty());
    CHECK(req.version() == 11);
    CHECK(req.is_keep_alive());
    CHECK(req.remote_addr().empty());
    CHECK(req.remote_port() == 0);
    CHECK_FALSE(req.is_secure());
    CHECK(req.scheme() == "http");
    CHECK(req.host().empty());
    CHECK(req.params().empty());
    CHECK(req.cookies().empty());
    CHECK_FALSE(req.is_cancelled());
  }

  TEST_CASE("param and json throw HttpError for what a request does not have") {
    Request req;
    CHECK(http_status([&] { (void)req.param("id"); }) == 400);
    CHECK(http_status([&] { (void)req.param<int>("id"); }) == 400);
    CHECK(http_status([&] { (void)req.json(); }) == 415);  // no Content-Type
    CHECK(req.form().empty());  // no Content-Type and no body: an empty form
  }

  TEST_CASE("param converts to strings and numbers, and a value that does not fit is a 400") {
    swoop::App app;
    app.get("/int/<v>")(
        [](Request& req) { return swoop::text(std::to_string(req.param<int>("v"))); });
    app.get("/unsigned/<v:int>")(
        [](Request& req) { return swoop::text(std::to_string(req.param<unsigned>("v"))); });
    app.get("/float/<v:float>")([](Request& req) {
      return swoop::text(std::to_string(static_cast<int>(req.param<double>("v") * 10)));
    });
    app.get("/string/<v>")([](Request& req) {
      const std::string copy = req.param<std::string>("v");
      return swoop::text(copy + "|" + std::string{req.param("v")});
    });
    app.get("/missing")([](Request& req) { return swoop::text(std::string{req.param("v")}); });
    swoop::TestClient client{app};
    CHECK(client.get("/int/-12").body == "-12");
    CHECK(client.get("/int/12x").status == 400);
    CHECK(client.get("/int/99999999999").status == 400);  // beyond int
    CHECK(client.get("/unsigned/7").body == "7");
    CHECK(client.get("/unsigned/-7").status == 400);
    CHECK(client.get("/float/2.5").body == "25");
    CHECK(client.get("/float/+2.5").body == "25");  // a leading '+' is accepted
    CHECK(client.get("/string/a%20b").body == "a b|a b");
    CHECK(client.get("/missing").status == 400);
  }

  TEST_CASE("host, version, keep-alive and the peer's address describe the exchange") {
    swoop::App app;
    app.get("/who")([](Request& req) {
      return swoop::text(std::string{req.host()} + "|" + std::to_string(req.version()) + "|" +
                         (req.is_keep_alive() ? "keep" : "close") + "|" +
                         std::string{req.scheme()} + "|" + std::string{req.remote_addr()} + "|" +
                         (req.remote_port() != 0 ? "port" : "no port"));
    });
    swoop::TestClient client{app};
    // Pipelined: a keep-alive request, then one that closes the connection.
    auto two = swoop::TestClient::parse_responses(
        client.raw("GET /who HTTP/1.1\r\nHost: a.example:8080\r\n\r\n"
                   "GET /who HTTP/1.1\r\nHost: b.example\r\nConnection: close\r\n\r\n"));
    REQUIRE(two.size() == 2);
    CHECK(two[0].body == "a.example:8080|11|keep|http|127.0.0.1|port");
    CHECK(two[1].body == "b.example|11|close|http|127.0.0.1|port");
    auto old = swoop::TestClient::parse_responses(client.raw("GET /who HTTP/1.0\r\n\r\n"));
    REQUIRE(old.size() == 1);
    CHECK(old[0].body == "|10|close|http|127.0.0.1|port");  // no Host: an empty host
    CHECK(client.get("/who", {{"Host", "c.example"}}).body.starts_with("c.example|11|"));
  }

  TEST_CASE("the target is kept as sent, the path decoded and the query string raw") {
    swoop::App app;
    app.get("/<rest:path>")([](Request& req) {
      return swoop::text(std::string{req.target()} + "|" + std::string{req.path()} + "|" +
                         std::string{req.query_string()} + "|" +
                         std::string{req.args().get("q", "-")});
    });
    swoop::TestClient client{app};
    CHECK(client.get("/a%20b/c?q=x%20y&r").body == "/a%20b/c?q=x%20y&r|/a b/c|q=x%20y&r|x y");
    CHECK(client.get("/plain").body == "/plain|/plain||-");
  }

  TEST_CASE("stream on a route without stream_body gives the whole body once, then nothing") {
    swoop::App app;
    app.post("/pieces")([](Request& req) -> Task<Response> {
      std::string out;
      for (int i = 0; i < 3; ++i) {
        const std::string piece = co_await req.stream().read();
        out += "[" + piece + "]";
      }
      co_return swoop::text(out + std::string{req.body()});
    });
    app.route("/streamed",
              {.methods = {"POST"}, .stream_body = true})([](Request& req) -> Task<Response> {
      std::string whole;
      for (std::string piece; !(piece = co_await req.stream().read()).empty();) whole += piece;
      co_return swoop::text(std::to_string(whole.size()) + " " +
                            (req.body().empty() ? "empty body()" : "body()"));
    });
    swoop::TestClient client{app};
    CHECK(client.post("/pieces", "hello").body == "[hello][][]hello");
    CHECK(client.post("/streamed", std::string(100000, 's')).body == "100000 empty body()");
    const std::string chunked =
        "POST /streamed HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n"
        "Connection: close\r\n\r\n3\r\nabc\r\n2\r\nde\r\n0\r\n\r\n";
    auto r = swoop::TestClient::parse_responses(client.raw(chunked));
    REQUIRE(r.size() == 1);
    CHECK(r[0].body == "5 empty body()");
  }

  TEST_CASE_FIXTURE(swoop::test::LoopFixture,
                    "stream on a Request made outside a server ends at once") {
    Request req;
    CHECK(swoop::sync_wait(loop, req.stream().read()).empty());
    CHECK(swoop::sync_wait(loop, req.stream().read()).empty());
  }

  TEST_CASE("json and form read the body by its Content-Type, cookies come from Cookie") {
    swoop::App app;
    app.post("/json")([](Request& req) {
      return swoop::text(std::string{req.json().get<std::string_view>("name")});
    });
    app.post("/form")(
        [](Request& req) { return swoop::text(std::string{req.form().get("name", "?")}); });
    app.get("/cookie")(
        [](Request& req) { return swoop::text(std::string{req.cookies().get("sid", "-")}); });
    swoop::TestClient client{app};
    CHECK(client.post("/json", R"({"name":"ada"})", {{"Content-Type", "application/json"}}).body ==
          "ada");
    CHECK(client.post("/json", R"({"name":"ada"})", {{"Content-Type", "text/plain"}}).status ==
          415);
    CHECK(client.post("/json", "{", {{"Content-Type", "application/json"}}).status == 400);
    CHECK(
        client.post("/form", "name=grace", {{"Content-Type", "application/x-www-form-urlencoded"}})
            .body == "grace");
    CHECK(client.post("/form", "name=grace", {{"Content-Type", "application/json"}}).status == 415);
    CHECK(client.get("/cookie", {{"Cookie", "theme=dark; sid=42"}}).body == "42");
    CHECK(client.get("/cookie").body == "-");
  }
}
