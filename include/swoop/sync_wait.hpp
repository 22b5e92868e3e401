// SPDX-License-Identifier: MIT
// sync_wait: run a task to completion on a loop, from main or from a test.
#pragma once

#include <exception>
#include <optional>
#include <type_traits>

#include "swoop/detail/root.hpp"
#include "swoop/loop.hpp"
#include "swoop/task.hpp"

namespace swoop {

namespace detail {
/// Runs loop iterations until *done is true; asserts if the loop runs dry first (deadlock).
void run_until(Loop& loop, const bool* done);

template <typename T, typename Slot>
RootTask sync_root(Task<T> task, Slot& slot, std::exception_ptr& error, bool& done) {
  try {
    if constexpr (std::is_void_v<T>) {
      co_await std::move(task);
    } else {
      slot.emplace(co_await std::move(task));
    }
  } catch (...) {
    error = std::current_exception();
  }
  done = true;
}
}  // namespace detail

/// Runs task on loop (on the calling thread) until it finishes; returns its result or rethrows.
///
/// Other work on the loop runs too while it waits.
/// Example:
///     swoop::Loop loop;
///     int n = swoop::sync_wait(loop, count_items());
template <typename T>
T sync_wait(Loop& loop, Task<T> task) {
  std::optional<std::conditional_t<std::is_void_v<T>, bool, T>> slot;
  std::exception_ptr error;
  bool done = false;
  detail::sync_root(std::move(task), slot, error, done).start();
  if (!done) detail::run_until(loop, &done);
  if (error) std::rethrow_exception(error);
  if constexpr (!std::is_void_v<T>) return std::move(*slot);
}

}  // namespace swoop
