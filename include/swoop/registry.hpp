// SPDX-License-Identifier: MIT
// Registry: the registration API App and Blueprint share (routes, middleware, errors, listeners).
#pragma once

#include <concepts>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

#include "swoop/detail/error_handler.hpp"
#include "swoop/handler.hpp"
#include "swoop/middleware.hpp"
#include "swoop/openapi.hpp"
#include "swoop/static_files.hpp"
#include "swoop/websocket.hpp"

namespace swoop {

class App;

namespace detail {
template <typename F>
concept ListenerFn = Returns<void, F, App&> || Returns<Task<void>, F, App&>;
template <typename F>
concept WebSocketHandlerFn = Returns<Task<void>, F, Request&, WebSocket&>;
}  // namespace detail

/// How default error bodies are rendered. Chosen for the whole app (AppOptions), a blueprint
/// (BlueprintOptions), a group (GroupOptions) or one route (RouteOptions); the innermost says.
enum class ErrorFormat {
  negotiate,  ///< JSON or HTML by the Accept header, plain text for "*/*" (curl)
  json,       ///< always {"error":{"status":...,"message":...}}
  html,       ///< always a small HTML page
  text,       ///< always text/plain
};

/// Options of one route registration.
struct RouteOptions {
  /// Upper-case methods: the standard ones and those of WebDAV (PROPFIND, REPORT, ...), PURGE,
  /// M-SEARCH, LINK; a method the server's parser cannot receive (QUERY, PRI) is refused at
  /// registration (std::invalid_argument), since no request could reach it.
  std::vector<std::string> methods = {"GET"};
  std::string name;                         ///< for url_for; empty means unnamed
  std::optional<bool> strict_slashes;       ///< nullopt: the blueprint's or app's default
  std::vector<Middleware> middleware;       ///< runs for this route only, innermost
  std::optional<ErrorFormat> error_format;  ///< nullopt: the blueprint's, group's or app's
  /// Run the handler as soon as the head arrived and let it read the body as it comes with
  /// `co_await req.stream().read()` (uploads of any size in bounded memory; max_body_size
  /// does not apply, the handler decides). A handler that answers before reading the whole
  /// body closes the connection after its response.
  bool stream_body = false;
  /// The status of a handler that returns a typed value (a described struct, answered as
  /// JSON): `{.methods = {"POST"}, .status = 201}`. A handler that returns a Response sets its
  /// own status, so any other value than 200 is refused for it at registration.
  StatusCode status = 200;

  // What the API document says of the route (swoop/openapi.hpp, App::openapi).
  std::string summary;            ///< one line: what the route does
  std::string description;        ///< more, in CommonMark
  std::vector<std::string> tags;  ///< groups on the docs page; empty: the blueprint's name
  std::optional<Schema> body;     ///< the body the handler reads: `swoop::body<NewItem>()`
  std::optional<Schema> query;    ///< what `req.query<T>()` reads: `swoop::params<T>()`
  std::optional<Schema> headers;  ///< what `req.headers<T>()` reads: `swoop::params<T>()`
  /// Answers besides the typed handler's own: `{{404, "No such item"}}`.
  std::vector<ResponseDoc> responses;
  std::vector<std::string> security;  ///< OpenApiOptions::security_schemes this route requires
  bool deprecated = false;            ///< marked deprecated in the document
  bool include_in_schema = true;      ///< false: left out of the document
};

/// When a listener runs, relative to serving (once per worker).
enum class ListenerEvent {
  before_server_start,
  after_server_start,
  before_server_stop,
  after_server_stop
};

/// A lifecycle listener: `(App&) -> void` or `(App&) -> Task<void>`.
class Listener {
 public:
  /// Wraps a `(App&) -> void` or `(App&) -> Task<void>` callable (copies share it).
  template <detail::ListenerFn F>
  Listener(F fn)  // NOLINT(google-explicit-constructor)
      : impl_(std::make_shared<Model<F>>(std::move(fn))) {}
  /// Runs the listener.
  Task<void> call(App& app) const { return impl_->call(app); }

 private:
  struct Concept {
    virtual ~Concept() = default;
    virtual Task<void> call(App& app) = 0;
  };
  template <typename F>
  struct Model final : Concept {
    explicit Model(F f) : fn(std::move(f)) {}
    Task<void> call(App& app) override {
      if constexpr (std::same_as<std::invoke_result_t<F&, App&>, void>)
        return run_sync(fn, app);
      else
        return fn(app);
    }
    static Task<void> run_sync(F& fn, App& app) {
      fn(app);
      co_return;
    }
    F fn;
  };
  std::shared_ptr<Concept> impl_;
};

class Registry;

/// A websocket route's handler: `(Request&, WebSocket&) -> Task<void>`.
using WebSocketHandler = std::function<Task<void>(Request&, WebSocket&)>;

/// Returned by websocket(): call it with a handler to register the handler (and get it back).
///
/// Lifetime: refers to the App or Blueprint; use it in the registering statement.
class WebSocketRegistrar {
 public:
  /// Registers on `target` when called with a handler (see Registry::websocket).
  WebSocketRegistrar(Registry& target, std::string pattern, WebSocketOptions options)
      : target_(target), pattern_(std::move(pattern)), options_(std::move(options)) {}

