// SPDX-License-Identifier: MIT
// Internal: the common part of swoop's libuv-backed awaiters (waiter, cancel registration).
#pragma once

#include <coroutine>

#include "swoop/task.hpp"

namespace swoop::detail {

/// Base of an awaiter whose operation a cancel group can cut short.
///
/// Derived provides `bool start()` (begin the operation; false if it finished or failed at
/// once) and `void stop() noexcept` (cut it short; its callback must still call complete()).
/// Lifetime: lives in the suspended frame until complete() resumes it.
template <typename Derived>
struct CancellableAwaiter {
  CancelState* cancel = nullptr;
  CancelRegistration reg;
  std::coroutine_handle<> waiter;
  bool cancelled = false;

  CancellableAwaiter() = default;
  CancellableAwaiter(const CancellableAwaiter&) = delete;
  CancellableAwaiter& operator=(const CancellableAwaiter&) = delete;

  bool await_ready() const noexcept { return false; }
  template <typename P>
  bool await_suspend(std::coroutine_handle<P> h) {
    cancel = cancel_state_of(h);
    if (cancel != nullptr && cancel->is_cancelled()) {
      cancelled = true;
      return false;
    }
    waiter = h;
    if (!static_cast<Derived*>(this)->start()) return false;
    if (cancel != nullptr) {
      reg.fn = [](void* self) noexcept {
        auto* d = static_cast<Derived*>(self);
        d->cancelled = true;
        d->stop();  // never resumes inline: the operation's callback calls complete()
      };
      reg.ctx = static_cast<Derived*>(this);
      cancel->add(reg);
    }
    return true;
  }

  /// Called from the operation's callback: unregisters and resumes the waiter.
  void complete() noexcept {
    if (cancel != nullptr) cancel->remove(reg);
    waiter.resume();
  }
};

}  // namespace swoop::detail
