// SPDX-License-Identifier: MIT
// Uses an installed swoop: registers a route, serves it and checks one real request.
#include <cstdio>
#include <swoop/swoop.hpp>

int main() {
  swoop::App app{"consumer"};
  app.get("/items/<id:int>")([](swoop::Request& req) -> swoop::Task<swoop::Response> {
    co_await swoop::sleep(std::chrono::milliseconds{1});
    co_return swoop::json(swoop::JsonObject{{"id", req.param<std::int64_t>("id")}});
  });
  swoop::TestClient client{app};
  const auto res = client.get("/items/7");
  std::printf("%d %s\n", res.status, res.body.c_str());
  return res.status == 200 && res.body == R"({"id":7})" ? 0 : 1;
}
