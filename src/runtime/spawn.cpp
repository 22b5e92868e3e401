// SPDX-License-Identifier: MIT
// The root frame of a spawned task.
#include "swoop/spawn.hpp"

namespace swoop::detail {

RootTask spawn_root(Task<void> task, std::shared_ptr<SpawnState> state) {
  try {
    co_await std::move(task);
  } catch (...) {
    log_escaped("spawned task", std::current_exception());
  }
  state->done = true;
}

}  // namespace swoop::detail
