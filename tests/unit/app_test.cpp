// SPDX-License-Identifier: MIT
// Tests of swoop/app.hpp: the App's name, url_for, readiness, tasks, and closed registration.
#include <doctest/doctest.h>

#include <atomic>
#include <chrono>
#include <memory>
#include <stdexcept>
#include <string>
#include <system_error>

#include "support/wait.hpp"
#include "swoop/swoop.hpp"

using namespace std::chrono_literals;
using swoop::Request;
using swoop::Response;

namespace {

Response hello(Request&) { return swoop::text("hello"); }

struct Seen {
  std::string name;
};

}  // namespace

TEST_SUITE("app") {
  TEST_CASE("an App is called swoop unless it is given a name") {
    CHECK(swoop::App{}.name() == "swoop");
    CHECK(swoop::App{"shop"}.name() == "shop");
  }

  TEST_CASE("url_for builds a named route's URL with its parameters and an encoded query") {
    swoop::App app;
    app.get("/items/<id:int>", {.name = "item"})(hello);
    app.get("/about", {.name = "about"})(hello);
    CHECK(app.url_for("item", {{"id", 7}}, {{"q", "x y"}}) == "/items/7?q=x%20y");
    CHECK(app.url_for("about") == "/about");
    const swoop::App& read_only = app;
    CHECK(read_only.url_for("item", {{"id", 42}}) == "/items/42");
    CHECK_THROWS_AS(app.url_for("nowhere"), std::invalid_argument);
    CHECK_THROWS_AS(app.url_for("item", {{"id", "seven"}}), std::invalid_argument);
    CHECK_THROWS_AS(app.url_for("item"), std::invalid_argument);  // id missing
  }

  TEST_CASE("AppOptions strict_slashes is the default of routes that do not say") {
    swoop::App lenient;
    lenient.get("/a")(hello);
    swoop::App strict{"strict", {.strict_slashes = true}};
    strict.get("/a")(hello);
    strict.get("/b", {.strict_slashes = false})(hello);  // a route's own choice wins
    swoop::TestClient lc{lenient};
    swoop::TestClient sc{strict};
    CHECK(lc.get("/a").status == 200);
    CHECK(lc.get("/a/").status == 200);
    CHECK(sc.get("/a").status == 200);
    CHECK(sc.get("/a/").status == 404);
    CHECK(sc.get("/b/").status == 200);
  }

  TEST_CASE("registration is refused with std::invalid_argument while the app serves") {
    swoop::App app{"busy"};
    app.get("/")(hello);
    swoop::Blueprint late{"late"};
    late.get("/late")(hello);
    swoop::TestClient client{app};
    CHECK_THROWS_AS(app.get("/new")(hello), std::invalid_argument);
    CHECK_THROWS_AS(app.add_route("/new", {}, swoop::Handler{hello}), std::invalid_argument);
    CHECK_THROWS_AS(app.blueprint(late), std::invalid_argument);
    CHECK_THROWS_AS(app.on_request([](Request&) {}), std::invalid_argument);
    CHECK_THROWS_AS(app.use(swoop::timing()), std::invalid_argument);
    CHECK_THROWS_AS(app.after_server_start([](swoop::App&) {}), std::invalid_argument);
    CHECK_THROWS_AS(app.add_task([](swoop::App&) {}), std::invalid_argument);
    CHECK_THROWS_AS(app.on_error<std::runtime_error>(
                        [](Request&, const std::runtime_error&) { return swoop::text("x"); }),
                    std::invalid_argument);
    CHECK(client.get("/").body == "hello");  // what was registered before still serves
    CHECK(client.get("/new").status == 404);
    CHECK(client.get("/late").status == 404);
  }

  TEST_CASE("is_ready is set while a server serves the app and follows set_ready") {
    swoop::App app;
    app.get("/")(hello);
    CHECK_FALSE(app.is_ready());
    {
      swoop::TestClient client{app};
      CHECK(app.is_ready());
      app.set_ready(false);  // maintenance: still serving
      CHECK_FALSE(app.is_ready());
      CHECK(client.get("/").body == "hello");
      app.set_ready(true);
      CHECK(app.is_ready());
      client.stop();
      CHECK_FALSE(app.is_ready());  // cleared by stop()
    }
    app.set_ready(true);  // also on an app that does not serve: a plain flag
    CHECK(app.is_ready());
  }

  TEST_CASE("add_task runs its function with the app once it serves, in one worker with once") {
    swoop::App app{"tasks"};
    app.ctx().emplace<Seen>();
    auto each = std::make_shared<std::atomic<int>>(0);
    auto once = std::make_shared<std::atomic<int>>(0);
    auto names = std::make_shared<std::atomic<int>>(0);
    app.add_task([each, names](swoop::App& served) {
      if (served.name() == "tasks") ++*names;
      ++*each;
    });
    app.add_task(
        [once](swoop::App& served) -> swoop::Task<void> {
          served.ctx().get<Seen>().name = served.name();  // one worker only: no race
          ++*once;
          co_return;
        },
        {.once = true});
    {
      swoop::TestClient client{app, {.workers = 2}};
      CHECK(swoop::test::wait_for([&] { return *each == 2 && *once == 1; }, 10s));
    }
    CHECK(*each == 2);
    CHECK(*names == 2);
    CHECK(*once == 1);
    CHECK(app.ctx().get<Seen>().name == "tasks");
  }

  TEST_CASE("run throws SystemError when its port is already listened on") {
    swoop::App first;
    first.get("/")(hello);
    swoop::TestClient taken{first};
    swoop::App second{"second"};
    second.get("/")(hello);
    try {
      second.run({.port = taken.port()});
      FAIL("run served on a port in use");
    } catch (const swoop::SystemError& e) {
      CHECK(e.code() == std::errc::address_in_use);
    }
    CHECK_FALSE(second.is_ready());
    CHECK(taken.get("/").body == "hello");  // the first server is untouched
  }
}
