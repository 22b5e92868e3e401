// SPDX-License-Identifier: MIT
// App: routes, blueprints, middleware, error handlers, listeners, background tasks; run().
#pragma once

#include <cstdint>
#include <initializer_list>
#include <memory>
#include <string>
#include <string_view>
#include <utility>

#include "swoop/app_config.hpp"
#include "swoop/blueprint.hpp"
#include "swoop/context.hpp"
#include "swoop/openapi.hpp"
#include "swoop/options.hpp"
#include "swoop/pubsub.hpp"
#include "swoop/registry.hpp"
#include "swoop/router.hpp"

namespace swoop {

namespace detail {
struct Access;
struct AppState;
}  // namespace detail

/// App-wide settings that shape registration.
struct AppOptions {
  /// Default for routes that do not say: strict routes match only the exact trailing slash;
  /// lenient ones (the default, as in Sanic) match with or without it.
  bool strict_slashes = false;
  /// The prefix of the environment variables read into config() when the App is made (Sanic's
  /// env_prefix): MYSVC_ reads MYSVC_PORT, MYSVC_REQUEST_TIMEOUT, ... Empty: the environment
  /// is not read (settings come from code only).
  std::string env_prefix = "SWOOP_";
  /// Default error bodies of every route and of the router's own 404 and 405, where no
  /// blueprint, group or route chooses another format.
  ErrorFormat error_format = ErrorFormat::negotiate;
};

/// How a background task is started.
struct TaskOptions {
  bool once = false;  ///< run in the first worker only, instead of in every worker
};

/// A web application. Register routes, blueprints, middleware, error handlers, listeners and
/// background tasks (see Registry), then serve it with run() or a Server.
///
/// Registration happens before serving; a serving app is frozen and read by every worker.
/// Thread safety: registration is single-threaded; handlers run on several workers at once.
/// Example:
///     swoop::App app{"hello"};
///     app.get("/")([](swoop::Request&) { return swoop::text("hi"); });
///     app.run({.port = 8080});
class App : public Registry {
 public:
  /// Creates an app; name shows in logs.
  explicit App(std::string name = "swoop", AppOptions options = {});
  ~App() override;
  App(const App&) = delete;
  App& operator=(const App&) = delete;

  /// The app's name.
  const std::string& name() const noexcept { return name_; }

  void add_route(std::string_view pattern, RouteOptions options, Handler handler) override;

  /// Registers a blueprint (copied). Throws std::invalid_argument when a blueprint of that
  /// name is already registered or one of its routes collides with a registered route.
  void blueprint(const Blueprint& bp);
  /// Registers every blueprint of a group (nested groups included), composing their options.
  void blueprint(const BlueprintGroup& group);

  /// Starts fn(app) as a background task in each worker (or in the first only) once it
  /// serves; it is cancelled at shutdown and awaited before the after_server_stop listeners.
  void add_task(Listener fn, TaskOptions options = {});

  /// Data shared by every worker, set up before serving (Sanic's app.ctx).
  /// Thread safety: read-only while serving unless what you store is thread-safe.
  Context& ctx() noexcept;
  /// The calling worker's own context (each worker thread has one); listeners that prepare
  /// per-worker resources (connections, caches) put them here.
  static Context& worker_ctx();

  /// Builds the URL of a named route ("users.show" for a blueprint route). Throws
  /// std::invalid_argument for an unknown name or parameters that do not fit.
  /// Example:
  ///     app.url_for("item", {{"id", 7}}, {{"q", "x y"}})  // "/items/7?q=x%20y"
  std::string url_for(std::string_view name, UrlArgs params = {}, UrlArgs query = {}) const;

  /// The app's settings (Sanic's app.config): typed, with defaults, read from SWOOP_*
  /// environment variables when the App was made (AppOptions::env_prefix), so registration
  /// code can read them. See app_config.hpp for how they fill RunOptions.
  AppConfig& config() noexcept { return config_; }
  /// The app's settings, read-only.
  const AppConfig& config() const noexcept { return config_; }

  /// Adds the health routes a load balancer or orchestrator polls, both GET (and HEAD):
  /// `liveness` answers 200 "ok" whenever the process serves; `readiness` answers 200
  /// "ready" while is_ready(), else 503 "not ready". Both send Cache-Control: no-store.
  /// Throws std::invalid_argument when a path is taken, as any route would.
  /// Example:
  ///     app.add_health_routes();  // GET /healthz, GET /readyz
  void add_health_routes(std::string_view liveness = "/healthz",
                         std::string_view readiness = "/readyz");
  /// Publishes the app's API: an OpenAPI 3.1 document of every route (GET
  /// options.openapi_path) and a docs page that shows it (options.docs_path), both left out
  /// of the document. Routes registered later are included too: the document is made when
  /// the app starts serving. Throws std::invalid_argument when called twice, or with
  /// require_docs while an undocumented route is registered.
  /// Example:
  ///     app.openapi({.title = "shop", .version = "1.4.0"});  // /openapi.json and /docs
  void openapi(OpenApiOptions options = {});
  /// Carries topics (swoop::publish) between instances through Redis, as the pubsub_url
  /// setting does (SWOOP_PUBSUB_URL, or RunOptions::pubsub_url, win when set). Each worker
  /// then keeps two connections to Redis on its loop; Redis being down at start or later is
  /// not an error: topics reach this process only meanwhile, and the workers reconnect.
  /// Example: `app.pubsub(swoop::RedisPubSub{"redis://127.0.0.1:6379"});`
  void pubsub(const RedisPubSub& backend);

  /// True while a server serves this app and no shutdown has begun: a Server sets it once
  /// it started and clears it as soon as stop() is called, before the listeners close (then
  /// RunOptions::drain_delay passes before they do). Thread-safe.
  bool is_ready() const noexcept;
  /// Marks the app ready or not ready (what the readiness route answers). The server calls
  /// it; a service may also clear it to leave a balancer's rotation while it keeps serving
  /// (maintenance), and set it again. Thread-safe.
  void set_ready(bool ready) noexcept;

  /// Serves the app until SIGINT or SIGTERM, then shuts down gracefully and returns.
  ///
  /// Reports what the App's read of the environment found wrong (config() was read when the
  /// App was made, or by config().load_env()), then fills the fields of options the caller did
  /// not give (Setting::is_given) from config() (see AppConfig) and applies its log_level
  /// when set. On SIGTERM or SIGINT, readiness turns off at once,
  /// the server keeps serving for options.drain_delay, then stops gracefully.
  ///
  /// Throws std::invalid_argument for a configuration error (a malformed SWOOP_* variable;
  /// unknown ones are only warnings), SystemError when it cannot listen (address in use,
  /// ...), and rethrows what a before_server_start listener threw. Every start-up failure is
  /// logged at error level first; one that escapes main ends the process with exit status 1
  /// (not std::terminate's abort), so a main() without try/catch fails like a Sanic app.
  void run(RunOptions options = {});

 protected:
  void check_open() const override;

 private:
  friend struct detail::Access;  // the server reads state_ and calls freeze()
  void freeze(const RunOptions& options);

  std::string name_;
  std::unique_ptr<detail::AppState> state_;
  AppConfig config_;
};

}  // namespace swoop
