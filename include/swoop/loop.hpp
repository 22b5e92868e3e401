// SPDX-License-Identifier: MIT
// Loop: one libuv event loop per thread, and the ways to get work onto it.
#pragma once

#include <coroutine>
#include <functional>
#include <memory>

struct uv_loop_s;

namespace swoop {

/// An event loop (owns a uv_loop_t); at most one per thread, found with Loop::current().
///
/// Lifetime: everything that owns a libuv handle on this loop must die before it; the
/// destructor closes stragglers, runs until their close callbacks fired, and closes the loop.
/// Thread safety: only post() may be called from another thread.
class Loop {
 public:
  /// Creates the loop and makes it the calling thread's current loop.
  Loop();
  ~Loop();
  Loop(const Loop&) = delete;
  Loop& operator=(const Loop&) = delete;

  /// Runs until no referenced handle or request is left, or stop() is called.
  void run();
  /// Makes run() return after the current iteration.
  void stop() noexcept;

  /// Runs fn on the loop's thread at its next iteration. Thread-safe.
  void post(std::function<void()> fn);
  /// Resumes h at the loop's next iteration (same thread only). Never fails.
  void call_soon(std::coroutine_handle<> h);

  /// The underlying libuv loop.
  uv_loop_s* native() noexcept;

  /// The calling thread's loop; asserts that there is one.
  static Loop& current() noexcept;
  /// The calling thread's loop, or nullptr.
  static Loop* current_or_null() noexcept;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace swoop
