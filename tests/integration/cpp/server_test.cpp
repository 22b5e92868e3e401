// SPDX-License-Identifier: MIT
// The HTTP/1.1 server over real loopback sockets: routing, keep-alive, pipelining, bodies.
#include <doctest/doctest.h>

#include <atomic>
#include <chrono>
#include <string>
#include <thread>

#include "support/raw_socket.hpp"
#include "swoop/detail/access.hpp"
#include "swoop/swoop.hpp"

using namespace std::chrono_literals;
using swoop::Request;
using swoop::Response;
using swoop::Task;
using swoop::TestClient;
using swoop::test::RawSocket;

namespace {

void add_routes(swoop::App& app) {
  app.get("/hello")([](Request&) { return swoop::text("hello"); });
  app.get("/async")([](Request&) -> Task<Response> {
    co_await swoop::sleep(1ms);
    co_return swoop::text("async");
  });
  app.get("/items/<id:int>")(
      [](Request& req) { return swoop::text("item " + std::to_string(req.param<long>("id"))); });
  app.get("/names/<name>")(
      [](Request& req) { return swoop::text(std::string{req.param("name")}); });
  app.get("/bad-param/<name>")(
      [](Request& req) { return swoop::text(std::to_string(req.param<int>("name"))); });
  app.get("/seq/<n:int>")([](Request& req) { return swoop::text(std::string{req.param("n")}); });
  app.get("/query")([](Request& req) {
    std::string out;
    for (auto v : req.args().get_all("a")) out.append(v).append(",");
    out.append(req.args().get("b", "none"));
    return swoop::text(out);
  });
  app.route("/echo", {.methods = {"POST", "PUT"}})(
      [](Request& req) { return swoop::raw(std::string{req.body()}, "application/octet-stream"); });
  app.get("/headers")([](Request& req) {
    std::string out;
    for (auto v : req.headers().getlist("x-multi")) out.append(v).append("|");  // the alias
    return swoop::text(out);
  });
  app.get("/path")([](Request& req) {
    return swoop::text(std::string{req.path()} + " " + std::string{req.target()});
  });
  app.get("/raw-path/<rest:path>")(
      [](Request& req) { return swoop::text(std::string{req.param("rest")}); });
  app.get("/peer")([](Request& req) { return swoop::text(std::string{req.remote_addr()}); });
  app.get("/throw")([](Request&) -> Response { throw std::runtime_error("secret detail"); });
  app.get("/http-error")([](Request&) -> Response {
    throw swoop::HttpError{418, "short and stout", {{"X-Reason", "teapot"}}};
  });
  app.get("/inject")([](Request&) {
    Response r = swoop::text("x");
    r.set_header("X-Bad", "a\r\nSet-Cookie: evil=1");
    return r;
  });
  app.get("/gather")([](Request&) -> Task<Response> {
    auto [a, b] = co_await swoop::gather(
        []() -> Task<int> {
          co_await swoop::sleep(5ms);
          co_return 1;
        }(),
        swoop::run_blocking([] { return 2; }));
    co_return swoop::text(std::to_string(a + b));
  });
  app.route("/custom", {.methods = {"PURGE"}})(
      [](Request& req) { return swoop::text(std::string{req.method()}); });
  app.get("/json")([](Request&) {
    return swoop::json_text(swoop::to_json(swoop::JsonObject{{"ok", true}}));
  });
  app.get("/redirect")([](Request&) { return swoop::redirect("/hello"); });
  app.get("/empty")([](Request&) { return swoop::empty(); });
  app.route("/items/<id:int>/tags/<tag:slug>", {.name = "item_tag"})(
      [](Request& req) { return swoop::text(std::string{req.param("tag")}); });
  app.get("/ctx")([](Request& req) -> Task<Response> {
    struct User {
      std::string name;
    };
    req.ctx().emplace<User>("ada");
    co_await swoop::sleep(1ms);
    co_return swoop::text(req.ctx().get<User>().name + (req.ctx().contains<int>() ? "!" : "."));
  });
}

}  // namespace

