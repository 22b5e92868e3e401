// SPDX-License-Identifier: MIT
// spawn: run a task detached on the current loop (like asyncio.create_task).
#pragma once

#include <concepts>
#include <memory>
#include <type_traits>

#include "swoop/detail/root.hpp"
#include "swoop/loop.hpp"
#include "swoop/task.hpp"

namespace swoop {

namespace detail {
/// What a spawned task and its handles share.
struct SpawnState {
  CancelState cancel;
  bool done = false;
};
RootTask spawn_root(Task<void> task, std::shared_ptr<SpawnState> state);
template <typename Fn>
RootTask spawn_call_root(Fn fn, std::shared_ptr<SpawnState> state) {
  try {
    co_await fn();
  } catch (...) {
    log_escaped("spawned task", std::current_exception());
  }
  state->done = true;
}
}  // namespace detail

/// Refers to a spawned task: lets the spawner cancel it or see whether it ended.
///
/// Dropping the handle does not cancel the task.
/// Thread safety: loop-affine, like the task.
class SpawnHandle {
 public:
  /// For spawn(): refers to the task's shared state.
  explicit SpawnHandle(std::shared_ptr<detail::SpawnState> state) noexcept
      : state_(std::move(state)) {}
  /// Asks the task to stop: it sees swoop::Cancelled at its current or next swoop co_await.
  void cancel() noexcept { state_->cancel.cancel(); }
  /// Whether the task has ended (normally, by an exception, or cancelled).
  bool is_done() const noexcept { return state_->done; }

 private:
  std::shared_ptr<detail::SpawnState> state_;
};

/// Runs task detached on the current loop, starting at the loop's next iteration.
///
/// An exception escaping the task is logged, never rethrown, never terminates the process.
/// Lifetime: the task must not refer to anything that may die before it ends (pass values).
/// Example:
///     auto handle = swoop::spawn(send_audit_record(std::string{user}));
///     handle.cancel();
inline SpawnHandle spawn(Task<void> task) {
  auto state = std::make_shared<detail::SpawnState>();
  detail::RootTask root = detail::spawn_root(std::move(task), state);
  root.with_cancel(&state->cancel);
  Loop::current().call_soon(root.release());
  return SpawnHandle{std::move(state)};
}

/// Calls fn() inside a detached root frame and awaits the Task<> it returns (so fn's captures
/// live as long as the task: cppcoro's async_scope::spawn rule).
template <typename Fn>
requires std::same_as<std::invoke_result_t<Fn&>, Task<void>> SpawnHandle spawn(Fn fn) {
  auto state = std::make_shared<detail::SpawnState>();
  detail::RootTask root = detail::spawn_call_root(std::move(fn), state);
  root.with_cancel(&state->cancel);
  Loop::current().call_soon(root.release());
  return SpawnHandle{std::move(state)};
}

}  // namespace swoop
