// SPDX-License-Identifier: MIT
// Task<T>: the lazy coroutine type every swoop handler and helper returns.
#pragma once

#include <coroutine>
#include <cstddef>
#include <exception>
#include <type_traits>
#include <utility>
#include <variant>

#include "swoop/config.hpp"
#include "swoop/detail/cancel.hpp"
#include "swoop/error.hpp"

namespace swoop {

template <typename T = void>
class Task;

namespace detail {

/// Allocates a coroutine frame from the calling thread's free lists (size classes up to 4 KiB).
void* frame_allocate(std::size_t size);
/// Returns a frame to the calling thread's free lists.
void frame_deallocate(void* p, std::size_t size) noexcept;

/// What every swoop promise shares: who to resume at the end, and the group's cancel state.
struct PromiseBase {
  std::coroutine_handle<> continuation;
  CancelState* cancel = nullptr;
  // True while the awaiter runs the task inline from await_suspend: finishing then returns to
  // the awaiter instead of resuming the continuation, so synchronous chains never nest frames
  // on the stack even where the compiler does not tail-call (GCC with sanitizers or at -O0).
  bool running_inline = false;

  static void* operator new(std::size_t size) { return frame_allocate(size); }
  static void operator delete(void* p, std::size_t size) noexcept { frame_deallocate(p, size); }

  std::suspend_always initial_suspend() const noexcept { return {}; }

  struct FinalAwaiter {
    bool await_ready() const noexcept { return false; }
    template <typename P>
    std::coroutine_handle<> await_suspend(std::coroutine_handle<P> h) noexcept {
      auto& promise = h.promise();
      if (promise.running_inline || !promise.continuation) return std::noop_coroutine();
      return promise.continuation;
    }
    void await_resume() const noexcept {}
  };
  FinalAwaiter final_suspend() const noexcept { return {}; }
};

/// The cancel state of the coroutine that awaits, when it is a swoop coroutine.
template <typename P>
CancelState* cancel_state_of(std::coroutine_handle<P> h) noexcept {
  if constexpr (std::is_base_of_v<PromiseBase, P>)
    return h.promise().cancel;
  else
    return nullptr;
}

template <typename T>
class TaskPromise : public PromiseBase {
 public:
  Task<T> get_return_object() noexcept;
  void unhandled_exception() noexcept { result_.template emplace<2>(std::current_exception()); }
  // U defaults to T so that `co_return {};` and `co_return {1, 2};` build a T.
  template <typename U = T>
  requires std::is_convertible_v<U&&, T>
  void return_value(U&& value) noexcept(std::is_nothrow_constructible_v<T, U&&>) {
    result_.template emplace<1>(std::forward<U>(value));
  }
  T take() {
    if (result_.index() == 2) std::rethrow_exception(std::get<2>(result_));
    SWOOP_ASSERT(result_.index() == 1, "task result read before the task finished");
    return std::move(std::get<1>(result_));
  }

 private:
  std::variant<std::monostate, T, std::exception_ptr> result_;
};

template <>
class TaskPromise<void> : public PromiseBase {
 public:
  Task<void> get_return_object() noexcept;
  void unhandled_exception() noexcept { error_ = std::current_exception(); }
  void return_void() noexcept {}
  void take() {
    if (error_) std::rethrow_exception(error_);
  }

 private:
  std::exception_ptr error_;
};

template <typename T>
class TaskPromise<T&> : public PromiseBase {
 public:
  Task<T&> get_return_object() noexcept;
  void unhandled_exception() noexcept { error_ = std::current_exception(); }
  void return_value(T& value) noexcept { value_ = std::addressof(value); }
  T& take() {
    if (error_) std::rethrow_exception(error_);
    return *value_;
  }

 private:
  T* value_ = nullptr;
  std::exception_ptr error_;
};

/// Awaiter of a Task: starts it with symmetric transfer and hands back its result.
template <typename T>
struct TaskAwaiter {
  std::coroutine_handle<TaskPromise<T>> handle;
  bool cancelled = false;

