// SPDX-License-Identifier: MIT
// Internal: what an App holds for serving: the router, each route's pipeline, listeners, tasks.
#pragma once

#include <atomic>
#include <cstdint>
#include <deque>
#include <exception>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "swoop/app.hpp"

namespace swoop::detail {

/// Everything one request passes through, computed when the app is frozen.
///
/// Lifetime: owned by AppState; points into the App's middleware and route storage, which
/// does not change once frozen.
struct Pipeline {
  std::vector<const Middleware*> onion;          // outermost first
  std::vector<const Middleware*> request;        // in order
  std::vector<const Middleware*> response;       // already reversed
  const Handler* handler = nullptr;              // null: the fallback (404, 405, automatic OPTIONS)
  const ErrorHandlers* scoped_errors = nullptr;  // the blueprint's, tried first
  const ErrorHandlers* app_errors = nullptr;
  bool debug = false;
  ErrorFormat error_format = ErrorFormat::negotiate;
  bool stream_body = false;  // the handler reads the body as it arrives
  /// No middleware: the connection may call a sync handler directly.
  bool is_plain() const noexcept { return onion.empty() && request.empty() && response.empty(); }
  /// No error handler could apply: errors render with the default body.
  bool has_error_handlers() const noexcept {
    return (scoped_errors != nullptr && !scoped_errors->empty()) || !app_errors->empty();
  }
};

/// A route as registered: its handler, its scoped middleware and its blueprint's handlers.
struct RouteInfo {
  Handler handler;
  std::vector<Middleware> middleware;  // groups', blueprint's and route's, outermost first
  const ErrorHandlers* errors = nullptr;
  ErrorFormat error_format = ErrorFormat::negotiate;
  bool stream_body = false;
};

/// The routes of one virtual host (Blueprint::host), numbered into the app's route ids.
struct HostRoutes {
  std::string host;  // lower case, with or without ":port"
  Router router;
  std::vector<std::uint32_t> ids;  // the host router's id -> the app's route id
};

struct AppState {
  Router router;
  std::deque<HostRoutes> hosts;   // consulted before `router` when the Host header matches
  std::vector<RouteInfo> routes;  // indexed by route id
  std::deque<ErrorHandlers> blueprint_errors;  // stable addresses for RouteInfo::errors
  std::vector<std::string> blueprint_names;
  std::vector<std::pair<ListenerEvent, Listener>> blueprint_listeners;
  std::vector<std::pair<ListenerEvent, Listener>> listeners;  // app's then blueprints', frozen
  std::vector<std::pair<Listener, TaskOptions>> tasks;
  std::vector<Pipeline> pipelines;  // indexed by route id
  Pipeline fallback;
  std::map<std::string, const Router*, std::less<>> named;  // route name -> its router
  Context ctx;
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

/// Runs a request through a pipeline; never throws (errors become responses).
Task<Response> run_pipeline(const Pipeline& p, Request& req);
/// Turns an exception into a response with the pipeline's error handlers or the default.
Task<Response> handle_error(const Pipeline& p, Request& req, std::exception_ptr error);
/// The default error response: status and message as JSON, HTML or text, by the Accept header;
/// exception details only when debug. Logs unexpected exceptions.
Response render_error(const Request& req, std::exception_ptr error, bool debug,
                      ErrorFormat format = ErrorFormat::negotiate);
/// The fallback pipeline's answer for the router's verdict stored in the request.
Response fallback_response(const Request& req);

}  // namespace swoop::detail
