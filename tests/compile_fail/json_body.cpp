// SPDX-License-Identifier: MIT
// Reading a body into a type swoop cannot read from JSON.
#include <swoop/swoop.hpp>

struct Item {
  int x = 0;
#if !defined(SWOOP_WRONG)
  static constexpr auto json_fields = swoop::fields(swoop::field("x", &Item::x));
#endif
};

int main() {
  swoop::App app;
  app.post("/")([](swoop::Request& req) {
    req.json<Item>();
    return swoop::text("read");
  });
}
