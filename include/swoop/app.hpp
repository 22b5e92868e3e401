// SPDX-License-Identifier: MIT
// App: route registration (decorator-like), URL building, and run().
#pragma once

#include <cstdint>
#include <initializer_list>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "swoop/detail/handler.hpp"
#include "swoop/options.hpp"
#include "swoop/router.hpp"

namespace swoop {

class App;

/// Options of one route registration.
struct RouteOptions {
  std::vector<std::string> methods = {"GET"};  ///< upper-case methods; any token is accepted
  std::string name;                            ///< for url_for; empty means unnamed
  std::optional<bool> strict_slashes;          ///< nullopt: the app's default (lenient)
};

/// App-wide settings that shape registration.
struct AppOptions {
  /// Default for routes that do not say: strict routes match only the exact trailing slash;
  /// lenient ones (the default, as in Sanic) match with or without it.
  bool strict_slashes = false;
};

/// Returned by App::route/get/post/...: call it with a handler to register the handler.
///
/// It hands the handler back, so registrations stack like Python decorators:
///     app.get("/a")(app.get("/b")(handler));
/// Lifetime: refers to the App; use it in the registering statement.
class RouteRegistrar {
 public:
  RouteRegistrar(App& app, std::string pattern, RouteOptions options)
      : app_(app), pattern_(std::move(pattern)), options_(std::move(options)) {}

  /// Registers a copy of fn and returns fn. Throws std::invalid_argument (see App::add_route).
  template <detail::AnyHandler F>
  F operator()(F fn) const;

 private:
  App& app_;
  std::string pattern_;
  RouteOptions options_;
};

/// A web application: its routes and settings. Serve it with run() (or a Server).
///
/// Routes are added before the server starts; the app is frozen while it serves.
/// Thread safety: registration is single-threaded; serving reads the app from every worker.
/// Example:
///     swoop::App app{"hello"};
///     app.get("/")([](swoop::Request&) { return swoop::text("hi"); });
///     app.run({.port = 8080});
class App {
 public:
  /// Creates an app; name shows in logs.
  explicit App(std::string name = "swoop", AppOptions options = {});
  ~App();
  App(const App&) = delete;
  App& operator=(const App&) = delete;

  /// The app's name.
  const std::string& name() const noexcept { return name_; }

  /// Starts a registration for pattern with options.
  RouteRegistrar route(std::string_view pattern, RouteOptions options = {}) {
    return {*this, std::string{pattern}, std::move(options)};
  }
  /// Starts a GET registration (HEAD is answered by it too).
  RouteRegistrar get(std::string_view pattern) { return route(pattern, method("GET")); }
  /// Starts a POST registration.
  RouteRegistrar post(std::string_view pattern) { return route(pattern, method("POST")); }
  /// Starts a PUT registration.
  RouteRegistrar put(std::string_view pattern) { return route(pattern, method("PUT")); }
  /// Starts a PATCH registration.
  RouteRegistrar patch(std::string_view pattern) { return route(pattern, method("PATCH")); }
  /// Starts a DELETE registration (`delete` is a C++ keyword).
  RouteRegistrar del(std::string_view pattern) { return route(pattern, method("DELETE")); }
  /// Starts an OPTIONS registration (without one, OPTIONS is answered automatically).
  RouteRegistrar options(std::string_view pattern) { return route(pattern, method("OPTIONS")); }
  /// Starts a HEAD registration (without one, HEAD uses the GET route).
  RouteRegistrar head(std::string_view pattern) { return route(pattern, method("HEAD")); }

  /// Registers a GET handler in one call.
  template <detail::AnyHandler F>
  void get(std::string_view pattern, F fn) {
    add_route(pattern, method("GET"), detail::Handler{std::move(fn)});
  }
  /// Registers a POST handler in one call.
  template <detail::AnyHandler F>
  void post(std::string_view pattern, F fn) {
    add_route(pattern, method("POST"), detail::Handler{std::move(fn)});
  }
  /// Registers a handler for the options' methods in one call.
  template <detail::AnyHandler F>
  void route(std::string_view pattern, RouteOptions options, F fn) {
    add_route(pattern, std::move(options), detail::Handler{std::move(fn)});
  }

  /// Registers a type-erased handler. Throws std::invalid_argument for a malformed pattern,
  /// an identical route already registered, a duplicate name, or an app that is serving.
  void add_route(std::string_view pattern, RouteOptions options, detail::Handler handler);

  /// Builds the URL of a named route. Throws std::invalid_argument for an unknown name or
  /// parameters that do not fit.
  /// Example:
  ///     app.url_for("item", {{"id", 7}}, {{"q", "x y"}})  // "/items/7?q=x%20y"
  std::string url_for(
      std::string_view name,
      std::initializer_list<std::pair<std::string_view, UrlValue>> params = {},
      std::initializer_list<std::pair<std::string_view, UrlValue>> query = {}) const;

  /// Serves the app until SIGINT or SIGTERM, then shuts down gracefully and returns.
  ///
  /// Throws SystemError when it cannot listen (address in use, ...).
  void run(RunOptions options = {});

  /// For the server: the router and handlers (frozen while serving).
  const Router& router() const noexcept { return router_; }
  /// For the server: the handler of a route id returned by the router.
  const detail::Handler& handler(std::uint32_t route_id) const noexcept {
    return handlers_[route_id];
  }
  /// For the server: forbids further registration (called when serving starts).
  void freeze() noexcept { frozen_ = true; }

 private:
  static RouteOptions method(const char* name) {
    RouteOptions o;
    o.methods = {name};
    return o;
  }

  std::string name_;
  Router router_;
  std::vector<detail::Handler> handlers_;
  bool frozen_ = false;
};

template <detail::AnyHandler F>
F RouteRegistrar::operator()(F fn) const {
  app_.add_route(pattern_, options_, detail::Handler{F{fn}});
  return fn;
}

}  // namespace swoop
