// SPDX-License-Identifier: MIT
// App: registration (routes, blueprints, groups), freezing into pipelines, and run().
#include "swoop/app.hpp"

#include <uv.h>

#include <algorithm>
#include <cstdlib>
#include <exception>
#include <memory>
#include <mutex>
#include <stdexcept>

#include "app/app_state.hpp"
#include "pubsub/redis.hpp"
#include "server/head_validator.hpp"
#include "swoop/detail/access.hpp"
#include "swoop/log.hpp"
#include "swoop/loop.hpp"
#include "swoop/server.hpp"

namespace swoop {

namespace {

thread_local Context* current_worker_ctx = nullptr;

/// Options inherited from the enclosing groups while registering a blueprint.
struct Scope {
  std::string prefix;
  std::optional<int> version;
  std::string version_prefix = "/v";
  std::optional<bool> strict_slashes;
  std::string host;
  std::vector<Middleware> middleware;
  std::optional<ErrorFormat> error_format;
};

std::string join_path(std::string_view prefix, std::string_view pattern) {
  std::string out{prefix};
  while (!out.empty() && out.back() == '/') out.pop_back();
  if (pattern.empty() || pattern == "/") return out.empty() ? "/" : out;
  if (pattern.front() != '/') out += '/';
  out += pattern;
  return out;
}

}  // namespace

namespace detail {

void set_worker_ctx(Context* ctx) noexcept { current_worker_ctx = ctx; }

namespace {
// Whether a Host header value names key (a registered host, with or without ":port"); a key
// without a port matches the host on any port.
bool host_matches(std::string_view key, std::string_view host) noexcept {
  const std::size_t colon = host.rfind(':');
  const bool has_port =
      colon != std::string_view::npos && host.find(']', colon) == std::string_view::npos;
  return iequals(key, host) || (has_port && iequals(key, host.substr(0, colon)));
}
}  // namespace

RouteMatch match_route(const AppState& app, Request& req, PathParams& params) noexcept {
  if (!app.hosts.empty()) {
    if (const std::string_view host = req.host(); !host.empty()) {
      for (const HostRoutes& h : app.hosts) {
        if (!host_matches(h.host, host)) continue;
        RouteMatch m = h.router.match(req.method(), req.path(), params);
        if (m.status == MatchStatus::not_found) continue;
        if (m.status == MatchStatus::found) m.route_id = h.ids[m.route_id];
        return m;
      }
    }
    RouteMatch m = app.router.match(req.method(), req.path(), params);
    if (m.status == MatchStatus::found) m.route_id = app.router_ids[m.route_id];
    return m;
  }
  // Without host routes, the main router's ids are the app's.
  return app.router.match(req.method(), req.path(), params);
}

ErrorFormat fallback_format(const AppState& app, const Request& req) noexcept {
  const std::string_view path = req.path();
  for (const ErrorScope& s : app.error_scopes) {
    if (!s.host.empty() && !host_matches(s.host, req.host())) continue;
    if (path.starts_with(s.prefix) &&
        (path.size() == s.prefix.size() || path[s.prefix.size()] == '/')) {
      return s.format;
    }
  }
  return app.error_format;
}

}  // namespace detail

App::App(std::string name, AppOptions options)
    : name_(std::move(name)), state_(std::make_unique<detail::AppState>(options.strict_slashes)) {
  state_->error_format = options.error_format;
  // Not strict: a malformed value is reported by run(), unless load_env replaces this read.
  if (!options.env_prefix.empty()) config_.read_env(options.env_prefix, false);
}

App::~App() = default;

void App::check_open() const {
  if (state_->frozen) {
    throw std::invalid_argument("app '" + name_ + "' is serving: registration is closed");
  }
}

namespace {

std::string lower(std::string_view s) {
  std::string out{s};
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c + 32);
  }
  return out;
}