  bool await_ready() const noexcept { return false; }
  template <typename P>
  bool await_suspend(std::coroutine_handle<P> awaiting) noexcept {
    SWOOP_ASSERT(handle && !handle.done(), "awaiting an empty or finished Task");
    auto& promise = handle.promise();
    promise.continuation = awaiting;
    if (promise.cancel == nullptr) promise.cancel = cancel_state_of(awaiting);
    if (promise.cancel != nullptr && promise.cancel->is_cancelled()) {
      cancelled = true;
      return false;
    }
    promise.running_inline = true;
    handle.resume();
    promise.running_inline = false;
    // Finished synchronously: continue the awaiter without suspending it.
    return !handle.done();
  }
  T await_resume() {
    if (cancelled) throw Cancelled{};
    return handle.promise().take();
  }
};

}  // namespace detail

/// A lazy coroutine producing a T: it starts when awaited and resumes its awaiter when done.
///
/// Exceptions thrown inside are rethrown by `co_await`. Move-only; destroying a Task that was
/// never started, half-run (suspended) or finished frees its frame and everything it owns; a
/// suspended frame must not be waiting on a libuv request when it is destroyed.
/// Awaiting runs the task inline until it first suspends; a task that finishes later resumes
/// its awaiter by symmetric transfer. Long chains of co_await therefore never grow the stack.
/// When the awaiting coroutine's group is cancelled, awaiting a Task throws swoop::Cancelled
/// instead of starting it.
/// Example:
///     swoop::Task<int> answer() { co_return 42; }
///     swoop::Task<> use() { int x = co_await answer(); }
template <typename T>
class [[nodiscard]] Task {
 public:
  /// The coroutine promise type (swoop's own).
  using promise_type = detail::TaskPromise<T>;
  /// The type the task produces.
  using value_type = T;

  /// Makes an empty Task that holds no coroutine.
  Task() noexcept = default;
  /// Takes ownership of a coroutine (for get_return_object).
  explicit Task(std::coroutine_handle<promise_type> h) noexcept : handle_(h) {}
  /// Takes the coroutine of other, which becomes empty.
  Task(Task&& other) noexcept : handle_(std::exchange(other.handle_, {})) {}
  /// Destroys the coroutine held, then takes the one of other.
  Task& operator=(Task&& other) noexcept {
    if (this != &other) {
      reset();
      handle_ = std::exchange(other.handle_, {});
    }
    return *this;
  }
  Task(const Task&) = delete;
  Task& operator=(const Task&) = delete;
  ~Task() { reset(); }

  /// Whether the Task holds a coroutine.
  bool is_valid() const noexcept { return static_cast<bool>(handle_); }
  /// Whether the coroutine ran to its end.
  bool is_done() const noexcept { return handle_ && handle_.done(); }

  /// Starts the task and suspends the awaiter until it finishes; returns its result.
  detail::TaskAwaiter<T> operator co_await() && noexcept { return detail::TaskAwaiter<T>{handle_}; }

  /// The coroutine handle, for swoop's own roots (spawn, gather, the server). Not for users.
  std::coroutine_handle<promise_type> native_handle() const noexcept { return handle_; }

 private:
  void reset() noexcept {
    if (handle_) {
      handle_.destroy();
      handle_ = {};
    }
  }

  std::coroutine_handle<promise_type> handle_;
};

namespace detail {
template <typename T>
Task<T> TaskPromise<T>::get_return_object() noexcept {
  return Task<T>{std::coroutine_handle<TaskPromise<T>>::from_promise(*this)};
}
inline Task<void> TaskPromise<void>::get_return_object() noexcept {
  return Task<void>{std::coroutine_handle<TaskPromise<void>>::from_promise(*this)};
}
template <typename T>
Task<T&> TaskPromise<T&>::get_return_object() noexcept {
  return Task<T&>{std::coroutine_handle<TaskPromise<T&>>::from_promise(*this)};
}

/// Sets the cancel group a task will run in, before it starts (gather, with_timeout, roots).
template <typename T>
void bind_cancel(Task<T>& task, CancelState* state) noexcept {
  task.native_handle().promise().cancel = state;
}
}  // namespace detail

}  // namespace swoop