TEST_SUITE("server") {
  TEST_CASE("sync and async handlers answer with status, headers and body") {
    swoop::App app;
    add_routes(app);
    TestClient client{app};
    auto r = client.get("/hello");
    CHECK(r.status == 200);
    CHECK(r.body == "hello");
    CHECK(r.header("content-type") == "text/plain; charset=utf-8");
    CHECK(r.header("content-length") == "5");
    CHECK(r.header("server") == "swoop");
    REQUIRE(r.header("date"));
    CHECK(r.header("date")->size() == 29);
    CHECK(r.header("date")->substr(26) == "GMT");
    CHECK(client.get("/async").body == "async");
    CHECK(client.get("/gather").body == "3");
    CHECK(client.get("/json").body == R"({"ok":true})");
    auto red = client.get("/redirect");
    CHECK(red.status == 302);
    CHECK(red.header("location") == "/hello");
    auto e = client.get("/empty");
    CHECK(e.status == 204);
    CHECK_FALSE(e.header("content-length"));
  }

  TEST_CASE("url_for builds the URL of a named route and it routes back") {
    swoop::App app;
    add_routes(app);
    const std::string url =
        app.url_for("item_tag", {{"id", 7}, {"tag", "red-hot"}}, {{"q", "a b"}});
    CHECK(url == "/items/7/tags/red-hot?q=a%20b");
    CHECK_THROWS_AS(app.url_for("item_tag", {{"id", "x"}, {"tag", "red"}}), std::invalid_argument);
    CHECK_THROWS_AS(app.url_for("nope"), std::invalid_argument);
    TestClient client{app};
    CHECK(client.get(url).body == "red-hot");
    CHECK(client.get("/ctx").body == "ada.");
  }

  TEST_CASE("registration errors are reported when the route is added") {
    swoop::App app;
    add_routes(app);
    CHECK_THROWS_AS(app.get("/hello")([](Request&) { return swoop::text("again"); }),
                    std::invalid_argument);
    CHECK_THROWS_AS(app.get("/items/<id:int")([](Request&) { return swoop::text(""); }),
                    std::invalid_argument);
    CHECK_THROWS_AS(app.get("/x/<id:nosuchtype>")([](Request&) { return swoop::text(""); }),
                    std::invalid_argument);
    TestClient client{app};
    CHECK_THROWS_AS(app.get("/late")([](Request&) { return swoop::text(""); }),
                    std::invalid_argument);
  }

  TEST_CASE("trailing slashes are lenient by default and strict per route or per app") {
    swoop::App lenient;
    lenient.get("/a")([](Request&) { return swoop::text("a"); });
    lenient.route("/s", {.strict_slashes = true})([](Request&) { return swoop::text("s"); });
    swoop::App strict{"strict", {.strict_slashes = true}};
    strict.get("/a")([](Request&) { return swoop::text("a"); });
    TestClient l{lenient};
    CHECK(l.get("/a/").body == "a");
    CHECK(l.get("/s").body == "s");
    CHECK(l.get("/s/").status == 404);
    TestClient s{strict};
    CHECK(s.get("/a").body == "a");
    CHECK(s.get("/a/").status == 404);
  }

  TEST_CASE("registrations stack like decorators") {
    swoop::App app;
    auto handler = app.get("/a")(
        app.get("/b")([](Request& req) { return swoop::text(std::string{req.path()}); }));
    static_cast<void>(handler);
    TestClient client{app};
    CHECK(client.get("/a").body == "/a");
    CHECK(client.get("/b").body == "/b");
  }

  TEST_CASE("typed path parameters convert, and a mismatch is a 404 not a 500") {
    swoop::App app;
    add_routes(app);
    TestClient client{app};
    CHECK(client.get("/items/42").body == "item 42");
    CHECK(client.get("/items/-7").body == "item -7");
    CHECK(client.get("/items/abc").status == 404);
    CHECK(client.get("/names/caf%C3%A9").body == "café");
    CHECK(client.get("/bad-param/abc").status == 400);
    CHECK(client.get("/raw-path/a/b/c.txt").body == "a/b/c.txt");
  }

  TEST_CASE("the path is percent-decoded and the raw target kept") {
    swoop::App app;
    add_routes(app);
    TestClient client{app};
    CHECK(client.get("/path?x=%20").body == "/path /path?x=%20");
    CHECK(client.get("/pa%74h").body == "/path /pa%74h");
    CHECK(client.get("/pa%zzth").status == 400);
    CHECK(client.get("/pa%00th").status == 400);
    CHECK(client.get("http://example.com/path?q=1").body == "/path http://example.com/path?q=1");
  }

  TEST_CASE("an absolute-form target without a path has the path /") {
    swoop::App app;
    app.get("/")([](Request& req) {
      return swoop::text(std::string{req.path()} + " " + std::string{req.query_string()});
    });
    TestClient client{app};
    CHECK(client.get("http://example.com").body == "/ ");
    CHECK(client.get("http://example.com?q=1").body == "/ q=1");
    CHECK(client.get("http://example.com/?q=2").body == "/ q=2");
  }

  TEST_CASE("query arguments keep repeated keys in order and decode plus and escapes") {
    swoop::App app;
    add_routes(app);
    TestClient client{app};
    CHECK(client.get("/query?a=1&a=x+y&a=%26&b=2").body == "1,x y,&,2");
    CHECK(client.get("/query").body == "none");
  }

  TEST_CASE("headers are case-insensitive and multi-valued") {
    swoop::App app;
    add_routes(app);
    TestClient client{app};
    auto r = client.get("/headers", {{"X-Multi", "a"}, {"x-multi", "b"}, {"X-MULTI", " c "}});
    CHECK(r.body == "a|b|c|");
    CHECK(client.get("/peer").body == "127.0.0.1");
  }

  TEST_CASE("405 lists the allowed methods, OPTIONS is automatic, HEAD uses GET without a body") {
    swoop::App app;
    add_routes(app);
    TestClient client{app};
    auto r = client.post("/hello", "x");
    CHECK(r.status == 405);
    CHECK(r.header("allow") == "GET, HEAD, OPTIONS");
    auto o = client.options("/echo");
    CHECK(o.status == 204);
    CHECK(o.header("allow") == "OPTIONS, POST, PUT");
    auto h = client.head("/hello");
    CHECK(h.status == 200);
    CHECK(h.header("content-length") == "5");
    CHECK(h.body.empty());
    std::string raw = client.raw("HEAD /hello HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
    CHECK(raw.find("hello") == std::string::npos);
    CHECK(client.request("PURGE", "/custom").body == "PURGE");
    CHECK(client.get("/nowhere").status == 404);
  }

  TEST_CASE("errors: HttpError keeps its status and headers, other exceptions hide internals") {
    swoop::App app;
    add_routes(app);
    TestClient client{app};
    auto t = client.get("/http-error");
    CHECK(t.status == 418);
    CHECK(t.body == "short and stout");
    CHECK(t.header("x-reason") == "teapot");
    auto j = client.get("/http-error", {{"Accept", "application/json"}});
    CHECK(j.header("content-type") == "application/json");
    CHECK(j.body == R"({"error":{"status":418,"message":"short and stout"}})");
    auto e = client.get("/throw");
    CHECK(e.status == 500);
    CHECK(e.body.find("secret") == std::string::npos);
    CHECK(client.get("/hello").status == 200);  // the server keeps serving
    auto inj = client.get("/inject");
    CHECK(inj.status == 500);
    CHECK_FALSE(inj.header("set-cookie"));
  }

  TEST_CASE("debug mode shows the exception message") {
    swoop::App app;
    add_routes(app);
    TestClient client{app, {.debug = true}};
    CHECK(client.get("/throw").body.find("secret detail") != std::string::npos);
  }

  TEST_CASE("request bodies arrive whole, with Content-Length or chunked") {
    swoop::App app;
    add_routes(app);
    TestClient client{app};
    std::string big(1 << 20, 'x');
    for (std::size_t i = 0; i < big.size(); i += 997) big[i] = static_cast<char>('a' + i % 26);
    CHECK(client.post("/echo", big).body == big);
    std::string raw = client.raw(
        "POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n"
        "5;ext=1\r\nhello\r\n1\r\n \r\n5\r\nworld\r\n0\r\nTrailer-A: 1\r\n\r\n");
    auto rs = TestClient::parse_responses(raw);
    REQUIRE(rs.size() == 1);
    CHECK(rs[0].status == 200);
    CHECK(rs[0].body == "hello world");
  }

  TEST_CASE("a chunked body split across many reads is reassembled") {
    swoop::App app;
    add_routes(app);
    TestClient client{app};
    RawSocket s{client.port()};
    const std::string msg =
        "POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
        "3\r\nabc\r\n10\r\n0123456789abcdef\r\n0\r\n\r\n";
    for (char c : msg) {
      s.send(std::string_view{&c, 1});
      if (c == '\n') std::this_thread::sleep_for(1ms);
    }
    auto got = s.read_until("0123456789abcdef", 2s);
    CHECK(got.find("\r\n\r\nabc0123456789abcdef") != std::string::npos);
  }

  TEST_CASE("text(), html() and json() keep their Content-Type aside until it is asked for") {
    swoop::Response r = swoop::text("hi");
    CHECK(swoop::detail::Access::pending_content_type(r) == "text/plain; charset=utf-8");
    const swoop::Response copy = r;
    CHECK(copy.headers().get("Content-Type") == "text/plain; charset=utf-8");  // placed
    CHECK(swoop::detail::Access::pending_content_type(copy).empty());
    r.set_header("X-A", "1");  // placed first, so it stays the first field
    REQUIRE(r.headers().size() == 2);
    CHECK(r.headers().begin()->name == "Content-Type");
    swoop::Response j = swoop::json(swoop::JsonObject{{"a", 1}});
    j.set_body("<p>", "text/html");  // replaces it
    CHECK(j.headers().get_all("Content-Type") == std::vector<std::string_view>{"text/html"});
    swoop::Response c = swoop::html("<p>");
    c.set_cookie("k", "v");
    CHECK(c.headers().get("Content-Type") == "text/html; charset=utf-8");

    // On the wire: exactly one Content-Type, whether it was placed or not.
    swoop::App app;
    app.get("/pending")([](Request&) { return swoop::text("p"); });
    app.get("/placed")([](Request&) {
      swoop::Response r = swoop::text("p");
      r.set_header("X-B", "2");
      return r;
    });
    TestClient client{app};
    RawSocket s{client.port()};
    s.send("GET /pending HTTP/1.1\r\nHost: x\r\n\r\nGET /placed HTTP/1.1\r\nHost: x\r\n\r\n");
    const std::string got = s.read_until("X-B: 2", 2s);
    const std::string first = got.substr(0, got.find("HTTP/1.1", 1));
    CHECK(first.find("Content-Type: text/plain; charset=utf-8\r\n") != std::string::npos);
    std::size_t n = 0;
    for (std::size_t at = 0; (at = got.find("Content-Type:", at)) != std::string::npos; ++at) ++n;
    CHECK(n == 2);
  }

  TEST_CASE("keep-alive serves several requests on one connection") {
    swoop::App app;
    add_routes(app);
    TestClient client{app};
    RawSocket s{client.port()};
    s.send("GET /hello HTTP/1.1\r\nHost: x\r\n\r\n");
    CHECK(s.read_until("hello", 2s).find("hello") != std::string::npos);
    s.send("GET /async HTTP/1.1\r\nHost: x\r\n\r\n");
    CHECK(s.read_until("async", 2s).find("async") != std::string::npos);
    CHECK_FALSE(s.is_eof());
  }

  TEST_CASE("pipelined requests are answered in order, sync and async mixed") {
    swoop::App app;
    add_routes(app);
    TestClient client{app};
    std::string burst;
    for (int i = 0; i < 100; ++i) {
      burst += i % 7 == 3 ? "GET /async HTTP/1.1\r\nHost: x\r\n\r\n"
                          : "GET /seq/" + std::to_string(i) + " HTTP/1.1\r\nHost: x\r\n\r\n";
    }
    burst += "GET /seq/999 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n";
    auto rs = TestClient::parse_responses(client.raw(burst));
    REQUIRE(rs.size() == 101);
    for (int i = 0; i < 100; ++i) {
      CHECK(rs[static_cast<std::size_t>(i)].body ==
            (i % 7 == 3 ? std::string{"async"} : std::to_string(i)));
    }
    CHECK(rs[100].header("connection") == "close");
  }

  TEST_CASE("HTTP/1.0 closes by default and keeps alive when asked") {
    swoop::App app;
    add_routes(app);
    TestClient client{app};
    RawSocket s{client.port()};
    s.send("GET /hello HTTP/1.0\r\n\r\n");
    CHECK(s.wait_closed(2s));
    CHECK(s.received().find("Connection: close") != std::string::npos);
    RawSocket k{client.port()};
    k.send("GET /hello HTTP/1.0\r\nConnection: keep-alive\r\n\r\n");
    CHECK(k.read_until("hello", 2s).find("Connection: keep-alive") != std::string::npos);
    CHECK_FALSE(k.is_eof());
  }

  TEST_CASE("Expect: 100-continue gets an interim response before the body is sent") {
    swoop::App app;
    add_routes(app);
    TestClient client{app};
    RawSocket s{client.port()};
    s.send("POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 4\r\nExpect: 100-continue\r\n\r\n");
    CHECK(s.read_until("\r\n\r\n", 2s) == "HTTP/1.1 100 Continue\r\n\r\n");
    s.send("body");
    CHECK(s.read_until("body", 2s).find("200 OK") != std::string::npos);
    auto r = client.raw(
        "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\nExpect: teapot\r\n\r\nx");
    CHECK(r.rfind("HTTP/1.1 417", 0) == 0);
  }

  TEST_CASE("a Connection: close request gets its response and then a closed connection") {
    swoop::App app;
    add_routes(app);
    TestClient client{app};
    RawSocket s{client.port()};
    s.send(
        "GET /hello HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\nGET /async HTTP/1.1\r\nHost: "
        "x\r\n\r\n");
    CHECK(s.wait_closed(2s));
    CHECK(s.received().find("hello") != std::string::npos);
    CHECK(s.received().find("async") == std::string::npos);  // nothing after close is routed
  }
}