void register_route(detail::AppState& state, std::string_view pattern, RouteOptions options,
                    Handler handler, const detail::ErrorHandlers* errors,
                    std::string_view blueprint = {}, std::string_view host = {}) {
  detail::check_documented(state, pattern, options, handler);
  for (const std::string& method : options.methods) {
    const bool upper = std::all_of(method.begin(), method.end(),
                                   [](char c) { return (c >= 'A' && c <= 'Z') || c == '-'; });
    if (upper && !method.empty() && !detail::is_receivable_method(method)) {
      throw std::invalid_argument(
          "route " + std::string{pattern} + ": method " + method +
          " can never reach it: the HTTP parser (llhttp 8.1) answers it with 501 Not Implemented");
    }
  }
  if (!options.name.empty() && state.named.contains(options.name)) {
    throw std::invalid_argument("route name '" + options.name + "' is already taken (route " +
                                std::string{pattern} + ")");
  }
  Router* router = &state.router;
  detail::HostRoutes* host_routes = nullptr;
  if (!host.empty()) {
    const std::string key = lower(host);
    auto it = std::find_if(state.hosts.begin(), state.hosts.end(),
                           [&](const detail::HostRoutes& h) { return h.host == key; });
    if (it == state.hosts.end()) {
      state.hosts.push_back({key, Router{state.strict_slashes}, {}});
      it = std::prev(state.hosts.end());
    }
    host_routes = &*it;
    router = &it->router;
  }
  const std::string name = options.name;
  const std::uint32_t local =
      router->add(options.methods, pattern, options.name, options.strict_slashes);
  // Every router numbers its routes from 0; the app numbers them all in registration order.
  const auto id = static_cast<std::uint32_t>(state.routes.size());
  std::vector<std::uint32_t>& ids = host_routes != nullptr ? host_routes->ids : state.router_ids;
  if (local >= ids.size()) ids.resize(local + 1);
  ids[local] = id;
  detail::RouteInfo& info = state.routes.emplace_back();
  info.handler = std::move(handler);
  info.middleware = std::move(options.middleware);
  info.errors = errors;
  info.error_format = options.error_format.value_or(state.error_format);
  info.stream_body = options.stream_body;
  info.doc = {std::string{pattern}, std::string{blueprint}, std::move(options)};
  if (!name.empty()) state.named.emplace(name, router);
}

}  // namespace

void App::add_route(std::string_view pattern, RouteOptions options, Handler handler) {
  check_open();
  apply_status(pattern, options, handler);
  register_route(*state_, pattern, std::move(options), std::move(handler), nullptr);
}

