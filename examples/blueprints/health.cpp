// SPDX-License-Identifier: MIT
// The health blueprint: unversioned, outside the /api group.
#include "api.hpp"

swoop::Blueprint make_health() {
  swoop::Blueprint health{"health"};
  health.route("/health", {.name = "check", .summary = "Whether the service is up"})(
      [](swoop::Request&) { return Health{"ok"}; });
  return health;
}
