// SPDX-License-Identifier: MIT
// The users blueprint: defined on its own, without ever seeing the app.
#include "api.hpp"

swoop::Blueprint make_users() {
  swoop::Blueprint users{"users", {.url_prefix = "/users"}};

  users.route("/<id:int>",
              {.name = "show", .summary = "Read a user", .responses = {{404, "no such user"}}})(
      [](swoop::Request& req) {
        const auto id = req.param<std::int64_t>("id");
        if (id <= 0 || id > 3) throw swoop::NotFound{"no user " + std::to_string(id)};
        return User{id, "user" + std::to_string(id)};
      });
  users.route("/", {.summary = "List the users"})([](swoop::Request&) {
    std::vector<User> all;
    for (std::int64_t id = 1; id <= 3; ++id) all.push_back({id, "user" + std::to_string(id)});
    return all;
  });
  return users;
}
