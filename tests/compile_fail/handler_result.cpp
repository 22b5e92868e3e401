// SPDX-License-Identifier: MIT
// A sync handler returning something that is neither a Response nor a typed value.
#include <swoop/swoop.hpp>

int main() {
  swoop::App app;
#if defined(SWOOP_WRONG)
  app.get("/", [](swoop::Request&) { return 42; });
#else
  app.get("/", [](swoop::Request&) { return swoop::text("42"); });
#endif
}
