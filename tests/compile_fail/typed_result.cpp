// SPDX-License-Identifier: MIT
// A handler returning a struct swoop cannot describe: swoop's message, not pages of concepts.
// Every file here is compiled twice (tests/CMakeLists.txt): as it is, where it must build, and
// with SWOOP_WRONG, where it must fail with the message its test expects.
#include <swoop/swoop.hpp>

struct Item {
  int x = 0;
#if !defined(SWOOP_WRONG)
  static constexpr auto json_fields = swoop::fields(swoop::field("x", &Item::x));
#endif
};

int main() {
  swoop::App app;
  app.get("/")([](swoop::Request&) { return Item{}; });
  app.post("/", [](swoop::Request&) -> swoop::Task<std::vector<Item>> { co_return {}; });
}
