// SPDX-License-Identifier: MIT
// req.json() over real loopback sockets: typed reads, 400/415 errors, caching, big and deep
// bodies, pipelining and interleaved handlers.
#include <doctest/doctest.h>
#include <fmt/format.h>
#include <simdjson.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <thread>
#include <tuple>
#include <utility>
#include <vector>

#include "json/document.hpp"
#include "swoop/swoop.hpp"

using namespace std::chrono_literals;
using swoop::JsonView;
using swoop::Request;
using swoop::Response;
using swoop::Task;
using swoop::TestClient;

namespace {

const swoop::HeaderList json_type{{"Content-Type", "application/json"}};

struct Signup {
  std::string name;
  int age = 0;
  std::vector<std::string> tags;
  std::optional<std::string> email;
};

void to_json(swoop::JsonWriter& w, const Signup& s) {
  w.begin_object();
  w.member("name", s.name);
  w.member("age", s.age);
  w.member("tags", s.tags);
  w.member("email", s.email);
  w.end_object();
}

void add_routes(swoop::App& app) {
  app.post("/signup")([](Request& req) {
    const JsonView body = req.json();
    Signup s;
    s.name = body.get<std::string>("name");
    s.age = body.get<std::uint8_t>("age");
    for (const JsonView tag : body["tags"].elements()) s.tags.push_back(tag.get<std::string>());
    s.email = body.get_optional<std::string>("email");
    return swoop::json(s, 201);
  });
  app.post("/echo")([](Request& req) { return swoop::json(req.json()); });
  app.post("/count")([](Request& req) {
    std::uint64_t count = 0, sum = 0;
    for (const JsonView item : req.json()["items"].elements()) {
      ++count;
      sum += item.get<std::uint64_t>("id");
      (void)item.get<std::string_view>("name");
    }
    return swoop::json(std::map<std::string, std::uint64_t>{{"count", count}, {"sum", sum}});
  });
  app.post("/twice")([](Request& req) {
    const std::uint64_t before = swoop::detail::json_parse_count();
    std::string first_error, second_error;
    std::string same = "no";
    try {
      const JsonView a = req.json();
      const JsonView b = req.json();
      same =
          a.get<std::string_view>("s").data() == b.get<std::string_view>("s").data() ? "yes" : "no";
    } catch (const swoop::HttpError& e) {
      first_error = e.what();
      try {
        (void)req.json();
      } catch (const swoop::HttpError& again) {
        second_error = again.what();
      }
    }
    const std::uint64_t parses = swoop::detail::json_parse_count() - before;
    return swoop::json(std::tuple{parses, same, first_error == second_error});
  });
  // Reads its document after a suspension, while other requests on the worker parse theirs.
  app.post("/slow")([](Request& req) -> Task<Response> {
    const JsonView body = req.json();
    const auto n = body.get<int>("n");
    co_await swoop::sleep(std::chrono::milliseconds{body.get<int>("sleep_ms")});
    co_return swoop::json(std::pair{n, body.get<std::string>("tag")});
  });
}

std::string numbered(int n) {
  return R"({"n":)" + std::to_string(n) + R"(,"sleep_ms":)" + std::to_string(20 + (n * 7) % 30) +
         R"(,"tag":"t)" + std::to_string(n) + R"("})";
}

}  // namespace

