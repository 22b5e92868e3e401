// SPDX-License-Identifier: MIT
// RootTask: the fire-and-forget coroutine at the bottom of spawned work, gathers and servers.
#pragma once

#include <coroutine>
#include <exception>

#include "swoop/task.hpp"

namespace swoop::detail {

/// Logs an exception that escaped a root task (never rethrows).
void log_escaped(const char* where, std::exception_ptr e) noexcept;

/// A coroutine that starts suspended and frees itself when it ends.
///
/// Its body must catch everything: an escaping exception is logged, never rethrown.
/// Lifetime: owned by nobody once started; the frame destroys itself at its end.
class RootTask {
 public:
  struct promise_type : PromiseBase {
    RootTask get_return_object() noexcept {
      return RootTask{std::coroutine_handle<promise_type>::from_promise(*this)};
    }
    std::suspend_never final_suspend() const noexcept { return {}; }
    void return_void() noexcept {}
    void unhandled_exception() noexcept { log_escaped("root task", std::current_exception()); }
  };

  explicit RootTask(std::coroutine_handle<promise_type> h) noexcept : handle_(h) {}
  RootTask(RootTask&& o) noexcept : handle_(std::exchange(o.handle_, {})) {}
  RootTask(const RootTask&) = delete;
  RootTask& operator=(const RootTask&) = delete;
  ~RootTask() {
    if (handle_) handle_.destroy();
  }

  /// Sets the cancel state of the root's whole tree of tasks.
  RootTask& with_cancel(CancelState* state) noexcept {
    handle_.promise().cancel = state;
    return *this;
  }
  /// Gives up ownership and returns the handle to resume.
  std::coroutine_handle<> release() noexcept { return std::exchange(handle_, {}); }
  /// Runs the root now, until its first suspension.
  void start() noexcept { release().resume(); }

 private:
  std::coroutine_handle<promise_type> handle_;
};

/// An awaiter that yields the awaiting coroutine's cancel state without suspending.
struct CurrentCancelState {
  CancelState* state = nullptr;
  bool await_ready() const noexcept { return false; }
  template <typename P>
  bool await_suspend(std::coroutine_handle<P> h) noexcept {
    state = cancel_state_of(h);
    return false;
  }
  CancelState* await_resume() const noexcept { return state; }
};

}  // namespace swoop::detail
