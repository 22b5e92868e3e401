// SPDX-License-Identifier: MIT
// The items blueprint: typed handlers (an Item in, an Item out) and its own error handler.
#include "api.hpp"

swoop::Blueprint make_items() {
  swoop::Blueprint items{"items", {.url_prefix = "/items"}};

  // A handler that returns a described struct answers it as JSON.
  items.route("/<name:slug>",
              {.name = "show", .summary = "Read an item", .responses = {{404, "no such item"}}})(
      [](swoop::Request& req) -> swoop::Task<Item> {
        co_await swoop::sleep(std::chrono::milliseconds{1});  // pretend to ask a database
        const auto& store = swoop::App::worker_ctx().get<ItemStore>();
        const auto it = store.items.find(std::string{req.param("name")});
        if (it == store.items.end()) throw std::out_of_range("unknown item");
        co_return it->second;
      });

  // req.json<Item>() checks every field (a 422 lists every mistake); the stored item is
  // answered with the route's status, 201. The options also tell the API document
  // (/openapi.json) the body the route reads and the answers it may give.
  items.route("/", {.methods = {"POST"},
                    .name = "create",
                    .status = 201,
                    .summary = "Add an item to the store",
                    .body = swoop::body<Item>(),
                    .responses = {{409, "an item of this name exists"}}})([](swoop::Request& req) {
    Item item = req.json<Item>();
    auto& store = swoop::App::worker_ctx().get<ItemStore>();
    if (!store.items.try_emplace(item.name, item).second) {
      throw swoop::Conflict{"item " + item.name + " exists"};
    }
    return item;
  });

  // Only for this blueprint's routes: an unknown item is a 404 with a hint.
  items.on_error<std::out_of_range>([](swoop::Request& req, const std::out_of_range&) {
    return swoop::json(swoop::JsonObject{{"error", "no such item"}, {"path", req.path()}}, 404);
  });
  return items;
}
