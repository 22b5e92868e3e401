// SPDX-License-Identifier: MIT
// ErrorHandler: maps an exception type to a Response (on_error<E>), most specific type first.
#pragma once

#include <concepts>
#include <exception>
#include <memory>
#include <type_traits>
#include <utility>
#include <vector>

#include "swoop/request.hpp"
#include "swoop/response.hpp"
#include "swoop/task.hpp"

namespace swoop::detail {

template <typename F, typename E>
concept ErrorHandlerFn = std::same_as<std::invoke_result_t<F&, Request&, const E&>, Response> ||
    std::same_as<std::invoke_result_t<F&, Request&, const E&>, Task<Response>>;

/// A type-erased `(Request&, const E&) -> Response | Task<Response>` for one exception type E.
///
/// Lifetime: owned by the App or a Blueprint; copies share the callable.
class ErrorHandler {
 public:
  template <typename E, typename F>
  static ErrorHandler make(F fn) {
    ErrorHandler h;
    h.impl_ = std::make_shared<Model<E, F>>(std::move(fn));
    return h;
  }

  /// Whether this handler's type catches the exception in error.
  bool catches(const std::exception_ptr& error) const { return impl_->catches(error); }
  /// Whether this handler's exception type derives from other's (so it must be tried first).
  bool is_more_specific_than(const ErrorHandler& other) const {
    return other.impl_->is_base_of_thrower(impl_->pointer_thrower());
  }
  /// Calls the handler with the exception (which catches() accepted).
  Task<Response> call(Request& req, std::exception_ptr error) const {
    return impl_->call(req, std::move(error));
  }

 private:
  struct Concept {
    virtual ~Concept() = default;
    virtual bool catches(const std::exception_ptr& e) const = 0;
    virtual void (*pointer_thrower() const noexcept)() = 0;
    virtual bool is_base_of_thrower(void (*thrower)()) const = 0;
    virtual Task<Response> call(Request& req, std::exception_ptr e) = 0;
  };
  template <typename E, typename F>
  struct Model final : Concept {
    explicit Model(F f) : fn(std::move(f)) {}
    bool catches(const std::exception_ptr& e) const override {
      try {
        std::rethrow_exception(e);
      } catch (const E&) {
        return true;
      } catch (...) {
        return false;
      }
    }
    // A null E* thrown can be caught as B* exactly when E derives (publicly) from B: this lets
    // registration order handlers from derived to base without knowing the types statically.
    static void throw_pointer() { throw static_cast<const E*>(nullptr); }
    void (*pointer_thrower() const noexcept)() override { return &throw_pointer; }
    bool is_base_of_thrower(void (*thrower)()) const override {
      try {
        thrower();
      } catch (const E*) {
        return true;
      } catch (...) {
      }
      return false;
    }
    Task<Response> call(Request& req, std::exception_ptr e) override {
      return invoke(fn, req, std::move(e));
    }
    static Task<Response> invoke(F& fn, Request& req, std::exception_ptr e) {
      // co_await may not appear in a catch block: take the object's address there and call
      // after it. rethrow_exception throws the very object that e keeps alive.
      const E* error = nullptr;
      try {
        std::rethrow_exception(e);
      } catch (const E& x) {
        error = &x;
      } catch (...) {
      }
      if (error == nullptr) std::rethrow_exception(e);
      if constexpr (std::same_as<std::invoke_result_t<F&, Request&, const E&>, Response>) {
        co_return fn(req, *error);
      } else {
        co_return co_await fn(req, *error);
      }
    }
    F fn;
  };
  std::shared_ptr<Concept> impl_;
};

/// Handlers kept so that the first one that catches an exception is the most specific.
class ErrorHandlers {
 public:
  /// Adds h before every handler whose type is a base of h's type.
  void add(ErrorHandler h) {
    auto it = handlers_.begin();
    while (it != handlers_.end() && !h.is_more_specific_than(*it)) ++it;
    handlers_.insert(it, std::move(h));
  }
  /// The first (most specific) handler that catches error, or nullptr.
  const ErrorHandler* find(const std::exception_ptr& error) const {
    for (const auto& h : handlers_) {
      if (h.catches(error)) return &h;
    }
    return nullptr;
  }
  bool empty() const noexcept { return handlers_.empty(); }
  std::size_t size() const noexcept { return handlers_.size(); }

 private:
  std::vector<ErrorHandler> handlers_;
};

}  // namespace swoop::detail
