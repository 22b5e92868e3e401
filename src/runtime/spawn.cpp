// SPDX-License-Identifier: MIT
// The root frame of a spawned task.
#include "swoop/spawn.hpp"

namespace swoop::detail {

RootTask spawn_root(Task<void> task) {
  try {
    co_await std::move(task);
  } catch (...) {
    log_escaped("spawned task", std::current_exception());
  }
}

}  // namespace swoop::detail
