// SPDX-License-Identifier: MIT
// A handler that does not take the request: the message names the accepted shapes.
#include <swoop/swoop.hpp>

int main() {
  swoop::App app;
#if defined(SWOOP_WRONG)
  app.get("/")([](int) { return swoop::text("no request"); });
#else
  app.get("/")([](swoop::Request&) { return swoop::text("a request"); });
#endif
}