TEST_SUITE("json_input") {
  TEST_CASE("a valid body is read with typed access and answered with json()") {
    swoop::App app;
    add_routes(app);
    TestClient client{app};
    const auto res = client.post(
        "/signup", R"({"name":"Ann","age":30,"tags":["a","b\n"],"email":null,"extra":[1]})",
        json_type);
    CHECK(res.status == 201);
    CHECK(res.header("Content-Type") == "application/json");
    CHECK(res.body == R"({"name":"Ann","age":30,"tags":["a","b\n"],"email":null})");
    const auto with_email =
        client.post("/signup", R"({"name":"B","age":1,"tags":[],"email":"b@x"})", json_type);
    CHECK(with_email.body == R"({"name":"B","age":1,"tags":[],"email":"b@x"})");
  }

  TEST_CASE("missing fields and wrong types are 400s naming the field") {
    swoop::App app;
    add_routes(app);
    TestClient client{app};
    auto res = client.post("/signup", R"({"age":30,"tags":[]})", json_type);
    CHECK(res.status == 400);
    CHECK(res.body == R"(missing field "name")");
    res = client.post("/signup", R"({"name":5,"age":30,"tags":[]})", json_type);
    CHECK(res.status == 400);
    CHECK(res.body == R"(field "name" must be a string, not an integer)");
    res = client.post("/signup", R"({"name":"x","age":300,"tags":[]})", json_type);
    CHECK(res.status == 400);
    CHECK(res.body == R"(field "age" must be an integer from 0 to 255)");
    res = client.post("/signup", R"({"name":"x","age":3,"tags":["ok",false]})", json_type);
    CHECK(res.status == 400);
    CHECK(res.body == R"(field "tags[1]" must be a string, not a boolean)");
    res = client.post("/signup", R"([1,2])", json_type);
    CHECK(res.status == 400);
    CHECK(res.body == "the JSON body must be an object, not an array");
  }

  TEST_CASE("a client that accepts JSON gets the 400 as a JSON error object") {
    swoop::App app;
    add_routes(app);
    TestClient client{app};
    const auto res =
        client.post("/signup", R"({"name":"x","age":"3"})",
                    {{"Content-Type", "application/json"}, {"Accept", "application/json"}});
    CHECK(res.status == 400);
    simdjson::dom::parser parser;
    simdjson::dom::element error;
    REQUIRE(parser.parse(res.body).get(error) == simdjson::SUCCESS);
    std::string_view message;
    REQUIRE(error["error"]["message"].get(message) == simdjson::SUCCESS);
    CHECK(message == R"(field "age" must be an integer, not a string)");
  }

  TEST_CASE("malformed JSON is a 400 that says what and where") {
    swoop::App app;
    add_routes(app);
    TestClient client{app};
    auto res = client.post("/echo", "{\"a\": [1, 2,\n  3 4]}", json_type);
    CHECK(res.status == 400);
    CHECK(res.body.starts_with(
        "malformed JSON at line 2, column 5 (byte offset 17): expected ',' or ']' after an array "
        "element (simdjson: The JSON document has an improper structure"));
    res = client.post("/echo", "{\"a\":\"\xff\"}", json_type);
    CHECK(res.status == 400);
    CHECK(
        res.body.starts_with("malformed JSON at line 1, column 7 (byte offset 6): invalid UTF-8"));
    res = client.post("/echo", "   ", json_type);
    CHECK(res.status == 400);
    CHECK(res.body.starts_with("malformed JSON: the body holds no JSON value"));
  }

  TEST_CASE("an empty body is a 400") {
    swoop::App app;
    add_routes(app);
    TestClient client{app};
    const auto res = client.post("/echo", "", json_type);
    CHECK(res.status == 400);
    CHECK(res.body == "the request has no body; JSON was expected");
  }

  TEST_CASE("JSON nested 10,000 deep is a 400, not a crash") {
    swoop::App app;
    add_routes(app);
    TestClient client{app};
    const std::string arrays = std::string(10000, '[') + std::string(10000, ']');
    auto res = client.post("/echo", arrays, json_type);
    CHECK(res.status == 400);
    CHECK(res.body.starts_with(
        "malformed JSON at line 1, column 1025 (byte offset 1024): arrays and objects nested "
        "more than 1024 deep"));
    std::string objects;
    for (int i = 0; i < 10000; ++i) objects += R"({"a":)";
    objects += "1" + std::string(10000, '}');
    res = client.post("/echo", objects, json_type);
    CHECK(res.status == 400);
    CHECK(res.body.find("nested more than 1024 deep") != std::string::npos);
    // 1024 levels are fine, and the echo writes them back.
    const std::string deepest = std::string(1024, '[') + std::string(1024, ']');
    res = client.post("/echo", deepest, json_type);
    CHECK(res.status == 200);
    CHECK(res.body == deepest);
  }

  TEST_CASE("a 5 MB document is parsed and iterated") {
    swoop::App app;
    add_routes(app);
    TestClient client{app};
    std::string body = R"({"items":[)";
    std::uint64_t sum = 0;
    int n = 0;
    while (body.size() < 5 * 1024 * 1024) {
      if (n > 0) body += ',';
      body += R"({"id":)" + std::to_string(n) + R"(,"name":"item \")" + std::to_string(n) +
              R"(\"\n\u00e9","tags":["a","b"],"price":)" + std::to_string(n) + R"(.25})";
      sum += static_cast<std::uint64_t>(n);
      ++n;
    }
    body += "]}";
    const auto res = client.post("/count", body, json_type);
    CHECK(res.status == 200);
    CHECK(res.body ==
          R"({"count":)" + std::to_string(n) + R"(,"sum":)" + std::to_string(sum) + "}");
    // The echo writes the same document back.
    const auto echo = client.post("/echo", body, json_type);
    CHECK(echo.status == 200);
    CHECK(echo.body.size() > 4 * 1024 * 1024);  // \u00e9 comes back as two bytes
    simdjson::dom::parser parser;
    simdjson::dom::element back;
    REQUIRE(parser.parse(echo.body).get(back) == simdjson::SUCCESS);
    CHECK(back["items"].get_array().size() == static_cast<std::size_t>(n));
  }

  TEST_CASE("only application/json and +json types are accepted, else 415") {
    swoop::App app;
    add_routes(app);
    TestClient client{app};
    const std::string body = R"({"x":1})";
    for (const char* type : {"application/json", "application/json; charset=utf-8",
                             "Application/JSON ;charset=UTF-8", "application/vnd.api+json",
                             "application/problem+JSON", "application/ld+json; profile=x"}) {
      CAPTURE(type);
      const auto res = client.post("/echo", body, {{"Content-Type", type}});
      CHECK(res.status == 200);
      CHECK(res.body == body);
    }
    for (const char* type :
         {"text/plain", "application/jsonp", "text/json", "application/x-json", "application/+json",
          "json", "application/json x", "application/xml"}) {
      CAPTURE(type);
      const auto res = client.post("/echo", body, {{"Content-Type", type}});
      CHECK(res.status == 415);
      CHECK(res.body.starts_with("a JSON body needs Content-Type application/json"));
    }
    const auto none = client.post("/echo", body);
    CHECK(none.status == 415);
    const auto long_type = client.post("/echo", body, {{"Content-Type", std::string(500, 'x')}});
    CHECK(long_type.status == 415);
    CHECK(long_type.body.size() < 200);
  }

  TEST_CASE("json() parses once per request, and a failure is cached too") {
    swoop::App app;
    add_routes(app);
    TestClient client{app};
    auto res = client.post("/twice", R"({"s":"text"})", json_type);
    CHECK(res.body == R"([1,"yes",true])");
    res = client.post("/twice", R"({"s":)", json_type);
    CHECK(res.body == R"([1,"no",true])");
  }

  TEST_CASE("pipelined requests with JSON bodies each see their own document") {
    swoop::App app;
    add_routes(app);
    TestClient client{app};
    std::string bytes;
    constexpr int count = 12;
    for (int i = 0; i < count; ++i) {
      const std::string body = i % 4 == 3 ? std::string{R"({"n":)"} : numbered(i);
      bytes += "POST " + std::string{i % 2 ? "/slow" : "/echo"} +
               " HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\nContent-Length: " +
               std::to_string(body.size()) + (i == count - 1 ? "\r\nConnection: close" : "") +
               "\r\n\r\n" + body;
    }
    const auto responses = TestClient::parse_responses(client.raw(bytes));
    REQUIRE(responses.size() == count);
    for (int i = 0; i < count; ++i) {
      CAPTURE(i);
      if (i % 4 == 3) {
        CHECK(responses[i].status == 400);
      } else if (i % 2) {
        CHECK(responses[i].body == "[" + std::to_string(i) + ",\"t" + std::to_string(i) + "\"]");
      } else {
        CHECK(responses[i].body == numbered(i));
      }
    }
  }

  TEST_CASE("interleaved handlers on one worker keep their own documents") {
    swoop::App app;
    add_routes(app);
    TestClient client{app};
    constexpr int count = 16;
    std::vector<std::string> bodies(count);
    std::vector<std::thread> threads;
    for (int i = 0; i < count; ++i) {
      threads.emplace_back(
          [&, i] { bodies[i] = client.post("/slow", numbered(i), json_type).body; });
    }
    for (auto& t : threads) t.join();
    for (int i = 0; i < count; ++i) {
      CHECK(bodies[i] == fmt::format("[{},\"t{}\"]", i, i));
    }
  }
}