namespace {

// The router's 404 and 405 for paths under prefix (on host, if any) take format. A scope with
// neither a prefix nor a host would be the whole app: AppOptions::error_format says that.
void add_error_scope(detail::AppState& state, std::string_view host, std::string prefix,
                     ErrorFormat format) {
  while (!prefix.empty() && prefix.back() == '/') prefix.pop_back();
  if (prefix.empty() && host.empty()) return;
  state.error_scopes.push_back({lower(host), std::move(prefix), format});
}

void add_blueprint(detail::AppState& state, const Blueprint& bp, const Scope& scope) {
  if (std::find(state.blueprint_names.begin(), state.blueprint_names.end(), bp.name()) !=
      state.blueprint_names.end()) {
    throw std::invalid_argument("blueprint '" + bp.name() + "' is already registered");
  }
  const BlueprintOptions& o = bp.options();
  std::string prefix;
  if (o.version)
    prefix = o.version_prefix + std::to_string(*o.version);
  else if (scope.version)
    prefix = scope.version_prefix + std::to_string(*scope.version);
  prefix = join_path(join_path(prefix, scope.prefix), o.url_prefix);
  const std::optional<bool> strict = o.strict_slashes ? o.strict_slashes : scope.strict_slashes;
  const std::string& host = o.host.empty() ? scope.host : o.host;
  const std::optional<ErrorFormat> format = o.error_format ? o.error_format : scope.error_format;
  if (format) add_error_scope(state, host, prefix, *format);
  state.blueprint_errors.push_back(detail::Access::error_handlers(bp));
  const std::vector<Middleware>& bp_middleware = detail::Access::middleware(bp);
  const detail::ErrorHandlers* errors = &state.blueprint_errors.back();
  for (const Blueprint::RouteEntry& r : detail::Access::routes(bp)) {
    RouteOptions options = r.options;
    if (!options.name.empty()) options.name = bp.name() + "." + options.name;
    if (!options.strict_slashes) options.strict_slashes = strict;
    if (!options.error_format) options.error_format = format;
    std::vector<Middleware> chain = scope.middleware;
    chain.insert(chain.end(), bp_middleware.begin(), bp_middleware.end());
    chain.insert(chain.end(), options.middleware.begin(), options.middleware.end());
    options.middleware = std::move(chain);
    try {
      register_route(state, join_path(prefix, r.pattern), std::move(options), r.handler, errors,
                     bp.name(), host);
    } catch (const std::invalid_argument& e) {
      throw std::invalid_argument("blueprint '" + bp.name() + "': " + e.what());
    }
  }
  const auto& listeners = detail::Access::listeners(bp);
  state.blueprint_listeners.insert(state.blueprint_listeners.end(), listeners.begin(),
                                   listeners.end());
  state.blueprint_names.push_back(bp.name());
}

void add_group(detail::AppState& state, const BlueprintGroup& group, const Scope& outer) {
  const GroupOptions& o = group.options();
  Scope scope = outer;
  scope.prefix = join_path(outer.prefix, o.url_prefix);
  if (scope.prefix == "/") scope.prefix.clear();
  if (o.version) {
    scope.version = o.version;
    scope.version_prefix = o.version_prefix;
  }
  if (o.strict_slashes) scope.strict_slashes = o.strict_slashes;
  if (!o.host.empty()) scope.host = o.host;
  if (o.error_format) {
    scope.error_format = o.error_format;
    const std::string version =
        scope.version ? scope.version_prefix + std::to_string(*scope.version) : std::string{};
    add_error_scope(state, scope.host, join_path(version, scope.prefix), *o.error_format);
  }
  scope.middleware.insert(scope.middleware.end(), group.middleware().begin(),
                          group.middleware().end());
  for (const BlueprintGroup::Member& m : group.members()) {
    if (const Blueprint* bp = m.blueprint())
      add_blueprint(state, *bp, scope);
    else
      add_group(state, *m.group(), scope);
  }
}

}  // namespace

void App::blueprint(const Blueprint& bp) {
  check_open();
  add_blueprint(*state_, bp, Scope{});
}

void App::blueprint(const BlueprintGroup& group) {
  check_open();
  add_group(*state_, group, Scope{});
}

void App::add_task(Listener fn, TaskOptions options) {
  check_open();
  state_->tasks.emplace_back(std::move(fn), options);
}

Context& App::ctx() noexcept { return state_->ctx; }

Context& App::worker_ctx() {
  if (current_worker_ctx == nullptr) {
    throw std::logic_error("App::worker_ctx() called outside a worker thread");
  }
  return *current_worker_ctx;
}

std::string App::url_for(std::string_view name, UrlArgs params, UrlArgs query) const {
  const auto it = state_->named.find(name);
  const Router& router = it != state_->named.end() ? *it->second : state_->router;
  return router.url_for(name, params, query);
}

