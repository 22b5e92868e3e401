// SPDX-License-Identifier: MIT
// Blueprints, groups, middleware order and scope, error handlers, listeners, background tasks.
#include <doctest/doctest.h>
#include <uv.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "support/wait.hpp"
#include "swoop/swoop.hpp"

using namespace std::chrono_literals;
using swoop::Next;
using swoop::Request;
using swoop::Response;
using swoop::Task;
using swoop::TestClient;
using swoop::test::wait_for;

namespace {

/// Records the order in which middleware ran (request: "name>", response: "<name",
/// onion: "(tag" ... "tag)").
struct Trace {
  std::string steps;
};

}  // namespace

namespace {

// Request middleware appends "name>" to the trace; response middleware append "<name".
auto req_mw(std::string name) {
  return [name](Request& req) {
    if (!req.ctx().contains<Trace>()) req.ctx().emplace<Trace>();
    req.ctx().get<Trace>().steps += name + ">";
  };
}
auto res_mw(std::string name) {
  return [name](Request& req, Response& res) {
    if (!req.ctx().contains<Trace>()) req.ctx().emplace<Trace>();
    req.ctx().get<Trace>().steps += "<" + name;
    res.set_header("X-Trace", req.ctx().get<Trace>().steps);
  };
}
swoop::Middleware onion(std::string name) {
  return [name](Request& req, Next next) -> Task<Response> {
    return [](Request& r, Next n, std::string tag) -> Task<Response> {
      if (!r.ctx().contains<Trace>()) r.ctx().emplace<Trace>();
      r.ctx().get<Trace>().steps += "(" + tag;
      Response res = co_await n(r);
      r.ctx().get<Trace>().steps += tag + ")";
      res.set_header("X-Onion", r.ctx().get<Trace>().steps);
      co_return res;
    }(req, next, name);
  };
}

Response traced(Request& req) {
  if (!req.ctx().contains<Trace>()) req.ctx().emplace<Trace>();
  req.ctx().get<Trace>().steps += "H";
  return swoop::text(req.ctx().get<Trace>().steps);
}

}  // namespace

