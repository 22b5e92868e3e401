// SPDX-License-Identifier: MIT
// Running a request through its pipeline: onion middleware, request middleware, the handler,
// response middleware, and error handlers.
#include <optional>
#include <stdexcept>

#include "app/app_state.hpp"
#include "swoop/detail/access.hpp"
#include "swoop/log.hpp"

namespace swoop {

namespace detail {

namespace {

Task<Response> call_handler(const Match& m, Request& req) {
  const Pipeline& p = pipeline_of(m);
  if (p.handler == nullptr) co_return fallback_response(m);
  if (p.handler->is_sync()) co_return p.handler->call_sync(req);
  co_return co_await p.handler->call(req);
}

// Request middleware, the handler and response middleware; errors become responses here so
// that response middleware also run on error responses.
Task<Response> run_core(const Match& m, Request& req) {
  const Pipeline& p = pipeline_of(m);
  std::optional<Response> res;
  std::exception_ptr error;
  try {
    for (const Middleware* m : p.request) {
      if (std::optional<Response> early = co_await m->on_request(req)) {
        res.emplace(std::move(*early));
        break;
      }
    }
    if (!res) res.emplace(co_await call_handler(m, req));
  } catch (...) {
    error = std::current_exception();
  }
  if (error) res.emplace(co_await handle_error(p, req, error));
  for (const Middleware* m : p.response) {
    error = nullptr;
    try {
      co_await m->on_response(req, *res);
    } catch (...) {
      error = std::current_exception();
    }
    if (error) res.emplace(co_await handle_error(p, req, error));
  }
  co_return std::move(*res);
}

Task<Response> run_from(const Match& m, std::size_t index, Request& req) {
  const Pipeline& p = pipeline_of(m);
  if (index < p.onion.size())
    co_return co_await p.onion[index]->wrap(req, Access::next(m, index + 1));
  co_return co_await run_core(m, req);
}

// The headers an HttpError carries (WWW-Authenticate on a 401, Retry-After on a 503, Allow on
// a 405) belong to the answer whoever renders it: those of a name the handler's response does
// not set are added to it.
void keep_error_headers(const std::exception_ptr& error, Response& res) {
  try {
    std::rethrow_exception(error);
  } catch (const HttpError& e) {
    const Headers set_by_handler = res.headers();
    for (const auto& [name, value] : e.headers()) {
      if (set_by_handler.contains(name)) continue;
      try {
        res.add_header(name, value);
      } catch (const std::invalid_argument&) {
        log(LogLevel::warning, "dropped an invalid header from an HttpError");
      }
    }
  } catch (...) {
  }
}

}  // namespace

Task<Response> run_pipeline(const Match& m, Request& req) {
  std::exception_ptr error;
  try {
    co_return co_await run_from(m, 0, req);
  } catch (...) {
    error = std::current_exception();  // thrown by an onion middleware
  }
  co_return co_await handle_error(pipeline_of(m), req, error);
}

Task<Response> handle_error(const Pipeline& p, Request& req, std::exception_ptr error) {
  const ErrorHandler* handler = nullptr;
  if (p.scoped_errors != nullptr) handler = p.scoped_errors->find(error);
  if (handler == nullptr && p.app_errors != nullptr) handler = p.app_errors->find(error);
  if (handler == nullptr) co_return render_error(req, error, p.debug, p.error_format);
  std::exception_ptr again;
  try {
    Response res = co_await handler->call(req, error);
    keep_error_headers(error, res);
    co_return res;
  } catch (...) {
    again = std::current_exception();
  }
  log(LogLevel::error, "an error handler for {} {} threw", req.method(), req.path());
  co_return render_error(req, again, p.debug, p.error_format);
}

}  // namespace detail

Task<Response> Next::operator()(Request& req) const {
  return detail::run_from(*match_, index_, req);
}

}  // namespace swoop
