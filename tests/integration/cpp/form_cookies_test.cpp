// SPDX-License-Identifier: MIT
// req.form(), req.cookies() and Set-Cookie end to end over real sockets.
#include <doctest/doctest.h>
#include <fmt/format.h>

#include <string>

#include "swoop/swoop.hpp"

using swoop::Request;
using swoop::TestClient;

namespace {

void add_routes(swoop::App& app) {
  app.post("/form", [](Request& req) {
    const swoop::FormData& form = req.form();
    std::string out;
    for (auto v : form.get_all("tag")) out.append(v).append(",");
    out.append(form.get("name", "?"));
    if (const swoop::UploadedFile* f = form.file("upload")) {
      out.append("|").append(f->filename).append(":").append(f->content_type).append(":");
      out.append(std::to_string(f->data.size()));
    }
    return swoop::text(out);
  });
  app.get("/cookies")([](Request& req) {
    return swoop::text(std::string{req.cookies().get("session", "none")} + "/" +
                       std::to_string(req.cookies().size()));
  });
  app.get("/login")([](Request&) {
    swoop::Response r = swoop::text("ok");
    r.set_cookie("session", "abc123", {.http_only = true, .same_site = swoop::SameSite::lax});
    r.set_cookie("theme", "dark");
    return r;
  });
  app.get("/logout")([](Request&) {
    swoop::Response r = swoop::text("bye");
    r.delete_cookie("session");
    return r;
  });
}

std::string multipart(const std::string& boundary, const std::string& file_bytes) {
  return "--" + boundary + "\r\nContent-Disposition: form-data; name=\"name\"\r\n\r\nada\r\n--" +
         boundary + "\r\nContent-Disposition: form-data; name=\"tag\"\r\n\r\nx\r\n--" + boundary +
         "\r\nContent-Disposition: form-data; name=\"tag\"\r\n\r\ny\r\n--" + boundary +
         "\r\nContent-Disposition: form-data; name=\"upload\"; filename=\"a.bin\"\r\n"
         "Content-Type: application/octet-stream\r\n\r\n" +
         file_bytes + "\r\n--" + boundary + "--\r\n";
}

}  // namespace

TEST_SUITE("form_cookies") {
  TEST_CASE("urlencoded and multipart forms reach the handler") {
    swoop::App app;
    add_routes(app);
    TestClient client{app};
    auto r = client.post("/form", "name=ada+lovelace&tag=a&tag=b%26c",
                         {{"Content-Type", "application/x-www-form-urlencoded"}});
    CHECK(r.body == "a,b&c,ada lovelace");
    std::string bytes = std::string("\0\r\n--not-the-boundary\r\n", 23) + std::string(100000, 'z');
    auto m = client.post("/form", multipart("XyZ123", bytes),
                         {{"Content-Type", "multipart/form-data; boundary=XyZ123"}});
    CHECK(m.status == 200);
    CHECK(m.body == "x,y,ada|a.bin:application/octet-stream:" + std::to_string(bytes.size()));
  }

  TEST_CASE("bad forms get 400, 413 or 415") {
    swoop::App app;
    add_routes(app);
    swoop::RunOptions options;
    options.form_limits.max_fields = 10;
    TestClient client{app, options};
    CHECK(client.post("/form", "x", {{"Content-Type", "text/plain"}}).status == 415);
    std::string many;
    for (int i = 0; i < 50; ++i) many += "a=1&";
    CHECK(client.post("/form", many, {{"Content-Type", "application/x-www-form-urlencoded"}})
              .status == 413);
    std::string unterminated = multipart("b", "data");
    unterminated.resize(unterminated.size() - 6);  // drop the final boundary's "--\r\n"
    CHECK(client.post("/form", unterminated, {{"Content-Type", "multipart/form-data; boundary=b"}})
              .status == 400);
    CHECK(client.post("/form", "x", {{"Content-Type", "multipart/form-data"}}).status == 400);
  }

  TEST_CASE("cookies are read leniently and set and deleted with attributes") {
    swoop::App app;
    add_routes(app);
    TestClient client{app};
    CHECK(client.get("/cookies", {{"Cookie", "a=1; session=\"s1\"; bad; b=2"}}).body == "s1/3");
    CHECK(client.get("/cookies").body == "none/0");
    // A 100 KB Cookie header is beyond the default head limit (431); with a larger limit it
    // parses, bounded to the first 1000 cookies.
    std::string huge = "x=" + std::string(100000, 'v');
    CHECK(client.get("/cookies", {{"Cookie", huge}}).status == 431);
    TestClient roomy{app, {.max_header_size = 256 * 1024}};
    CHECK(roomy.get("/cookies", {{"Cookie", huge}}).body == "none/1");
    std::string many;
    for (int i = 0; i < 20000; ++i) many += fmt::format("c{}=v; ", i);
    CHECK(roomy.get("/cookies", {{"Cookie", many}}).body == "none/1000");
    auto login = client.get("/login");
    std::vector<std::string> set;
    for (const auto& [name, value] : login.headers) {
      if (swoop::iequals(name, "set-cookie")) set.push_back(value);
    }
    REQUIRE(set.size() == 2);
    CHECK(set[0] == "session=abc123; Path=/; HttpOnly; SameSite=Lax");
    CHECK(set[1] == "theme=dark; Path=/");
    auto logout = client.get("/logout");
    REQUIRE(logout.header("set-cookie"));
    CHECK(logout.header("set-cookie")->find("session=; Max-Age=0") == 0);
  }

  TEST_CASE("json_any_content_type lets req.json() read bodies of any type") {
    swoop::App app;
    app.post("/j", [](Request& req) { return swoop::text(req.json().get<std::string>("a")); });
    TestClient strict{app};
    CHECK(strict.post("/j", R"({"a":"x"})", {{"Content-Type", "text/plain"}}).status == 415);
    CHECK(strict.post("/j", R"({"a":"x"})", {{"Content-Type", "application/json"}}).body == "x");
    strict.stop();
    swoop::App app2;
    app2.post("/j", [](Request& req) { return swoop::text(req.json().get<std::string>("a")); });
    TestClient lenient{app2, {.json_any_content_type = true}};
    CHECK(lenient.post("/j", R"({"a":"y"})", {{"Content-Type", "text/plain"}}).body == "y");
    CHECK(lenient.post("/j", R"({"a":"z"})").body == "z");
  }
}
