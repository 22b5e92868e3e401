// SPDX-License-Identifier: MIT
// hello: the TechEmpower-style plaintext and json endpoints, the benchmark target.
#include <swoop/swoop.hpp>

#include "example_args.hpp"

int main(int argc, char** argv) {
  swoop::App app{"hello"};

  app.get("/plaintext")([](swoop::Request&) { return swoop::text("Hello, World!"); });

  app.get("/json")([](swoop::Request&) {
    // Serialized per request, as the TechEmpower rules ask.
    return swoop::json(swoop::JsonObject{{"message", "Hello, World!"}});
  });

  app.get("/")([](swoop::Request&) -> swoop::Task<swoop::Response> {
    co_return swoop::text("swoop says hello: try /plaintext or /json\n");
  });

  app.add_health_routes();  // GET /healthz and /readyz, for a load balancer (deploy/)

  return example::run(app, argc, argv, 8000);
}
