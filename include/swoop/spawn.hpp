// SPDX-License-Identifier: MIT
// spawn: run a task detached on the current loop (like asyncio.create_task without a handle).
#pragma once

#include <concepts>
#include <type_traits>

#include "swoop/detail/root.hpp"
#include "swoop/loop.hpp"
#include "swoop/task.hpp"

namespace swoop {

namespace detail {
RootTask spawn_root(Task<void> task);
template <typename Fn>
RootTask spawn_call_root(Fn fn) {
  try {
    co_await fn();
  } catch (...) {
    log_escaped("spawned task", std::current_exception());
  }
}
}  // namespace detail

/// Runs task detached on the current loop, starting at the loop's next iteration.
///
/// An exception escaping the task is logged, never rethrown, never terminates the process.
/// Lifetime: the task must not refer to anything that may die before it ends (pass values).
/// Example:
///     swoop::spawn(send_audit_record(std::string{user}));
inline void spawn(Task<void> task) {
  Loop::current().call_soon(detail::spawn_root(std::move(task)).release());
}

/// Calls fn() inside a detached root frame and awaits the Task<> it returns (so fn's captures
/// live as long as the task: cppcoro's async_scope::spawn rule).
template <typename Fn>
requires std::same_as<std::invoke_result_t<Fn&>, Task<void>>
void spawn(Fn fn) { Loop::current().call_soon(detail::spawn_call_root(std::move(fn)).release()); }

}  // namespace swoop
