// SPDX-License-Identifier: MIT
// gather: run tasks concurrently and collect their results in order (like asyncio.gather).
#pragma once

#include <coroutine>
#include <cstddef>
#include <exception>
#include <optional>
#include <tuple>
#include <type_traits>
#include <variant>
#include <vector>

#include "swoop/detail/root.hpp"
#include "swoop/task.hpp"

namespace swoop {

/// What gather returns for a Task<void>.
using Unit = std::monostate;

namespace detail {

template <typename T>
using GatherSlot = std::optional<std::conditional_t<std::is_void_v<T>, Unit, T>>;

/// Shared by one gather and its children: the count of unfinished children and the first error.
struct GatherState {
  std::size_t remaining = 0;
  std::coroutine_handle<> continuation;
  std::exception_ptr first_error;
  CancelState* group = nullptr;
};

/// One child of a gather: awaits its task, stores the result, and resumes the gather last.
class GatherRunner {
 public:
  struct promise_type : PromiseBase {
    GatherState* state = nullptr;
    GatherRunner get_return_object() noexcept {
      return GatherRunner{std::coroutine_handle<promise_type>::from_promise(*this)};
    }
    struct Final {
      bool await_ready() const noexcept { return false; }
      std::coroutine_handle<> await_suspend(std::coroutine_handle<promise_type> h) noexcept {
        GatherState* s = h.promise().state;
        return --s->remaining == 0 ? s->continuation : std::noop_coroutine();
      }
      void await_resume() const noexcept {}
    };
    Final final_suspend() const noexcept { return {}; }
    void return_void() noexcept {}
    void unhandled_exception() noexcept {}
  };
  explicit GatherRunner(std::coroutine_handle<promise_type> h) noexcept : handle_(h) {}
  GatherRunner(GatherRunner&& o) noexcept : handle_(std::exchange(o.handle_, {})) {}
  GatherRunner(const GatherRunner&) = delete;
  GatherRunner& operator=(const GatherRunner&) = delete;
  ~GatherRunner() {
    if (handle_) handle_.destroy();
  }
  std::coroutine_handle<promise_type> handle() const noexcept { return handle_; }

 private:
  std::coroutine_handle<promise_type> handle_;
};

template <typename T>
GatherRunner gather_child(Task<T> task, GatherSlot<T>& slot, GatherState& state) {
  try {
    if constexpr (std::is_void_v<T>) {
      co_await std::move(task);
      slot.emplace();
    } else {
      slot.emplace(co_await std::move(task));
    }
  } catch (...) {
    if (!state.first_error) {
      state.first_error = std::current_exception();
      state.group->cancel();
    }
  }
}

/// Starts every runner and suspends until the last one finishes.
struct GatherAwaiter {
  GatherState& state;
  std::vector<GatherRunner>& runners;
  bool await_ready() const noexcept { return runners.empty(); }
  bool await_suspend(std::coroutine_handle<> h) noexcept {
    state.continuation = h;
    state.remaining = runners.size() + 1;
    for (auto& r : runners) {
      r.handle().promise().state = &state;
      r.handle().promise().cancel = state.group;
      r.handle().resume();
    }
    return --state.remaining != 0;
  }
  void await_resume() const noexcept {}
};

}  // namespace detail

/// Runs the tasks concurrently on the current loop and returns their results in order.
///
/// Results come as a tuple; a Task<void> contributes a swoop::Unit. If a task throws, the
/// others are cancelled (at their next co_await), all are awaited to their end, and the first
/// exception is rethrown. Cancelling the caller cancels every task.
/// Example:
///     auto [a, b] = co_await swoop::gather(fetch(u1), fetch(u2));
template <typename... Ts>
Task<std::tuple<std::conditional_t<std::is_void_v<Ts>, Unit, Ts>...>> gather(Task<Ts>... tasks) {
  detail::CancelLink group{co_await detail::CurrentCancelState{}};
  detail::GatherState state;
  state.group = &group.state();
  std::tuple<detail::GatherSlot<Ts>...> slots;
  std::vector<detail::GatherRunner> runners;
  runners.reserve(sizeof...(Ts));
  [&]<std::size_t... I>(std::index_sequence<I...>) {
    (runners.push_back(detail::gather_child(std::move(tasks), std::get<I>(slots), state)), ...);
  }
  (std::index_sequence_for<Ts...>{});
  co_await detail::GatherAwaiter{state, runners};
  runners.clear();
  if (state.first_error) std::rethrow_exception(state.first_error);
  co_return std::apply([](auto&... s) { return std::make_tuple(std::move(*s)...); }, slots);
}

/// Runs a vector of tasks concurrently and returns their results in the same order.
///
/// Errors and cancellation behave as in the variadic gather. For Task<void>, returns nothing.
template <typename T>
Task<std::conditional_t<std::is_void_v<T>, void, std::vector<T>>> gather(
    std::vector<Task<T>> tasks) {
  detail::CancelLink group{co_await detail::CurrentCancelState{}};
  detail::GatherState state;
  state.group = &group.state();
  std::vector<detail::GatherSlot<T>> slots(tasks.size());
  std::vector<detail::GatherRunner> runners;
  runners.reserve(tasks.size());
  for (std::size_t i = 0; i < tasks.size(); ++i) {
    runners.push_back(detail::gather_child(std::move(tasks[i]), slots[i], state));
  }
  co_await detail::GatherAwaiter{state, runners};
  runners.clear();
  if (state.first_error) std::rethrow_exception(state.first_error);
  if constexpr (!std::is_void_v<T>) {
    std::vector<T> out;
    out.reserve(slots.size());
    for (auto& s : slots) out.push_back(std::move(*s));
    co_return out;
  }
}

}  // namespace swoop
