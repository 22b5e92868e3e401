// SPDX-License-Identifier: MIT
// Registry: middleware and listener registration shared by App and Blueprint.
#include "swoop/registry.hpp"

namespace swoop {

void Registry::add_middleware(Middleware middleware) {
  check_open();
  middleware_.push_back(std::move(middleware));
}

void Registry::add_listener(ListenerEvent event, Listener fn) {
  check_open();
  listeners_.emplace_back(event, std::move(fn));
}

}  // namespace swoop
