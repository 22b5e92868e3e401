// SPDX-License-Identifier: MIT
// The items blueprint: async handlers and its own error handler.
#include "api.hpp"

swoop::Blueprint make_items() {
  swoop::Blueprint items{"items", {.url_prefix = "/items"}};

  items.route("/<name:slug>",
              {.name = "show"})([](swoop::Request& req) -> swoop::Task<swoop::Response> {
    co_await swoop::sleep(std::chrono::milliseconds{1});  // pretend to ask a database
    const auto& store = swoop::App::worker_ctx().get<ItemStore>();
    const auto it = store.prices.find(std::string{req.param("name")});
    if (it == store.prices.end()) throw std::out_of_range("unknown item");
    co_return swoop::json(swoop::JsonObject{{"name", it->first}, {"price", it->second}});
  });

  // Only for this blueprint's routes: an unknown item is a 404 with a hint.
  items.on_error<std::out_of_range>([](swoop::Request& req, const std::out_of_range&) {
    return swoop::json(swoop::JsonObject{{"error", "no such item"}, {"path", req.path()}}, 404);
  });
  return items;
}
