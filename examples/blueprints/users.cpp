// SPDX-License-Identifier: MIT
// The users blueprint: defined on its own, without ever seeing the app.
#include "api.hpp"

swoop::Blueprint make_users() {
  swoop::Blueprint users{"users", {.url_prefix = "/users"}};

  users.route("/<id:int>", {.name = "show"})([](swoop::Request& req) {
    const auto id = req.param<std::int64_t>("id");
    if (id <= 0 || id > 3) throw swoop::NotFound{"no user " + std::to_string(id)};
    return swoop::json(swoop::JsonObject{{"id", id}, {"name", "user" + std::to_string(id)}});
  });

  users.get("/")([](swoop::Request& req) {
    swoop::JsonArray all;
    for (int id = 1; id <= 3; ++id) {
      all.push_back(
          swoop::JsonObject{{"id", id}, {"host", std::string{req.header("Host").value_or("")}}});
    }
    return swoop::json(all);
  });
  return users;
}
