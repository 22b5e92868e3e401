// SPDX-License-Identifier: MIT
// Uses swoop from outside its tree: registers a route, serves it and checks one real request.
#include <fmt/format.h>

#include <swoop/swoop.hpp>

int main() {
  // The library linked is the one the headers describe (not a stale copy found elsewhere).
  const auto headers =
      fmt::format("{}.{}.{}", SWOOP_VERSION_MAJOR, SWOOP_VERSION_MINOR, SWOOP_VERSION_PATCH);
  fmt::print("swoop {} (headers {})\n", swoop::version(), headers);
  if (swoop::version() != headers) return 1;

  swoop::App app{"consumer"};
  app.get("/items/<id:int>")([](swoop::Request& req) -> swoop::Task<swoop::Response> {
    co_await swoop::sleep(std::chrono::milliseconds{1});
    co_return swoop::json(swoop::JsonObject{{"id", req.param<std::int64_t>("id")}});
  });
  swoop::TestClient client{app};
  const auto res = client.get("/items/7");
  fmt::print("{} {}\n", res.status, res.body);
  return res.status == 200 && res.body == R"({"id":7})" ? 0 : 1;
}