namespace {
void add_to_pipeline(detail::Pipeline& p, const std::vector<Middleware>& list) {
  for (const Middleware& m : list) {
    switch (m.kind()) {
      case MiddlewareKind::onion:
        p.onion.push_back(&m);
        break;
      case MiddlewareKind::request:
        p.request.push_back(&m);
        break;
      case MiddlewareKind::response:
        p.response.push_back(&m);
        break;
    }
  }
}

void finish_pipeline(detail::Pipeline& p) {
  // Response middleware run in reverse order of registration (Sanic's rule).
  std::reverse(p.response.begin(), p.response.end());
  p.runs_inline = p.onion.empty() && p.request.empty() && p.response.empty() &&
                  (p.handler == nullptr || p.handler->is_sync());
  p.handles_errors =
      (p.scoped_errors != nullptr && !p.scoped_errors->empty()) || !p.app_errors->empty();
}
}  // namespace

void App::freeze(const RunOptions& options) {
  detail::AppState& s = *state_;
  if (s.frozen) return;
  if (s.openapi) s.openapi_document = openapi_json(*this);
  s.frozen = true;
  s.debug = options.debug;
  s.listeners = listeners_;
  s.listeners.insert(s.listeners.end(), s.blueprint_listeners.begin(), s.blueprint_listeners.end());
  s.pipelines.resize(s.routes.size());
  for (std::size_t id = 0; id < s.routes.size(); ++id) {
    detail::Pipeline& p = s.pipelines[id];
    add_to_pipeline(p, middleware_);
    add_to_pipeline(p, s.routes[id].middleware);
    p.handler = &s.routes[id].handler;
    p.scoped_errors = s.routes[id].errors;
    p.app_errors = &errors_;
    p.debug = s.debug;
    p.error_format = s.routes[id].error_format;
    p.stream_body = s.routes[id].stream_body;
    s.any_stream_body = s.any_stream_body || p.stream_body;
    finish_pipeline(p);
  }
  for (std::size_t format = 0; format < s.fallbacks.size(); ++format) {
    detail::Pipeline& p = s.fallbacks[format];
    add_to_pipeline(p, middleware_);
    p.app_errors = &errors_;
    p.debug = s.debug;
    p.error_format = static_cast<ErrorFormat>(format);
    finish_pipeline(p);
  }
  // The innermost scope first: the longest prefix, and a host's before any host's.
  std::stable_sort(s.error_scopes.begin(), s.error_scopes.end(),
                   [](const detail::ErrorScope& a, const detail::ErrorScope& b) {
                     if (a.prefix.size() != b.prefix.size())
                       return a.prefix.size() > b.prefix.size();
                     return !a.host.empty() && b.host.empty();
                   });
}

bool App::is_ready() const noexcept { return state_->ready.load(std::memory_order_acquire); }

void App::set_ready(bool ready) noexcept { state_->ready.store(ready, std::memory_order_release); }

void App::add_health_routes(std::string_view liveness, std::string_view readiness) {
  RouteOptions live{.summary = "Liveness: whether the process serves",
                    .tags = {"health"},
                    .responses = {{200, "ok"}}};
  route(liveness, std::move(live))([](Request&) {
    Response res = text("ok\n");
    res.set_header("Cache-Control", "no-store");
    return res;
  });
  RouteOptions ready{.summary = "Readiness: whether to send traffic here",
                     .tags = {"health"},
                     .responses = {{200, "ready"}, {503, "not ready: starting or draining"}}};
  route(readiness, std::move(ready))([this](Request&) {
    const bool ready = is_ready();
    Response res = text(ready ? "ready\n" : "not ready\n", ready ? 200 : 503);
    res.set_header("Cache-Control", "no-store");
    return res;
  });
}

