// SPDX-License-Identifier: MIT
// A server for typed_test.py: POST /items reads an Order with req.json<Order>() (422 listing
// every mistake) and answers it back as JSON (a handler may return a described struct).
// typed_test.py declares the same model in pydantic: change both together.
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "swoop/swoop.hpp"

namespace shop {

enum class Color { red, green, blue };

struct Size {
  std::int32_t w = 0;
  std::int32_t h = 0;
};

struct Item {
  std::string name;
  double price = 0;
  std::uint8_t qty = 0;
  Color color = Color::red;
  std::vector<std::string> tags;  // may be missing: []
  std::optional<Size> size;
};

struct Order {
  std::string customer;
  std::vector<Item> items;
  std::optional<std::string> note;
  std::map<std::string, std::int32_t> counters;  // may be missing: {}
};

}  // namespace shop

template <>
struct swoop::describe<shop::Color> {
  static constexpr std::pair<shop::Color, std::string_view> values[] = {
      {shop::Color::red, "red"}, {shop::Color::green, "green"}, {shop::Color::blue, "blue"}};
};

// Size refuses members it does not name ("unknown_field"); Item and Order ignore them.
template <>
struct swoop::describe<shop::Size> {
  static constexpr bool reject_unknown_fields = true;
  static constexpr auto fields =
      swoop::fields(swoop::field("w", &shop::Size::w, swoop::range(1, 1000)),
                    swoop::field("h", &shop::Size::h, swoop::range(1, 1000)));
};

template <>
struct swoop::describe<shop::Item> {
  static constexpr auto fields = swoop::fields(
      swoop::field("name", &shop::Item::name, swoop::length(1, 40), swoop::pattern("^[a-z0-9-]+$")),
      swoop::field("price", &shop::Item::price, swoop::range(0.0, 10000.0)),
      swoop::field("qty", &shop::Item::qty, swoop::range(1, 99)),
      swoop::field("color", &shop::Item::color),
      swoop::field("tags", &shop::Item::tags, swoop::has_default, swoop::max_items(5)),
      swoop::field("size", &shop::Item::size));
};

template <>
struct swoop::describe<shop::Order> {
  static constexpr auto fields =
      swoop::fields(swoop::field("customer", &shop::Order::customer, swoop::length(1, 40),
                                 swoop::pattern("^[a-z0-9-]+$")),
                    swoop::field("items", &shop::Order::items, swoop::max_items(10)),
                    swoop::field("note", &shop::Order::note),
                    swoop::field("counters", &shop::Order::counters, swoop::has_default));
};

int main() {
  swoop::App app{"typed_server"};
  app.post("/items")([](swoop::Request& req) { return req.json<shop::Order>(); });
  swoop::RunOptions options;
  options.port = 0;  // App::run logs "listening on http://127.0.0.1:PORT" with the chosen port
  options.graceful_shutdown_timeout = std::chrono::milliseconds{3000};
  app.run(options);
  return 0;
}
