// SPDX-License-Identifier: MIT
// Internal: the seam between the serving core and the application it serves. The core (worker,
// connections, protocol sessions) reaches the app only through a Service; src/app/ implements
// it (service.cpp), and tests may wrap it.
#pragma once

#include <cstddef>
#include <cstdint>
#include <exception>
#include <memory>
#include <string_view>

#include "swoop/app.hpp"
#include "swoop/options.hpp"
#include "swoop/request.hpp"
#include "swoop/response.hpp"
#include "swoop/task.hpp"

namespace swoop::detail {

/// What the serving core knows of a route: how to run it. The Service's own description of a
/// route (the app's Pipeline) extends it.
struct Route {
  bool stream_body = false;     // the handler reads the body as it arrives
  bool runs_inline = false;     // respond() answers at once (no middleware, a sync handler)
  bool handles_errors = false;  // an error handler may apply: errors go to handle_error()
};

/// A request head matched to what answers it: a route, or the router's own verdict (then the
/// route is the app's fallback). Made once per head and kept with the exchange until the
/// response is sent.
///
/// Lifetime: `route` and `allow` view into the Service, which outlives every exchange.
struct Match {
  const Route* route = nullptr;
  std::string_view allow;      // for a 405 and an automatic OPTIONS: the Allow value
  std::uint16_t verdict = 0;   // 0 a route; else 404, 405, or 204 (OPTIONS, no route)
  bool head_from_get = false;  // a HEAD answered by the GET route: no body is sent
};

class Service {
 public:
  virtual ~Service() = default;

  /// Closes registration and builds what serving needs; called once, before any worker runs.
  virtual void freeze(const RunOptions& options) = 0;
  /// What /readyz answers; set when serving starts and when shutdown begins. Thread-safe.
  virtual void set_ready(bool ready) noexcept = 0;

  /// Matches a complete request head into `out` (written in place: this runs per request) and
  /// fills the request's path parameters.
  virtual void match(Request& req, Match& out) const noexcept = 0;
  /// Whether any route reads its body as it arrives (if none, no head with a body needs a
  /// match before its body is read).
  virtual bool any_stream_body() const noexcept = 0;
  /// The answer of a match that runs_inline, computed now; throws what its handler throws.
  virtual Response respond(const Match& m, Request& req) const = 0;
  /// The answer of any match, through middleware, handler and error handlers; never throws.
  virtual Task<Response> run(const Match& m, Request& req) const = 0;
  /// The answer to an error, through the match's error handlers; never throws.
  virtual Task<Response> handle_error(const Match& m, Request& req,
                                      std::exception_ptr error) const = 0;
  /// The default answer to an error (status and message, in the match's error format, or
  /// negotiated without one); logs unexpected exceptions.
  virtual Response render_error(const Match* m, const Request& req,
                                std::exception_ptr error) const = 0;

  /// Runs the listeners of an event in registration order, or reversed.
  virtual Task<void> run_listeners(ListenerEvent event, bool reverse) const = 0;
  /// Background tasks: how many there are, whether one runs on the first worker only, its run.
  virtual std::size_t task_count() const noexcept = 0;
  virtual bool task_runs_once(std::size_t i) const noexcept = 0;
  virtual Task<void> run_task(std::size_t i) const = 0;
  /// Makes ctx what the app's per-worker context is on the calling thread (nullptr: none).
  virtual void set_worker_context(Context* ctx) const noexcept = 0;
};

/// The Service that serves app (src/app/service.cpp). The app must outlive it.
std::unique_ptr<Service> make_app_service(App& app);

}  // namespace swoop::detail