  /// Registers a copy of fn and returns fn. Throws std::invalid_argument for a bad route.
  template <detail::WebSocketHandlerFn F>
  F operator()(F fn) const;

 private:
  Registry& target_;
  std::string pattern_;
  WebSocketOptions options_;
};

/// Returned by route/get/post/...: call it with a handler to register the handler.
///
/// It hands the handler back, so registrations stack like Python decorators:
///     app.get("/a")(app.get("/b")(handler));
/// Lifetime: refers to the App or Blueprint; use it in the registering statement.
class RouteRegistrar {
 public:
  /// Starts a registration of pattern with options on target (see Registry::route).
  RouteRegistrar(Registry& target, std::string pattern, RouteOptions options)
      : target_(target), pattern_(std::move(pattern)), options_(std::move(options)) {}

  /// Registers a copy of fn and returns fn. Throws std::invalid_argument for a bad route.
  template <typename F>
  F operator()(F fn) const;

 private:
  Registry& target_;
  std::string pattern_;
  RouteOptions options_;
};

/// The registrations of an App or a Blueprint: routes, middleware, error handlers, listeners.
///
/// Middleware: `on_request` (before the handler; may answer), `on_response` (after; may change
/// the response; also runs on error responses), `use` (onion, wraps what is inside it).
/// Order: onion middleware outermost (app, then groups, blueprint, route), then request
/// middleware in the same order, the handler, and response middleware in reverse order.
class Registry {
 public:
  virtual ~Registry() = default;

  /// Starts a registration for pattern with options.
  RouteRegistrar route(std::string_view pattern, RouteOptions options = {}) {
    return {*this, std::string{pattern}, std::move(options)};
  }
  /// Starts a GET registration (HEAD is answered by it too). The shorthands take the same
  /// options as route(), their method replacing options.methods:
  ///     app.get("/users/<id:int>", {.name = "user"})(show_user);
  RouteRegistrar get(std::string_view pattern, RouteOptions options = {}) {
    return route(pattern, method("GET", std::move(options)));
  }
  /// Starts a POST registration.
  RouteRegistrar post(std::string_view pattern, RouteOptions options = {}) {
    return route(pattern, method("POST", std::move(options)));
  }
  /// Starts a PUT registration.
  RouteRegistrar put(std::string_view pattern, RouteOptions options = {}) {
    return route(pattern, method("PUT", std::move(options)));
  }
  /// Starts a PATCH registration.
  RouteRegistrar patch(std::string_view pattern, RouteOptions options = {}) {
    return route(pattern, method("PATCH", std::move(options)));
  }
  /// Starts a DELETE registration (`delete` is a C++ keyword).
  RouteRegistrar del(std::string_view pattern, RouteOptions options = {}) {
    return route(pattern, method("DELETE", std::move(options)));
  }
  /// Starts an OPTIONS registration (without one, OPTIONS is answered automatically).
  RouteRegistrar options(std::string_view pattern, RouteOptions opts = {}) {
    return route(pattern, method("OPTIONS", std::move(opts)));
  }
  /// Starts a HEAD registration (without one, HEAD uses the GET route).
  RouteRegistrar head(std::string_view pattern, RouteOptions options = {}) {
    return route(pattern, method("HEAD", std::move(options)));
  }

  /// Starts a websocket route: a GET on pattern with a valid RFC 6455 handshake is answered
  /// with 101 and the handler runs with the upgraded connection. Middleware runs before the
  /// upgrade and may refuse it with a response. A GET without `Upgrade: websocket` gets 426,
  /// an unsupported Sec-WebSocket-Version 426, a malformed handshake 400, a refused Origin 403.
  /// Example:
  ///     app.websocket("/echo")([](swoop::Request&, swoop::WebSocket& ws) -> swoop::Task<> {
  ///       while (auto msg = co_await ws.recv()) co_await ws.send(msg->text());
  ///     });
  WebSocketRegistrar websocket(std::string_view pattern, WebSocketOptions options = {}) {
    return {*this, std::string{pattern}, std::move(options)};
  }
  /// Registers a websocket handler in one call. Throws like add_route.
  void add_websocket(std::string_view pattern, WebSocketOptions options, WebSocketHandler handler);