namespace {
// A start-up failure of run() that escapes main: the process exits with status 1 after the
// message run() logged, like a Python or Sanic service, not with std::terminate's abort (134).
std::mutex startup_failure_mutex;
std::exception_ptr startup_failure;
std::terminate_handler previous_terminate = nullptr;

[[noreturn]] void on_terminate() noexcept {
  bool ours = false;
  if (const std::exception_ptr current = std::current_exception()) {
    const std::lock_guard lock{startup_failure_mutex};
    ours = current == startup_failure;
  }
  if (ours) std::_Exit(1);
  if (previous_terminate != nullptr) previous_terminate();
  std::abort();
}

// Logs the exception being handled (unless its own layer already did), remembers it for
// on_terminate and rethrows it.
[[noreturn]] void fail_start(const std::string& name, bool logged) {
  const std::exception_ptr error = std::current_exception();
  if (!logged) {
    try {
      throw;
    } catch (const std::exception& e) {
      log(LogLevel::error, "{}: cannot start: {}", name, e.what());
    } catch (...) {
      log(LogLevel::error, "{}: cannot start: a non-standard exception", name);
    }
  }
  {
    const std::lock_guard lock{startup_failure_mutex};
    startup_failure = error;
    if (previous_terminate == nullptr) previous_terminate = std::set_terminate(&on_terminate);
  }
  std::rethrow_exception(error);
}

}  // namespace

void App::pubsub(const RedisPubSub& backend) {
  detail::parse_redis_url(backend.url);  // a malformed URL is refused here, not at run()
  config_.set("pubsub_url", backend.url);
}

void App::run(RunOptions options) {
  std::unique_ptr<Server> owned;
  try {
    if (config_.is_set("log_level")) {
      set_log_level(
          parse_log_level(config_.get<std::string>("log_level")).value_or(LogLevel::info));
    }
    config_.finish_env();  // after the level: SWOOP_LOG_LEVEL=error silences the warnings
    options = config_.apply(std::move(options));
    owned = std::make_unique<Server>(*this, options);
  } catch (...) {
    fail_start(name_, false);
  }
  Server& server = *owned;
  // The main thread only waits for SIGINT/SIGTERM; the workers serve. The handlers are in
  // place before "listening" is logged, so a signal sent right after it is never lost.
  Loop loop;
  struct Signals {
    uv_signal_t sigint{}, sigterm{};
    Server* server = nullptr;
    std::chrono::milliseconds drain{0};
  } signals;
  signals.server = &server;
  signals.drain = options.drain_delay;
  auto on_signal = [](uv_signal_t* s, int signum) {
    auto* sig = static_cast<Signals*>(s->data);
    if (sig->drain.count() > 0) {
      log(LogLevel::info, "received signal {}, not ready; draining for {} ms, then shutting down",
          signum, sig->drain.count());
    } else {
      log(LogLevel::info, "received signal {}, shutting down", signum);
    }
    sig->server->stop();
    uv_close(reinterpret_cast<uv_handle_t*>(&sig->sigint), nullptr);
    uv_close(reinterpret_cast<uv_handle_t*>(&sig->sigterm), nullptr);
  };
  for (uv_signal_t* s : {&signals.sigint, &signals.sigterm}) {
    uv_signal_init(loop.native(), s);
    s->data = &signals;
  }
  uv_signal_start(&signals.sigint, on_signal, SIGINT);
  uv_signal_start(&signals.sigterm, on_signal, SIGTERM);
  try {
    server.start();
  } catch (...) {
    fail_start(name_, false);
  }
  log(LogLevel::info, "{}: listening on {}://{}:{} ({} worker{})", name_,
      options.tls.is_enabled() ? "https" : "http",
      options.host->find(':') != std::string::npos ? "[" + *options.host + "]" : *options.host,
      server.port(), *options.workers, options.workers == 1 ? "" : "s");
  // The loop also ends when the workers stop by themselves (a listener failed at start):
  // the last worker to end posts a stop here. The Loop's destructor closes the signals.
  server.on_all_stopped([&loop] { loop.post([&loop] { loop.stop(); }); });
  loop.run();
  server.on_all_stopped(nullptr);  // the loop dies below: nothing may post to it afterwards
  try {
    server.wait();
  } catch (...) {
    fail_start(name_, true);  // a before_server_start listener threw: its worker logged it
  }
  log(LogLevel::info, "{}: stopped", name_);
}

}  // namespace swoop
