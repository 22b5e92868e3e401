// SPDX-License-Identifier: MIT
// The guide's first program (docs/guide/getting-started.md) with the port from argv[1]: a main()
// without try/catch, for tests/integration/py/startup_test.py.
#include <cstdlib>

#include "swoop/swoop.hpp"

int main(int argc, char** argv) {
  swoop::App app{"hello"};

  app.get("/hello/<name>")([](swoop::Request& req) {
    return swoop::text("Hello, " + std::string{req.param("name")} + "!\n");
  });

  const int port = argc > 1 ? std::atoi(argv[1]) : 8000;
  app.run({.host = "127.0.0.1", .port = static_cast<std::uint16_t>(port)});
}