TEST_SUITE("structure") {
  TEST_CASE("blueprint routes get the prefix, the version and dotted names") {
    swoop::Blueprint users{"users", {.url_prefix = "/users", .version = 1}};
    users.route("/<id:int>", {.name = "show"})(
        [](Request& req) { return swoop::text("user " + std::string{req.param("id")}); });
    users.get("/")([](Request&) { return swoop::text("all users"); });
    swoop::App app;
    app.blueprint(users);
    CHECK(app.url_for("users.show", {{"id", 7}}) == "/v1/users/7");
    TestClient client{app};
    CHECK(client.get("/v1/users/7").body == "user 7");
    CHECK(client.get("/v1/users").body == "all users");
    CHECK(client.get("/v1/users/").body == "all users");
    CHECK(client.get("/users/7").status == 404);
  }

  TEST_CASE("the method shorthands take route options, their method replacing the options'") {
    swoop::App app;
    app.get("/users/<id:int>", {.name = "user"})(
        [](Request& req) { return swoop::text("user " + std::string{req.param("id")}); });
    app.post("/users",
             {.methods = {"PUT"}, .name = "make"})([](Request&) { return swoop::text("made"); });
    app.del("/users/<id:int>",
            {.error_format = swoop::ErrorFormat::json})([](Request&) -> Response {
      throw swoop::HttpError{409, "in use"};
    });
    app.put("/p", {.strict_slashes = true})([](Request&) { return swoop::text("put"); });
    app.patch("/a", {.name = "patch_a"})([](Request&) { return swoop::text("patch"); });
    app.options("/a", {.name = "options_a"})([](Request&) { return swoop::text("options"); });
    app.head("/h", {.name = "head_h"})([](Request&) { return swoop::text(""); });
    CHECK(app.url_for("user", {{"id", 3}}) == "/users/3");
    CHECK(app.url_for("patch_a") == "/a");
    TestClient client{app};
    CHECK(client.get("/users/3").body == "user 3");
    CHECK(app.url_for("make") == "/users");
    CHECK(client.post("/users", "").body == "made");
    CHECK(client.request("PUT", "/users").status == 405);  // the options' PUT was replaced
    auto del = client.request("DELETE", "/users/3", {}, {{"Accept", "text/html"}});
    CHECK(del.status == 409);
    CHECK(del.header("content-type") == "application/json");
    CHECK(client.request("PUT", "/p").body == "put");
    CHECK(client.request("PUT", "/p/").status == 404);  // strict slashes
    CHECK(client.request("PATCH", "/a").body == "patch");
    CHECK(client.request("OPTIONS", "/a").body == "options");
    CHECK(client.request("HEAD", "/h").status == 200);
  }

  TEST_CASE("groups compose prefixes and versions and nest") {
    swoop::Blueprint a{"a", {.url_prefix = "/a"}};
    a.get("/x")([](Request&) { return swoop::text("a.x"); });
    swoop::Blueprint b{"b", {.url_prefix = "/b", .version = 3}};
    b.get("/x")([](Request&) { return swoop::text("b.x"); });
    swoop::Blueprint c{"c", {.url_prefix = "/c"}};
    c.route("/x", {.name = "x"})([](Request&) { return swoop::text("c.x"); });
    swoop::BlueprintGroup inner{{c}, {.url_prefix = "/inner"}};
    swoop::BlueprintGroup api{{a, b, inner}, {.url_prefix = "/api", .version = 2}};
    swoop::App app;
    app.blueprint(api);
    TestClient client{app};
    CHECK(client.get("/v2/api/a/x").body == "a.x");
    CHECK(client.get("/v3/api/b/x").body == "b.x");  // the blueprint's own version wins
    CHECK(client.get("/v2/api/inner/c/x").body == "c.x");
    CHECK(app.url_for("c.x") == "/v2/api/inner/c/x");
  }

  TEST_CASE("a blueprint with a host serves only requests for that host") {
    swoop::Blueprint a{"a", {.host = "a.example"}};
    a.route("/", {.name = "home"})([](Request&) { return swoop::text("site a"); });
    a.get("/only-a")([](Request&) { return swoop::text("only a"); });
    swoop::Blueprint b{"b", {.host = "B.example:8080"}};
    b.get("/")([](Request&) { return swoop::text("site b"); });
    swoop::App app;
    app.get("/")([](Request&) { return swoop::text("default"); });
    app.blueprint(a);
    app.blueprint(b);
    CHECK(app.url_for("a.home") == "/");
    TestClient client{app};
    CHECK(client.get("/", {{"Host", "a.example"}}).body == "site a");
    CHECK(client.get("/", {{"Host", "A.EXAMPLE:9000"}}).body == "site a");  // any port
    CHECK(client.get("/", {{"Host", "b.example:8080"}}).body == "site b");
    CHECK(client.get("/", {{"Host", "b.example"}}).body == "default");  // port must match
    CHECK(client.get("/", {{"Host", "other.example"}}).body == "default");
    CHECK(client.get("/only-a", {{"Host", "a.example"}}).body == "only a");
    CHECK(client.get("/only-a", {{"Host", "other.example"}}).status == 404);
  }

  TEST_CASE("an absolute-form target's authority wins over the Host field") {
    // RFC 9112 3.2.2: the server ignores Host and uses the target's host information.
    swoop::Blueprint a{"a", {.host = "a.example"}};
    a.get("/only-a")(
        [](Request& req) { return swoop::text("only a at " + std::string{req.host()}); });
    swoop::App app;
    app.get("/host")([](Request& req) { return swoop::text(std::string{req.host()}); });
    app.blueprint(a);
    TestClient client{app};
    const auto answer = [&](std::string_view request) {
      const auto answers = TestClient::parse_responses(client.raw(request, 300ms));
      return answers.empty() ? swoop::TestResponse{} : answers[0];
    };
    const auto body_of = [&](std::string_view request) { return answer(request).body; };
    CHECK(body_of("GET http://a.example/only-a HTTP/1.1\r\nHost: other.example\r\n\r\n") ==
          "only a at a.example");
    CHECK(body_of("GET http://user@a.example:81/only-a?x HTTP/1.1\r\nHost: z\r\n\r\n") ==
          "only a at a.example:81");
    CHECK(answer("GET http://other.example/only-a HTTP/1.1\r\nHost: a.example\r\n\r\n").status ==
          404);
    CHECK(body_of("GET http://h.example:8080/host HTTP/1.1\r\nHost: z\r\n\r\n") ==
          "h.example:8080");
    CHECK(body_of("GET /host HTTP/1.1\r\nHost: z.example\r\n\r\n") == "z.example");
  }

  TEST_CASE("collisions and duplicate blueprints fail at registration naming both") {
    swoop::Blueprint one{"one", {.url_prefix = "/p"}};
    one.get("/x")([](Request&) { return swoop::text("1"); });
    swoop::Blueprint two{"two"};
    two.get("/p/x")([](Request&) { return swoop::text("2"); });
    swoop::App app;
    app.blueprint(one);
    CHECK_THROWS_WITH_AS(app.blueprint(one), doctest::Contains("already registered"),
                         std::invalid_argument);
    try {
      app.blueprint(two);
      FAIL("a colliding route was accepted");
    } catch (const std::invalid_argument& e) {
      const std::string what = e.what();
      CHECK(what.find("two") != std::string::npos);
      CHECK(what.find("/p/x") != std::string::npos);
    }
    CHECK_THROWS_AS(swoop::Blueprint{""}, std::invalid_argument);
    swoop::Blueprint named{"one2"};
    named.route("/y", {.name = "x"})([](Request&) { return swoop::text("y"); });
    swoop::Blueprint same_name{"one3"};
    same_name.route("/z", {.name = "x"})([](Request&) { return swoop::text("z"); });
    app.blueprint(named);
    app.blueprint(same_name);  // "one2.x" and "one3.x" differ
    CHECK_THROWS_AS(app.route("/w", {.name = "one2.x"})([](Request&) { return swoop::text("w"); }),
                    std::invalid_argument);
  }

  TEST_CASE("a method the server cannot receive is refused at registration") {
    // llhttp 8.1 answers QUERY, PRI and RTSP methods with 501 before routing: such a route
    // could never be reached.
    const auto handler = [](Request&) { return swoop::text("q"); };
    swoop::App app;
    CHECK_THROWS_WITH_AS(app.route("/q", {.methods = {"QUERY"}})(handler),
                         doctest::Contains("method QUERY can never reach it"),
                         std::invalid_argument);
    CHECK_THROWS_AS(app.route("/q", {.methods = {"GET", "ANNOUNCE"}})(handler),
                    std::invalid_argument);
    swoop::Blueprint bp{"bp"};
    bp.route("/p", {.methods = {"PRI"}})(handler);
    CHECK_THROWS_WITH_AS(app.blueprint(bp), doctest::Contains("PRI"), std::invalid_argument);
    app.route("/q", {.methods = {"GET", "M-SEARCH", "PURGE", "REPORT"}})(handler);  // all parsed
    TestClient client{app};
    CHECK(client.request("M-SEARCH", "/q", "").body == "q");
    CHECK(client.request("QUERY", "/q", "").status == 501);
  }

  TEST_CASE("middleware run in order across app, group, blueprint and route") {
    swoop::Blueprint bp{"bp", {.url_prefix = "/bp"}};
    bp.on_request(req_mw("bp"));
    bp.on_response(res_mw("bp"));
    bp.use(onion("B"));
    bp.route("/x", {.middleware = {req_mw("route"), res_mw("route"), onion("R")}})(traced);
    swoop::BlueprintGroup group{{bp}, {.url_prefix = "/g"}};
    group.on_request(req_mw("group"));
    group.on_response(res_mw("group"));
    group.use(onion("G"));
    swoop::App app;
    app.on_request(req_mw("app1"));
    app.on_request(req_mw("app2"));
    app.on_response(res_mw("app1"));
    app.on_response(res_mw("app2"));
    app.use(onion("A"));
    app.blueprint(group);
    app.get("/plain")(traced);
    TestClient client{app};
    auto r = client.get("/g/bp/x");
    CHECK(r.body == "(A(G(B(Rapp1>app2>group>bp>route>H");
    CHECK(r.header("x-trace") == "(A(G(B(Rapp1>app2>group>bp>route>H<route<bp<group<app2<app1");
    CHECK(r.header("x-onion") ==
          "(A(G(B(Rapp1>app2>group>bp>route>H<route<bp<group<app2<app1R)B)G)A)");
    // Group and blueprint middleware stay out of routes outside them.
    auto p = client.get("/plain");
    CHECK(p.body == "(Aapp1>app2>H");
    CHECK(p.header("x-trace") == "(Aapp1>app2>H<app2<app1");
  }

  TEST_CASE("request middleware can answer early and response middleware can replace") {
    swoop::App app;
    app.on_request([](Request& req) -> std::optional<Response> {
      if (req.header("X-Block")) return swoop::text("blocked", 403);
      return std::nullopt;
    });
    app.on_request([](Request& req) -> Task<std::optional<Response>> {
      co_await swoop::sleep(1ms);
      if (req.path() == "/late") co_return swoop::text("late answer");
      co_return std::nullopt;
    });
    app.on_response([](Request& req, Response& res) {
      if (req.header("X-Replace")) res = swoop::text("replaced", 202);
    });
    app.on_response([](Request&, Response& res) -> Task<void> {
      co_await swoop::sleep(1ms);
      res.set_header("X-Async", "yes");
    });
    std::atomic<int> handled{0};
    app.get("/x")([&handled](Request&) {
      ++handled;
      return swoop::text("handler");
    });
    app.get("/late")([&handled](Request&) {
      ++handled;
      return swoop::text("never");
    });
    TestClient client{app};
    auto blocked = client.get("/x", {{"X-Block", "1"}});
    CHECK(blocked.status == 403);
    CHECK(blocked.body == "blocked");
    CHECK(blocked.header("x-async") == "yes");  // response middleware run on early answers
    CHECK(client.get("/late").body == "late answer");
    CHECK(handled == 0);
    auto replaced = client.get("/x", {{"X-Replace", "1"}});
    CHECK(replaced.status == 202);
    CHECK(replaced.body == "replaced");
    CHECK(handled == 1);
  }

  TEST_CASE("response middleware also run on error responses and on 404") {
    swoop::App app;
    app.on_response([](Request&, Response& res) { res.set_header("X-Seen", "1"); });
    app.get("/boom")([](Request&) -> Response { throw std::runtime_error("boom"); });
    TestClient client{app};
    auto e = client.get("/boom");
    CHECK(e.status == 500);
    CHECK(e.header("x-seen") == "1");
    auto nf = client.get("/missing");
    CHECK(nf.status == 404);
    CHECK(nf.header("x-seen") == "1");
    auto na = client.post("/boom", "");
    CHECK(na.status == 405);
    CHECK(na.header("allow") == "GET, HEAD, OPTIONS");
    CHECK(na.header("x-seen") == "1");
  }

  TEST_CASE("an onion middleware can answer without calling next, and its errors are handled") {
    swoop::App app;
    app.use([](Request& req, Next next) -> Task<Response> {
      if (req.path() == "/short")
        return [](Request&) -> Task<Response> { co_return swoop::text("short-circuit"); }(req);
      if (req.path() == "/throw") throw swoop::Forbidden{"no"};
      return next(req);
    });
    app.get("/short")([](Request&) { return swoop::text("handler"); });
    app.get("/throw")([](Request&) { return swoop::text("handler"); });
    app.get("/ok")([](Request&) { return swoop::text("ok"); });
    TestClient client{app};
    CHECK(client.get("/short").body == "short-circuit");
    CHECK(client.get("/throw").status == 403);
    CHECK(client.get("/ok").body == "ok");
  }

  TEST_CASE("error handlers pick the most specific type, blueprint handlers come first") {
    swoop::App app;
    app.on_error<std::exception>([](Request&, const std::exception& e) {
      return swoop::text(std::string{"app exception: "} + e.what(), 500);
    });
    app.on_error<swoop::HttpError>([](Request&, const swoop::HttpError& e) {
      return swoop::text("app http " + std::to_string(e.status()), e.status());
    });
    app.on_error<swoop::NotFound>([](Request& req, const swoop::NotFound&) -> Task<Response> {
      co_await swoop::sleep(1ms);
      co_return swoop::text("custom 404 for " + std::string{req.path()}, 404);
    });
    swoop::Blueprint bp{"bp", {.url_prefix = "/bp"}};
    bp.on_error<std::runtime_error>(
        [](Request&, const std::runtime_error&) { return swoop::text("bp runtime", 500); });
    bp.get("/runtime")([](Request&) -> Response { throw std::runtime_error("x"); });
    bp.get("/logic")([](Request&) -> Response { throw std::logic_error("y"); });
    app.blueprint(bp);
    app.get("/runtime")([](Request&) -> Response { throw std::runtime_error("z"); });
    app.get("/forbidden")([](Request&) -> Response { throw swoop::Forbidden{}; });
    app.get("/abort")([](Request&) -> Response { swoop::abort(409, "taken"); });
    TestClient client{app};
    CHECK(client.get("/bp/runtime").body == "bp runtime");
    CHECK(client.get("/bp/logic").body == "app exception: y");
    CHECK(client.get("/runtime").body == "app exception: z");
    CHECK(client.get("/forbidden").body == "app http 403");
    auto nf = client.get("/nope");
    CHECK(nf.status == 404);
    CHECK(nf.body == "custom 404 for /nope");
    CHECK(client.get("/abort").status == 409);
  }

  TEST_CASE("a custom error handler keeps the headers the error carries unless it sets its own") {
    swoop::App app;
    app.on_error<swoop::HttpError>([](Request&, const swoop::HttpError& e) {
      Response r = swoop::json(swoop::JsonObject{{"status", e.status()}}, e.status());
      if (e.status() == 503) r.set_header("Retry-After", "5");
      return r;
    });
    app.get("/private")([](Request&) -> Response {
      throw swoop::HttpError{
          401, "log in", {{"WWW-Authenticate", "Basic"}, {"WWW-Authenticate", "Bearer"}}};
    });
    app.get("/busy")([](Request&) -> Response {
      throw swoop::HttpError{503, "later", {{"Retry-After", "60"}, {"X-Reason", "load"}}};
    });
    TestClient client{app};
    const auto values = [](const swoop::TestResponse& r, std::string_view name) {
      std::vector<std::string> out;
      for (const auto& [n, v] : r.headers) {
        if (swoop::iequals(n, name)) out.push_back(v);
      }
      return out;
    };
    const auto denied = client.get("/private");
    CHECK(denied.status == 401);
    CHECK(denied.body == R"({"status":401})");
    CHECK(values(denied, "WWW-Authenticate") == std::vector<std::string>{"Basic", "Bearer"});
    const auto busy = client.get("/busy");
    CHECK(busy.header("Retry-After") == "5");  // the handler's own value wins
    CHECK(values(busy, "Retry-After").size() == 1);
    CHECK(busy.header("X-Reason") == "load");
  }

  TEST_CASE("the default error body follows the Accept header") {
    swoop::App app;
    app.get("/teapot")([](Request&) -> Response {
      throw swoop::HttpError{418, "short & stout", {}, true, R"({"cups":2})"};
    });
    TestClient client{app};
    auto text = client.get("/teapot", {{"Accept", "*/*"}});
    CHECK(text.header("content-type") == "text/plain; charset=utf-8");
    CHECK(text.body == "short & stout");
    auto json = client.get("/teapot", {{"Accept", "application/json, text/plain, */*"}});
    CHECK(json.header("content-type") == "application/json");
    CHECK(json.body ==
          R"({"error":{"status":418,"message":"short & stout","context":{"cups":2}}})");
    auto html = client.get(
        "/teapot", {{"Accept", "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"}});
    CHECK(html.header("content-type") == "text/html; charset=utf-8");
    CHECK(html.body.find("<h1>418 I&#39;m a teapot</h1><p>short &amp; stout</p>") !=
          std::string::npos);
    auto prefer_json = client.get("/teapot", {{"Accept", "text/html;q=0.5, application/json"}});
    CHECK(prefer_json.header("content-type") == "application/json");
  }

  TEST_CASE("a route can fix its error format, and debug mode adds the exception type") {
    swoop::App app;
    app.route("/api", {.error_format = swoop::ErrorFormat::json})(
        [](Request&) -> Response { throw std::out_of_range("index 9"); });
    TestClient client{app, {.debug = true}};
    auto r = client.get("/api", {{"Accept", "text/html"}});
    CHECK(r.status == 500);
    CHECK(r.header("content-type") == "application/json");
    CHECK(
        r.body ==
        R"({"error":{"status":500,"message":"Internal Server Error","detail":"std::out_of_range: index 9"}})");
  }

  TEST_CASE("the app's error format covers its routes and the router's 404 and 405") {
    swoop::App app{"api", {.error_format = swoop::ErrorFormat::json}};
    app.get("/boom")([](Request&) -> Response { throw swoop::HttpError{409, "taken"}; });
    app.get("/page", {.error_format = swoop::ErrorFormat::html})(
        [](Request&) -> Response { throw swoop::NotFound{"gone"}; });
    TestClient client{app};
    const swoop::HeaderList curl{{"Accept", "*/*"}};
    auto boom = client.get("/boom", curl);
    CHECK(boom.status == 409);
    CHECK(boom.header("content-type") == "application/json");
    CHECK(boom.body == R"({"error":{"status":409,"message":"taken"}})");
    auto missing = client.get("/nowhere", curl);
    CHECK(missing.status == 404);
    CHECK(missing.header("content-type") == "application/json");
    auto wrong_method = client.post("/boom", "", curl);
    CHECK(wrong_method.status == 405);
    CHECK(wrong_method.header("allow") == "GET, HEAD, OPTIONS");
    CHECK(wrong_method.header("content-type") == "application/json");
    auto page = client.get("/page", curl);  // the route's own format wins
    CHECK(page.status == 404);
    CHECK(page.header("content-type") == "text/html; charset=utf-8");
  }

  TEST_CASE("a blueprint's error format covers its routes and the router's answers below it") {
    swoop::App app;
    swoop::Blueprint api{"api", {.url_prefix = "/api/", .error_format = swoop::ErrorFormat::json}};
    api.get("/items")([](Request&) -> Response { throw swoop::BadRequest{"no"}; });
    api.get("/plain", {.error_format = swoop::ErrorFormat::text})(
        [](Request&) -> Response { throw swoop::BadRequest{"no"}; });
    app.blueprint(api);
    app.get("/apix")([](Request&) -> Response { throw swoop::BadRequest{"no"}; });
    TestClient client{app};
    const swoop::HeaderList curl{{"Accept", "*/*"}};
    const auto type_of = [&](std::string_view target, std::string_view method = "GET") {
      auto r = method == "GET" ? client.get(target, curl) : client.post(target, "", curl);
      return std::string{r.header("content-type").value_or("")};
    };
    CHECK(type_of("/api/items") == "application/json");           // the route, from the blueprint
    CHECK(type_of("/api/items", "POST") == "application/json");   // 405 under the prefix
    CHECK(type_of("/api/nothing/here") == "application/json");    // 404 under the prefix
    CHECK(type_of("/api") == "application/json");                 // the prefix itself
    CHECK(type_of("/api/plain") == "text/plain; charset=utf-8");  // the route's own
    CHECK(type_of("/apix") == "text/plain; charset=utf-8");       // not below /api
    CHECK(type_of("/elsewhere") == "text/plain; charset=utf-8");  // the app's: negotiated
  }

  TEST_CASE("a group's error format reaches members without their own, innermost wins") {
    swoop::App app;
    swoop::Blueprint pages{"pages", {.url_prefix = "/pages"}};
    pages.get("/x")([](Request&) -> Response { throw swoop::Forbidden{"no"}; });
    swoop::Blueprint data{"data",
                          {.url_prefix = "/data", .error_format = swoop::ErrorFormat::json}};
    data.get("/x")([](Request&) -> Response { throw swoop::Forbidden{"no"}; });
    swoop::BlueprintGroup site{
        {pages, data},
        {.url_prefix = "/site", .version = 2, .error_format = swoop::ErrorFormat::html}};
    app.blueprint(site);
    TestClient client{app};
    const swoop::HeaderList curl{{"Accept", "*/*"}};
    const auto type_of = [&](std::string_view target) {
      return std::string{client.get(target, curl).header("content-type").value_or("")};
    };
    CHECK(type_of("/v2/site/pages/x") == "text/html; charset=utf-8");
    CHECK(type_of("/v2/site/pages/missing") == "text/html; charset=utf-8");
    CHECK(type_of("/v2/site/other") == "text/html; charset=utf-8");  // the group's own prefix
    CHECK(type_of("/v2/site/data/x") == "application/json");
    CHECK(type_of("/v2/site/data/missing") == "application/json");
    CHECK(type_of("/site/pages/x") == "text/plain; charset=utf-8");  // not under the version
  }

  TEST_CASE("a blueprint's error format on a host covers that host's 404s only") {
    swoop::App app;
    swoop::Blueprint api{"api", {.host = "api.example", .error_format = swoop::ErrorFormat::json}};
    api.get("/")([](Request&) { return swoop::text("api"); });
    app.blueprint(api);
    TestClient client{app};
    auto on_host = client.get("/missing", {{"Host", "API.example:8080"}, {"Accept", "*/*"}});
    CHECK(on_host.status == 404);
    CHECK(on_host.header("content-type") == "application/json");
    auto elsewhere = client.get("/missing", {{"Host", "www.example"}, {"Accept", "*/*"}});
    CHECK(elsewhere.status == 404);
    CHECK(elsewhere.header("content-type") == "text/plain; charset=utf-8");
  }

  TEST_CASE("a handler's Connection: close is honoured, redirects check their status") {
    swoop::App app;
    app.get("/bye")([](Request&) {
      Response r = swoop::text("bye");
      r.set_header("Connection", "close");
      return r;
    });
    TestClient client{app};
    auto rs = TestClient::parse_responses(
        client.raw("GET /bye HTTP/1.1\r\nHost: a\r\n\r\nGET /bye HTTP/1.1\r\nHost: a\r\n\r\n"));
    REQUIRE(rs.size() == 1);
    CHECK(rs[0].header("connection") == "close");
    CHECK_THROWS_AS(swoop::redirect("/x", 200), std::invalid_argument);
    CHECK_THROWS_AS(swoop::redirect("/x\r\nSet-Cookie: a=b"), std::invalid_argument);
    CHECK(swoop::redirect("/x", 308).status() == 308);
  }

  TEST_CASE("listeners run once per worker in order, stop listeners in reverse") {
    std::mutex m;
    std::map<std::thread::id, std::vector<std::string>> events;  // per worker thread
    auto record = [&](std::string what) {
      std::lock_guard lock{m};
      events[std::this_thread::get_id()].push_back(std::move(what));
    };
    swoop::App app;
    app.before_server_start([&](swoop::App&) { record("before_start 1"); });
    app.before_server_start([&](swoop::App&) -> Task<void> {
      co_await swoop::sleep(1ms);
      record("before_start 2");
    });
    app.after_server_start([&](swoop::App&) { record("after_start"); });
    app.before_server_stop([&](swoop::App&) { record("before_stop 1"); });
    app.before_server_stop([&](swoop::App&) { record("before_stop 2"); });
    app.after_server_stop([&](swoop::App&) { record("after_stop 1"); });
    app.after_server_stop([&](swoop::App&) { record("after_stop 2"); });
    swoop::Blueprint bp{"bp"};
    bp.before_server_start([&](swoop::App&) { record("before_start bp"); });
    bp.after_server_stop([&](swoop::App&) { record("after_stop bp"); });
    app.blueprint(bp);
    {
      TestClient client{app, {.workers = 2}};
      auto started = [&] {  // both workers ran their start listeners
        std::lock_guard lock{m};
        return events.size() == 2 && events.begin()->second.size() == 4 &&
               std::next(events.begin())->second.size() == 4;
      };
      CHECK(wait_for(started, 10s));
    }
    const std::vector<std::string> expected = {
        "before_start 1", "before_start 2", "before_start bp", "after_start", "before_stop 2",
        "before_stop 1",  "after_stop bp",  "after_stop 2",    "after_stop 1"};
    CHECK(events.size() == 2);  // two workers, each on its own thread
    for (const auto& [thread, seen] : events) CHECK(seen == expected);
  }

  TEST_CASE("a failing before_server_start listener stops the server with its error") {
    swoop::App app;
    app.before_server_start([](swoop::App&) { throw std::runtime_error("no database"); });
    swoop::Server server{app, {.port = 0, .workers = 2}};
    server.start();
    CHECK_THROWS_WITH(server.wait(), "no database");
  }

  TEST_CASE("a second server on a port already listened on is refused unless it shares it") {
    // Workers bind with SO_REUSEPORT; without the check a forgotten second instance would
    // start "fine" and take half of the first one's connections.
    swoop::App first_app, second_app;
    first_app.get("/")([](Request&) { return swoop::text("first"); });
    second_app.get("/")([](Request&) { return swoop::text("second"); });
    swoop::Server first{first_app, {.port = 0, .workers = 2}};
    first.start();
    {
      swoop::Server second{second_app, {.port = first.port()}};
      try {
        second.start();
        FAIL("a second server joined a port in use");
      } catch (const swoop::SystemError& e) {
        CHECK(e.code() == std::errc::address_in_use);
        CHECK(std::string{e.what()}.find(std::to_string(first.port())) != std::string::npos);
      }
    }
    {
      swoop::Server shared{second_app, {.port = first.port(), .share_port = true}};
      shared.start();
      CHECK(shared.port() == first.port());
      shared.stop();
      shared.wait();
    }
    first.stop();
    first.wait();
  }

  TEST_CASE("background tasks run in each worker and are cancelled at shutdown") {
    std::atomic<int> started{0}, cancelled{0}, once_started{0};
    swoop::App app;
    app.add_task([&](swoop::App&) -> Task<void> {
      return [](std::atomic<int>& s, std::atomic<int>& c) -> Task<void> {
        ++s;
        try {
          co_await swoop::sleep(60s);
        } catch (const swoop::Cancelled&) {
          ++c;
          throw;
        }
      }(started, cancelled);
    });
    app.add_task(
        [&](swoop::App&) -> Task<void> {
          ++once_started;
          co_return;
        },
        {.once = true});
    std::atomic<int> stop_saw_cancelled{-1};
    app.after_server_stop([&](swoop::App&) { stop_saw_cancelled = cancelled.load(); });
    {
      TestClient client{app, {.workers = 2}};
      wait_for([&] { return started >= 2; }, 10s);
      CHECK(started == 2);
    }
    CHECK(cancelled == 2);
    CHECK(once_started == 1);
    CHECK(stop_saw_cancelled >= 1);  // tasks end before the after_server_stop listeners
  }

  TEST_CASE("app ctx is shared and worker ctx is per worker") {
    struct Greeting {
      std::string text;
    };
    struct Counter {
      int worker = 0;
      int n = 0;
    };
    std::atomic<int> workers{0};
    swoop::App app;
    app.ctx().emplace<Greeting>("hello");
    app.before_server_start([&workers](swoop::App&) {
      swoop::App::worker_ctx().emplace<Counter>(Counter{++workers, 0});
    });
    app.get("/")([&app](Request&) {
      Counter& c = swoop::App::worker_ctx().get<Counter>();
      ++c.n;
      return swoop::text(app.ctx().get<Greeting>().text + " " + std::to_string(c.worker) + " " +
                         std::to_string(c.n));
    });
    TestClient client{app, {.workers = 2}};
    std::map<int, int> counted;  // worker -> the requests it counted
    // Each request is a new connection, which the kernel gives one worker or the other:
    // 64 requests all landing on one of the two happens with probability 2^-63.
    for (int i = 0; i < 64; ++i) {
      const std::string body = client.get("/").body;
      int worker = 0, n = 0;
      REQUIRE(std::sscanf(body.c_str(), "hello %d %d", &worker, &n) == 2);
      CHECK(n == counted[worker] + 1);  // each worker counts only its own requests
      counted[worker] = n;
    }
    CHECK(workers == 2);
    CHECK(counted.size() == 2);
    CHECK_THROWS_AS(swoop::App::worker_ctx(), std::logic_error);
  }

  TEST_CASE("worker ctx values die while the worker's loop can still close their handles") {
    // A value that owns a libuv handle on the worker's loop (as a client or a pool would).
    struct OwnsHandle {
      uv_timer_t* timer = new uv_timer_t{};
      explicit OwnsHandle(std::atomic<int>* closed) {
        uv_timer_init(swoop::Loop::current().native(), timer);
        timer->data = closed;
      }
      OwnsHandle(const OwnsHandle&) = delete;
      OwnsHandle& operator=(const OwnsHandle&) = delete;
      ~OwnsHandle() {
        uv_close(reinterpret_cast<uv_handle_t*>(timer), [](uv_handle_t* h) {
          ++*static_cast<std::atomic<int>*>(h->data);
          delete reinterpret_cast<uv_timer_t*>(h);
        });
      }
    };
    std::atomic<int> closed{0};
    {
      swoop::App app;
      app.before_server_start(
          [&closed](swoop::App&) { swoop::App::worker_ctx().emplace<OwnsHandle>(&closed); });
      app.get("/")([](Request&) { return swoop::text("ok"); });
      TestClient client{app};
      CHECK(client.get("/").body == "ok");
      CHECK(closed == 0);
    }
    CHECK(closed == 1);  // closed on its own loop, and its close callback ran
  }
}
