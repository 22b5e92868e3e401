// SPDX-License-Identifier: MIT
// run_blocking: run a blocking function on libuv's thread pool (like run_in_executor).
#pragma once

#include <exception>
#include <optional>
#include <type_traits>

#include "swoop/task.hpp"

namespace swoop {

namespace detail {
/// Runs call(arg) on libuv's thread pool; completes on the loop thread.
Task<void> run_in_pool(void (*call)(void*) noexcept, void* arg);
}  // namespace detail

/// Runs fn() on libuv's thread pool and resumes on the loop with its result or exception.
///
/// Throws what fn threw, or swoop::Cancelled if the task is cancelled first (a call already
/// running is waited for, and its result dropped).
/// Lifetime: fn is moved into the task; what it refers to must outlive the call.
/// Thread safety: fn runs on another thread: it must not touch loop-affine objects.
/// Example:
///     auto hash = co_await swoop::run_blocking([pw] { return bcrypt(pw); });
template <typename Fn>
Task<std::invoke_result_t<Fn&>> run_blocking(Fn fn) {
  using R = std::invoke_result_t<Fn&>;
  struct Context {
    Fn* fn;
    std::optional<std::conditional_t<std::is_void_v<R>, bool, R>> value;
    std::exception_ptr error;
    static void call(void* p) noexcept {
      auto* self = static_cast<Context*>(p);
      try {
        if constexpr (std::is_void_v<R>) {
          (*self->fn)();
          self->value.emplace(true);
        } else {
          self->value.emplace((*self->fn)());
        }
      } catch (...) {
        self->error = std::current_exception();
      }
    }
  };
  Context ctx{&fn, std::nullopt, nullptr};
  co_await detail::run_in_pool(&Context::call, &ctx);
  if (ctx.error) std::rethrow_exception(ctx.error);
  if constexpr (!std::is_void_v<R>) co_return std::move(*ctx.value);
}

}  // namespace swoop
