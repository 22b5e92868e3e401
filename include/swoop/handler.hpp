// SPDX-License-Identifier: MIT
// Handler: a route handler of any accepted shape, type-erased; the counterpart of Middleware.
#pragma once

#include <concepts>
#include <memory>
#include <type_traits>
#include <utility>

#include "swoop/detail/described.hpp"
#include "swoop/detail/schema.hpp"
#include "swoop/json.hpp"
#include "swoop/request.hpp"
#include "swoop/response.hpp"
#include "swoop/task.hpp"

namespace swoop {
namespace detail {
struct Access;

/// What a typed handler may return, answered as JSON with 200: a described struct
/// (swoop/describe.hpp) or a std::vector of them.
template <typename T>
concept DescribedVector = is_vector<T> && DescribedStruct<typename T::value_type>;
template <typename T>
concept TypedResult = DescribedStruct<T> || DescribedVector<T>;

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

/// Turns a handler swoop cannot call into one readable error, instead of a concept's failure
/// spread over pages. Registration functions ask it for any callable they are given, and
/// register only when it answers true (so that the error is the only one).
template <typename F>
consteval bool check_handler() {
  static_assert(std::is_invocable_v<F&, Request&>,
                "swoop: a route handler is called as handler(swoop::Request&); accepted: "
                "Response(Request&), Task<Response>(Request&), T(Request&), Task<T>(Request&) "
                "for a described struct T or a std::vector of them");
  if constexpr (std::is_invocable_v<F&, Request&>) {
    static_assert(AnyHandler<F>,
                  "swoop: a route handler returns swoop::Response, a typed value (a struct "
                  "described with swoop::describe<T> or json_fields, or a std::vector of them), "
                  "or a swoop::Task of either");
  }
  return AnyHandler<F>;
}

}  // namespace detail

/// One route handler, as App::add_route and Blueprint::add_route take it: wraps any callable
/// of an accepted shape (`Response(Request&)`, `Task<Response>(Request&)`, and typed:
/// `T(Request&)`, `Task<T>(Request&)` for a described struct T or a std::vector of them).
/// Calling a sync one involves no coroutine at all. Copies share the callable.
///
///     swoop::Handler h{[](swoop::Request&) { return swoop::text("hi"); }};
///     app.add_route("/hi", {}, h);
///
/// Lifetime: owned by the App (and the blueprints it was copied from); lives as long as the App.
/// Thread safety: every worker calls the same callable, concurrently.
class Handler {
 public:
  /// An empty handler (false): a route's slot before one is given.
  Handler() = default;
  /// Wraps fn, a callable of an accepted shape (see above); copies of the Handler share it.
  template <detail::AnyHandler F>
  explicit Handler(F fn) : impl_(std::make_shared<Model<F>>(std::move(fn))) {}

  /// Whether the handler returns a Response directly.
  bool is_sync() const noexcept { return impl_->is_sync(); }
  /// Whether the handler returns a typed value (answered as JSON) rather than a Response.
  bool is_typed() const noexcept { return impl_->is_typed(); }
  /// The status of a typed handler's answer: 200 unless the route's RouteOptions::status says
  /// otherwise (registration sets it).
  int status() const noexcept { return status_; }
  /// The schema of a typed handler's answer; null for a handler that returns a Response.
  detail::SchemaFn result_schema() const noexcept { return impl_->result_schema(); }
  /// Calls a sync handler.
  Response call_sync(Request& req) const { return impl_->call_sync(req, status_); }
  /// Calls an async handler (a sync one is wrapped in a Task).
  Task<Response> call(Request& req) const { return impl_->call(req, status_); }
  /// Whether a callable is held.
  explicit operator bool() const noexcept { return static_cast<bool>(impl_); }

 private:
  friend struct detail::Access;  // registration sets status_ from RouteOptions::status
  struct Concept {
    virtual ~Concept() = default;
    virtual bool is_sync() const noexcept = 0;
    virtual bool is_typed() const noexcept = 0;
    virtual detail::SchemaFn result_schema() const noexcept = 0;
    virtual Response call_sync(Request& req, int status) = 0;
    virtual Task<Response> call(Request& req, int status) = 0;
  };
  template <typename F>
  struct Model final : Concept {
    explicit Model(F f) : fn(std::move(f)) {}
    bool is_sync() const noexcept override {
      return detail::SyncHandler<F> || detail::TypedSyncHandler<F>;
    }
    bool is_typed() const noexcept override {
      return detail::TypedSyncHandler<F> || detail::TypedAsyncHandler<F>;
    }
    detail::SchemaFn result_schema() const noexcept override {
      if constexpr (detail::TypedSyncHandler<F>) {
        return &detail::build_schema<std::invoke_result_t<F&, Request&>>;
      } else if constexpr (detail::TypedAsyncHandler<F>) {
        return &detail::build_schema<
            typename detail::TaskResult<std::invoke_result_t<F&, Request&>>::type>;
      } else {
        return nullptr;
      }
    }
    Response call_sync(Request& req, int status) override {
      if constexpr (detail::SyncHandler<F>) {
        return fn(req);
      } else if constexpr (detail::TypedSyncHandler<F>) {
        return swoop::json(fn(req), status);
      } else {
        SWOOP_ASSERT(false, "call_sync on an async handler");
        return Response{500};
      }
    }
    Task<Response> call(Request& req, int status) override {
      if constexpr (detail::AsyncHandler<F>) {
        return fn(req);
      } else if constexpr (detail::TypedAsyncHandler<F>) {
        return wrap_typed(fn, req, status);
      } else {
        return wrap(*this, req, status);
      }
    }
    static Task<Response> wrap(Model& self, Request& req, int status) {
      co_return self.call_sync(req, status);
    }
    static Task<Response> wrap_typed(F& fn, Request& req, int status) {
      co_return swoop::json(co_await fn(req), status);
    }
    F fn;
  };
  std::shared_ptr<Concept> impl_;
  int status_ = 200;
};

}  // namespace swoop
