// SPDX-License-Identifier: MIT
// Handler: a type-erased route handler, sync or async; copies share the callable.
#pragma once

#include <concepts>
#include <memory>
#include <type_traits>
#include <utility>

#include "swoop/request.hpp"
#include "swoop/response.hpp"
#include "swoop/task.hpp"

namespace swoop::detail {

/// Accepted handler shapes: `Response(Request&)` and `Task<Response>(Request&)`.
template <typename F>
concept SyncHandler = std::is_invocable_r_v<Response, F&, Request&> &&
    !std::same_as<std::invoke_result_t<F&, Request&>, Task<Response>>;
template <typename F>
concept AsyncHandler = std::same_as<std::invoke_result_t<F&, Request&>, Task<Response>>;
template <typename F>
concept AnyHandler = SyncHandler<F> || AsyncHandler<F>;

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
    bool is_sync() const noexcept override { return SyncHandler<F>; }
    Response call_sync(Request& req) override {
      if constexpr (SyncHandler<F>) {
        return fn(req);
      } else {
        SWOOP_ASSERT(false, "call_sync on an async handler");
        return Response{500};
      }
    }
    Task<Response> call(Request& req) override {
      if constexpr (AsyncHandler<F>) {
        return fn(req);
      } else {
        return wrap(fn, req);
      }
    }
    static Task<Response> wrap(F& fn, Request& req) { co_return fn(req); }
    F fn;
  };
  std::shared_ptr<Concept> impl_;
};

}  // namespace swoop::detail
