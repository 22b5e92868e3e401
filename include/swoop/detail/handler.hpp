// SPDX-License-Identifier: MIT
// Handler: a type-erased route handler, sync or async; copies share the callable.
#pragma once

#include <concepts>
#include <memory>
#include <type_traits>
#include <utility>

#include "swoop/detail/described.hpp"
#include "swoop/json.hpp"
#include "swoop/request.hpp"
#include "swoop/response.hpp"
#include "swoop/task.hpp"

namespace swoop::detail {

/// What a typed handler may return, answered as JSON with 200: a described struct
/// (swoop/describe.hpp) or a std::vector of them.
template <typename T>
concept TypedResult = DescribedStruct<T> ||(is_vector<T>&& DescribedStruct<typename T::value_type>);

template <typename T>
struct TaskResult {};
template <typename T>
struct TaskResult<Task<T>> {
  using type = T;
};

/// Accepted handler shapes: `Response(Request&)` and `Task<Response>(Request&)`, and typed:
/// `T(Request&)` and `Task<T>(Request&)` for a TypedResult T.
template <typename F>
concept SyncHandler = std::is_invocable_r_v<Response, F&, Request&> &&
    !std::same_as<std::invoke_result_t<F&, Request&>, Task<Response>>;
template <typename F>
concept AsyncHandler = std::same_as<std::invoke_result_t<F&, Request&>, Task<Response>>;
template <typename F>
concept TypedSyncHandler =
    std::is_invocable_v<F&, Request&> && TypedResult<std::invoke_result_t<F&, Request&>>;
template <typename F>
concept TypedAsyncHandler = std::is_invocable_v<F&, Request&> && requires {
  typename TaskResult<std::invoke_result_t<F&, Request&>>::type;
} && TypedResult<typename TaskResult<std::invoke_result_t<F&, Request&>>::type>;
template <typename F>
concept AnyHandler =
    SyncHandler<F> || AsyncHandler<F> || TypedSyncHandler<F> || TypedAsyncHandler<F>;

/// Owns one registered handler; calling a sync one involves no coroutine at all.
///
/// Lifetime: owned by the App (and the blueprints it was copied from); lives as long as the App.
/// Thread safety: every worker calls the same callable, concurrently.
class Handler {
 public:
  Handler() = default;
  template <AnyHandler F>
  explicit Handler(F fn) : impl_(std::make_shared<Model<F>>(std::move(fn))) {}

  /// Whether the handler returns a Response directly.
  bool is_sync() const noexcept { return impl_->is_sync(); }
  /// Calls a sync handler.
  Response call_sync(Request& req) const { return impl_->call_sync(req); }
  /// Calls an async handler (a sync one is wrapped in a Task).
  Task<Response> call(Request& req) const { return impl_->call(req); }
  explicit operator bool() const noexcept { return static_cast<bool>(impl_); }

 private:
  struct Concept {
    virtual ~Concept() = default;
    virtual bool is_sync() const noexcept = 0;
    virtual Response call_sync(Request& req) = 0;
    virtual Task<Response> call(Request& req) = 0;
  };
  template <typename F>
  struct Model final : Concept {
    explicit Model(F f) : fn(std::move(f)) {}
    bool is_sync() const noexcept override { return SyncHandler<F> || TypedSyncHandler<F>; }
    Response call_sync(Request& req) override {
      if constexpr (SyncHandler<F>) {
        return fn(req);
      } else if constexpr (TypedSyncHandler<F>) {
        return swoop::json(fn(req));
      } else {
        SWOOP_ASSERT(false, "call_sync on an async handler");
        return Response{500};
      }
    }
    Task<Response> call(Request& req) override {
      if constexpr (AsyncHandler<F>) {
        return fn(req);
      } else if constexpr (TypedAsyncHandler<F>) {
        return wrap_typed(fn, req);
      } else {
        return wrap(fn, req);
      }
    }
    static Task<Response> wrap(F& fn, Request& req) { co_return call_sync_of(fn, req); }
    static Response call_sync_of(F& fn, Request& req) {
      if constexpr (TypedSyncHandler<F>) {
        return swoop::json(fn(req));
      } else {
        return fn(req);
      }
    }
    static Task<Response> wrap_typed(F& fn, Request& req) {
      co_return swoop::json(co_await fn(req));
    }
    F fn;
  };
  std::shared_ptr<Concept> impl_;
};

}  // namespace swoop::detail
