// SPDX-License-Identifier: MIT
// Internal: what an App holds for serving: the router, each route's pipeline, listeners, tasks.
#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <deque>
#include <exception>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "server/service.hpp"
#include "swoop/app.hpp"

namespace swoop::detail {

/// Everything one request passes through, computed when the app is frozen; the Route fields
/// (how the serving core runs it) too.
///
/// Lifetime: owned by AppState; points into the App's middleware and route storage, which
/// does not change once frozen.
struct Pipeline : Route {
  std::vector<const Middleware*> onion;          // outermost first
  std::vector<const Middleware*> request;        // in order
  std::vector<const Middleware*> response;       // already reversed
  const Handler* handler = nullptr;              // null: the fallback (404, 405, automatic OPTIONS)
  const ErrorHandlers* scoped_errors = nullptr;  // the blueprint's, tried first
  const ErrorHandlers* app_errors = nullptr;
  bool debug = false;
  ErrorFormat error_format = ErrorFormat::negotiate;
};

/// The pipeline a match's route is (every Route this app's Service hands out is one).
inline const Pipeline& pipeline_of(const Match& m) noexcept {
  return static_cast<const Pipeline&>(*m.route);
}

/// What the API document says of a route (src/app/openapi.cpp).
struct RouteDoc {
  std::string pattern;    // as the router has it: prefixes and version included
  std::string blueprint;  // the blueprint's name; empty for the app's own routes
  RouteOptions options;   // as registered (its middleware moved out)
};

/// A route as registered: its handler, its scoped middleware and its blueprint's handlers.
struct RouteInfo {
  Handler handler;
  std::vector<Middleware> middleware;  // groups', blueprint's and route's, outermost first
  const ErrorHandlers* errors = nullptr;
  ErrorFormat error_format = ErrorFormat::negotiate;
  bool stream_body = false;
  RouteDoc doc;
};

/// Where the router's own answers (404, 405) take a blueprint's or group's error format:
/// requests for host (empty: any) whose path is prefix or goes on below it.
struct ErrorScope {
  std::string host;    // lower case, with or without ":port"
  std::string prefix;  // without a trailing slash
  ErrorFormat format;
};

/// The routes of one virtual host (Blueprint::host), numbered into the app's route ids.
struct HostRoutes {
  std::string host;  // lower case, with or without ":port"
  Router router;
  std::vector<std::uint32_t> ids;  // the host router's id -> the app's route id
};

struct AppState {
  Router router;
  std::vector<std::uint32_t> router_ids;  // router's id -> the app's; the same without hosts
  std::deque<HostRoutes> hosts;           // consulted before `router` when the Host header matches
  std::vector<RouteInfo> routes;          // indexed by route id
  std::deque<ErrorHandlers> blueprint_errors;  // stable addresses for RouteInfo::errors
  std::vector<std::string> blueprint_names;
  std::vector<std::pair<ListenerEvent, Listener>> blueprint_listeners;
  std::vector<std::pair<ListenerEvent, Listener>> listeners;  // app's then blueprints', frozen
  std::vector<std::pair<Listener, TaskOptions>> tasks;
  std::vector<Pipeline> pipelines;    // indexed by route id
  std::array<Pipeline, 4> fallbacks;  // the router's answers, by ErrorFormat (its value)
  ErrorFormat error_format = ErrorFormat::negotiate;        // AppOptions::error_format
  std::vector<ErrorScope> error_scopes;                     // longest prefix first once frozen
  std::map<std::string, const Router*, std::less<>> named;  // route name -> its router
  Context ctx;
  std::optional<OpenApiOptions> openapi;  // App::openapi()
  std::string openapi_document;           // made by App::freeze
  bool strict_slashes = false;
  bool any_stream_body = false;  // some route reads its body as it arrives
  bool frozen = false;
  bool debug = false;
  std::atomic<bool> ready{false};  // App::is_ready()

  explicit AppState(bool strict) : router(strict), strict_slashes(strict) {}
};

/// Matches a request against the host-specific routes first, then the others; returns the
/// app's route id in match.route_id.
RouteMatch match_route(const AppState& app, Request& req, PathParams& params) noexcept;

/// The error format of the router's answer to req (no route matched): the innermost
/// blueprint's or group's whose prefix holds the path, else the app's.
ErrorFormat fallback_format(const AppState& app, const Request& req) noexcept;

/// Throws std::invalid_argument when OpenApiOptions::require_docs refuses the route.
void check_documented(const AppState& app, std::string_view pattern, const RouteOptions& options,
                      const Handler& handler);

/// Makes ctx what App::worker_ctx() returns on the calling thread (src/app/app.cpp).
void set_worker_ctx(Context* ctx) noexcept;

/// Runs a request through its match's pipeline; never throws (errors become responses).
/// The match must outlive the task (onion middleware's Next points to it).
Task<Response> run_pipeline(const Match& m, Request& req);
/// Turns an exception into a response with the pipeline's error handlers or the default.
Task<Response> handle_error(const Pipeline& p, Request& req, std::exception_ptr error);
/// The default error response: status and message as JSON, HTML or text, by the Accept header;
/// exception details only when debug. Logs unexpected exceptions.
Response render_error(const Request& req, std::exception_ptr error, bool debug,
                      ErrorFormat format = ErrorFormat::negotiate);
/// The fallback pipeline's answer: the router's verdict (404, 405, automatic OPTIONS).
Response fallback_response(const Match& m);

}  // namespace swoop::detail
