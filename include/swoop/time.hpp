// SPDX-License-Identifier: MIT
// Timers for coroutines: sleep and with_timeout.
#pragma once

#include <chrono>
#include <cstdint>
#include <exception>
#include <optional>

#include "swoop/detail/root.hpp"
#include "swoop/task.hpp"

namespace swoop {

namespace detail {
Task<void> sleep_ms(std::uint64_t ms);
struct TimeoutTimer;
/// Starts a one-shot timer on the current loop that cancels target when it fires.
TimeoutTimer* timeout_start(std::uint64_t ms, CancelState& target);
/// Stops and frees the timer; returns whether it had fired.
bool timeout_finish(TimeoutTimer* timer) noexcept;

template <typename Rep, typename Period>
std::uint64_t to_ms(std::chrono::duration<Rep, Period> d) noexcept {
  auto ms = std::chrono::ceil<std::chrono::milliseconds>(d).count();
  return ms < 0 ? 0 : static_cast<std::uint64_t>(ms);
}
}  // namespace detail

/// Suspends the calling task for at least d (millisecond resolution) on the current loop.
///
/// Throws swoop::Cancelled when the task is cancelled while asleep.
/// Example:
///     co_await swoop::sleep(std::chrono::milliseconds{50});
template <typename Rep, typename Period>
Task<void> sleep(std::chrono::duration<Rep, Period> d) {
  return detail::sleep_ms(detail::to_ms(d));
}

/// Runs task, cancelling it if it has not finished after d; then throws swoop::Timeout.
///
/// The task is cancelled cooperatively (at its current or next swoop co_await) and awaited
/// to its end before Timeout is thrown, so nothing it owns outlives the call.
/// Example:
///     auto body = co_await swoop::with_timeout(std::chrono::seconds{2}, fetch(url));
template <typename T, typename Rep, typename Period>
Task<T> with_timeout(std::chrono::duration<Rep, Period> d, Task<T> task) {
  detail::CancelLink group{co_await detail::CurrentCancelState{}};
  detail::bind_cancel(task, &group.state());
  detail::TimeoutTimer* timer = detail::timeout_start(detail::to_ms(d), group.state());
  std::exception_ptr error;
  std::optional<std::conditional_t<std::is_void_v<T>, int, T>> value;
  try {
    if constexpr (std::is_void_v<T>) {
      co_await std::move(task);
    } else {
      value.emplace(co_await std::move(task));
    }
  } catch (...) {
    error = std::current_exception();
  }
  const bool fired = detail::timeout_finish(timer);
  if (error) {
    if (fired) {
      try {
        std::rethrow_exception(error);
      } catch (const Cancelled&) {
        throw Timeout{};
      }
    }
    std::rethrow_exception(error);
  }
  if constexpr (!std::is_void_v<T>) co_return std::move(*value);
}

}  // namespace swoop
