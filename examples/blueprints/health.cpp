// SPDX-License-Identifier: MIT
// The health blueprint: unversioned, outside the /api group.
#include "api.hpp"

swoop::Blueprint make_health() {
  swoop::Blueprint health{"health"};
  health.route("/health", {.name = "check"})([](swoop::Request&) {
    return swoop::json(swoop::JsonObject{{"status", "ok"}});
  });
  return health;
}
