// SPDX-License-Identifier: MIT
// The exceptions swoop throws and the error_code categories it reports I/O failures in.
#pragma once

#include <stdexcept>
#include <string>
#include <system_error>
#include <utility>
#include <vector>

#include "swoop/headers.hpp"
#include "swoop/status.hpp"

namespace swoop {

/// swoop's own error conditions, reported through swoop_category().
enum class errc {
  timed_out = 1,      ///< a deadline passed
  cancelled,          ///< the operation's task was cancelled
  connection_closed,  ///< the peer closed the connection
  body_too_large,     ///< a body exceeded its configured limit
  protocol_error,     ///< the peer broke the protocol
};

/// The category of swoop::errc codes.
const std::error_category& swoop_category() noexcept;
/// The category that wraps libuv's negative error codes (messages from uv_strerror).
const std::error_category& uv_category() noexcept;
/// Makes an error_code from a swoop::errc.
std::error_code make_error_code(errc e) noexcept;
/// Makes an error_code from a negative libuv status.
std::error_code uv_error(int status) noexcept;

/// An HTTP error raised by a handler or middleware; the server answers with its status.
///
/// `message` is safe to show to the client; `headers` are added to the error response;
/// `context_json`, when not empty, is a JSON text added to JSON error bodies as "context".
/// A `quiet` error is not logged. Error handlers registered with on_error<E> may catch it.
/// Example:
///     throw swoop::HttpError{404, "no such item"};
class HttpError : public std::runtime_error {
 public:
  /// Builds an error with a status (400..599) and a client-safe message.
  HttpError(StatusCode status, std::string message, HeaderList headers = {}, bool quiet = false,
            std::string context_json = {})
      : std::runtime_error(std::move(message)),
        status_(status),
        headers_(std::move(headers)),
        context_json_(std::move(context_json)),
        quiet_(quiet) {}

  /// The HTTP status code to answer with.
  int status() const noexcept { return status_; }
  /// Extra headers for the error response.
  const HeaderList& headers() const noexcept { return headers_; }
  /// JSON text with details for JSON error bodies ("" when none).
  const std::string& context_json() const noexcept { return context_json_; }
  /// Whether the error is an expected outcome that should not be logged.
  bool is_quiet() const noexcept { return quiet_; }

 private:
  int status_;
  HeaderList headers_;
  std::string context_json_;
  bool quiet_;
};

namespace detail {
/// The default message of a named error: its reason phrase.
const char* default_error_message(int status) noexcept;
}  // namespace detail

/// An HttpError with a fixed status, so on_error<NotFound> and friends can catch it by type.
///
/// Example:
///     throw swoop::NotFound{"no item 7"};
///     throw swoop::BadRequest{"bad url", {}, swoop::to_json(swoop::JsonObject{{"field", "url"}})};
template <int Code>
class StatusError : public HttpError {
 public:
  /// Builds the error; the message defaults to the status's reason phrase.
  explicit StatusError(std::string message = detail::default_error_message(Code),
                       HeaderList headers = {}, std::string context_json = {})
      : HttpError(Code, std::move(message), std::move(headers), Code < 500,
                  std::move(context_json)) {}
};

using BadRequest = StatusError<400>;            ///< 400
using Unauthorized = StatusError<401>;          ///< 401 (add a WWW-Authenticate header)
using Forbidden = StatusError<403>;             ///< 403
using NotFound = StatusError<404>;              ///< 404
using MethodNotAllowed = StatusError<405>;      ///< 405 (the server adds Allow)
using RequestTimeout = StatusError<408>;        ///< 408
using Conflict = StatusError<409>;              ///< 409
using PayloadTooLarge = StatusError<413>;       ///< 413
using UnsupportedMediaType = StatusError<415>;  ///< 415
using UnprocessableContent = StatusError<422>;  ///< 422
using TooManyRequests = StatusError<429>;       ///< 429
using InternalServerError = StatusError<500>;   ///< 500
using NotImplemented = StatusError<501>;        ///< 501
using ServiceUnavailable = StatusError<503>;    ///< 503

/// Throws HttpError{status, message}: Flask's abort.
/// Example:
///     if (!user) swoop::abort(403, "not yours");
[[noreturn]] inline void abort(StatusCode status, std::string message = {}) {
  if (message.empty()) message = detail::default_error_message(status);
  throw HttpError{status, std::move(message), {}, status < 500};
}

/// An operating-system or libuv failure (address in use, connection reset, ...).
class SystemError : public std::system_error {
 public:
  using std::system_error::system_error;
};

/// Thrown into a task whose deadline passed (with_timeout).
class Timeout : public std::runtime_error {
 public:
  Timeout() : std::runtime_error("operation timed out") {}
};

/// Thrown at the next co_await of a task that was cancelled (client gone, deadline, gather).
class Cancelled : public std::runtime_error {
 public:
  Cancelled() : std::runtime_error("task cancelled") {}
};

}  // namespace swoop

/// Makes swoop::errc values convert to std::error_code (outside the reference: see errc).
/// @cond
template <>
struct std::is_error_code_enum<swoop::errc> : std::true_type {};
/// @endcond