  /// Registers a GET handler in one call.
  template <typename F>
  void get(std::string_view pattern, F fn) {
    if constexpr (detail::check_handler<F>()) {
      add_route(pattern, method("GET"), Handler{std::move(fn)});
    }
  }
  /// Registers a POST handler in one call.
  template <typename F>
  void post(std::string_view pattern, F fn) {
    if constexpr (detail::check_handler<F>()) {
      add_route(pattern, method("POST"), Handler{std::move(fn)});
    }
  }
  /// Registers a handler for the options' methods in one call.
  template <typename F>
  void route(std::string_view pattern, RouteOptions options, F fn) {
    if constexpr (detail::check_handler<F>()) {
      add_route(pattern, std::move(options), Handler{std::move(fn)});
    }
  }
  /// Registers a handler (swoop::Handler wraps any callable of an accepted shape). Throws
  /// std::invalid_argument for a malformed pattern, a route that collides with one already
  /// registered, or a registry that is frozen.
  virtual void add_route(std::string_view pattern, RouteOptions options, Handler handler) = 0;

  /// Serves the files below the directory root at prefix (GET and HEAD), like Sanic's
  /// app.static: "/static/css/a.css" sends "<root>/css/a.css" as swoop::file does (types,
  /// validators, 304, ranges, sendfile). A directory is redirected to its slash form, then
  /// answered with its index file, or a listing when options.directory_listing, else 404.
  /// Paths that could leave root ("..", "%2e%2e", "%2f..", backslashes, NUL, symlinks that
  /// resolve outside root) get 404. root is resolved when a request comes, so it may be
  /// relative to the working directory. The "<path:path>" route gets options.name.
  /// Example:
  ///     app.static_files("/static", "./public", {.max_age = std::chrono::hours{1}});
  void static_files(std::string_view prefix, std::string root, StaticOptions options = {});

  /// Adds request middleware: `(Request&) -> void | optional<Response>` (or a Task of it).
  template <detail::RequestMiddlewareFn F>
  void on_request(F fn) {
    add_middleware(Middleware{std::move(fn)});
  }
  /// Adds response middleware: `(Request&, Response&) -> void | Task<void>`.
  template <detail::ResponseMiddlewareFn F>
  void on_response(F fn) {
    add_middleware(Middleware{std::move(fn)});
  }
  /// Adds onion middleware: `(Request&, Next) -> Task<Response>`, or a built-in (cors(), ...).
  void use(Middleware middleware) { add_middleware(std::move(middleware)); }
  /// Adds middleware of any kind.
  void add_middleware(Middleware middleware);

  /// Handles exceptions of type E (and types derived from it) thrown while serving this
  /// registry's routes: `(Request&, const E&) -> Response | Task<Response>`. The most
  /// specific registered type wins; a blueprint's handlers are tried before the app's.
  /// The headers an HttpError carries are added to the handler's response, except those of a
  /// name the handler sets itself.
  template <typename E, typename F>
  requires detail::ErrorHandlerFn<F, E>
  void on_error(F fn) {
    check_open();
    errors_.add(detail::ErrorHandler::make<E>(std::move(fn)));
  }

  /// Adds a listener run in each worker before it starts accepting.
  void before_server_start(Listener fn) { add_listener(ListenerEvent::before_server_start, fn); }
  /// Adds a listener run in each worker once it accepts.
  void after_server_start(Listener fn) { add_listener(ListenerEvent::after_server_start, fn); }
  /// Adds a listener run in each worker when shutdown begins (reverse order).
  void before_server_stop(Listener fn) { add_listener(ListenerEvent::before_server_stop, fn); }
  /// Adds a listener run in each worker after its connections closed (reverse order).
  void after_server_stop(Listener fn) { add_listener(ListenerEvent::after_server_stop, fn); }
  /// Adds a listener for event.
  void add_listener(ListenerEvent event, Listener fn);

 protected:
  /// Throws std::invalid_argument when registration is closed (the app is serving).
  virtual void check_open() const {}
  /// Checks options.status against the handler (see RouteOptions::status) and gives it the
  /// handler; throws std::invalid_argument naming pattern when it does not fit.
  static void apply_status(std::string_view pattern, const RouteOptions& options, Handler& handler);
  /// options with a single method, name.
  static RouteOptions method(const char* name, RouteOptions options = {}) {
    options.methods = {name};
    return options;
  }

  /// Middleware registered on this registry, in registration order.
  std::vector<Middleware> middleware_;
  /// Error handlers registered with on_error.
  detail::ErrorHandlers errors_;
  /// Listeners registered on this registry, with their events.
  std::vector<std::pair<ListenerEvent, Listener>> listeners_;
};

template <typename F>
F RouteRegistrar::operator()(F fn) const {
  if constexpr (detail::check_handler<F>()) {
    target_.add_route(pattern_, options_, Handler{F{fn}});
  }
  return fn;
}

template <detail::WebSocketHandlerFn F>
F WebSocketRegistrar::operator()(F fn) const {
  target_.add_websocket(pattern_, options_, WebSocketHandler{F{fn}});
  return fn;
}

}  // namespace swoop
