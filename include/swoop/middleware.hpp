// SPDX-License-Identifier: MIT
// Middleware: request, response and onion middleware, as one type-erased value.
#pragma once

#include <concepts>
#include <cstddef>
#include <memory>
#include <optional>
#include <type_traits>
#include <utility>

#include "swoop/request.hpp"
#include "swoop/response.hpp"
#include "swoop/task.hpp"

namespace swoop {

namespace detail {
struct Access;
struct Match;
}  // namespace detail

/// The rest of the middleware chain, given to onion middleware.
///
/// `co_await next(req)` runs the inner middleware and the handler and returns their response;
/// call it exactly once (or not at all, to answer without the handler).
/// Lifetime: valid while the middleware's Task runs.
class Next {
 public:
  /// Runs the rest of the chain.
  Task<Response> operator()(Request& req) const;

 private:
  friend struct detail::Access;  // the pipeline makes it
  Next(const detail::Match* match, std::size_t index) noexcept : match_(match), index_(index) {}
  const detail::Match* match_;
  std::size_t index_;
};

/// Which of the three kinds a Middleware is.
enum class MiddlewareKind {
  request,   ///< `(Request&)` -> optional Response: runs before the handler, may answer instead
  response,  ///< `(Request&, Response&)`: runs after the handler, may change the response
  onion,     ///< `(Request&, Next)` -> Task<Response>: wraps everything inside it
};

namespace detail {
/// Whether calling an F& with Args returns exactly R.
template <typename R, typename F, typename... Args>
concept Returns = std::same_as<std::invoke_result_t<F&, Args...>, R>;

template <typename F>
concept SyncRequestMiddleware =
    Returns<std::optional<Response>, F, Request&> || Returns<void, F, Request&>;
template <typename F>
concept AsyncRequestMiddleware =
    Returns<Task<std::optional<Response>>, F, Request&> || Returns<Task<void>, F, Request&>;
template <typename F>
concept RequestMiddlewareFn = SyncRequestMiddleware<F> || AsyncRequestMiddleware<F>;
template <typename F>
concept ResponseMiddlewareFn =
    Returns<void, F, Request&, Response&> || Returns<Task<void>, F, Request&, Response&>;
template <typename F>
concept OnionMiddlewareFn = Returns<Task<Response>, F, Request&, Next>;
template <typename F>
concept MiddlewareFn = RequestMiddlewareFn<F> || ResponseMiddlewareFn<F> || OnionMiddlewareFn<F>;
}  // namespace detail

/// One middleware of any kind; the kind follows from the callable's signature.
///
/// Request middleware may be sync or async and return nothing (continue) or a Response
/// (answer now; the handler does not run). Response middleware get the response by reference
/// and may modify or replace it. Onion middleware get `Next` (Starlette's call_next).
/// Copies share the callable. Thread safety: called from every worker concurrently.
/// Example:
///     app.use([](swoop::Request& req, swoop::Next next) -> swoop::Task<swoop::Response> {
///       auto res = co_await next(req);
///       res.set_header("X-Seen", "1");
///       co_return res;
///     });
class Middleware {
 public:
  /// Wraps a request, response or onion middleware callable.
  template <detail::MiddlewareFn F>
  Middleware(F fn)  // NOLINT(google-explicit-constructor): built from lambdas implicitly
      : impl_(std::make_shared<Model<F>>(std::move(fn))) {}

  /// The middleware's kind.
  MiddlewareKind kind() const noexcept { return impl_->kind(); }
  /// Runs a request middleware; an empty result means "continue".
  Task<std::optional<Response>> on_request(Request& req) const { return impl_->on_request(req); }
  /// Runs a response middleware.
  Task<void> on_response(Request& req, Response& res) const { return impl_->on_response(req, res); }
  /// Runs an onion middleware.
  Task<Response> wrap(Request& req, Next next) const { return impl_->wrap(req, next); }

 private:
  struct Concept {
    virtual ~Concept() = default;
    virtual MiddlewareKind kind() const noexcept = 0;
    virtual Task<std::optional<Response>> on_request(Request& req) = 0;
    virtual Task<void> on_response(Request& req, Response& res) = 0;
    virtual Task<Response> wrap(Request& req, Next next) = 0;
  };
  template <typename F>
  struct Model final : Concept {
    explicit Model(F f) : fn(std::move(f)) {}
    MiddlewareKind kind() const noexcept override {
      if constexpr (detail::OnionMiddlewareFn<F>)
        return MiddlewareKind::onion;
      else if constexpr (detail::ResponseMiddlewareFn<F>)
        return MiddlewareKind::response;
      else
        return MiddlewareKind::request;
    }
    Task<std::optional<Response>> on_request(Request& req) override {
      if constexpr (detail::SyncRequestMiddleware<F> || detail::AsyncRequestMiddleware<F>) {
        return request_impl(fn, req);
      } else {
        SWOOP_ASSERT(false, "not a request middleware");
        return request_none();
      }
    }
    Task<void> on_response(Request& req, Response& res) override {
      if constexpr (detail::ResponseMiddlewareFn<F>) {
        if constexpr (std::same_as<std::invoke_result_t<F&, Request&, Response&>, void>) {
          return response_sync(fn, req, res);
        } else {
          return fn(req, res);
        }
      } else {
        SWOOP_ASSERT(false, "not a response middleware");
        return response_none();
      }
    }
    Task<Response> wrap(Request& req, Next next) override {
      if constexpr (detail::OnionMiddlewareFn<F>) {
        return fn(req, next);
      } else {
        SWOOP_ASSERT(false, "not an onion middleware");
        return next(req);
      }
    }
    static Task<std::optional<Response>> request_impl(F& fn, Request& req) {
      using R = std::invoke_result_t<F&, Request&>;
      if constexpr (std::same_as<R, void>) {
        fn(req);
        co_return std::nullopt;
      } else if constexpr (std::same_as<R, Task<void>>) {
        co_await fn(req);
        co_return std::nullopt;
      } else if constexpr (std::same_as<R, std::optional<Response>>) {
        co_return fn(req);
      } else {
        co_return co_await fn(req);
      }
    }
    static Task<void> response_sync(F& fn, Request& req, Response& res) {
      fn(req, res);
      co_return;
    }
    static Task<std::optional<Response>> request_none() { co_return std::nullopt; }
    static Task<void> response_none() { co_return; }
    F fn;
  };
  std::shared_ptr<Concept> impl_;
};

}  // namespace swoop
