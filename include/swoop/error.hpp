// SPDX-License-Identifier: MIT
// The exceptions swoop throws and the error_code categories it reports I/O failures in.
#pragma once

#include <stdexcept>
#include <string>
#include <system_error>
#include <utility>
#include <vector>

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
/// `message` is safe to show to the client; `headers` are added to the error response.
/// A `quiet` error is not logged.
/// Example:
///     throw swoop::HttpError{404, "no such item"};
class HttpError : public std::runtime_error {
 public:
  /// Builds an error with a status (400..599) and a client-safe message.
  HttpError(int status, std::string message,
            std::vector<std::pair<std::string, std::string>> headers = {}, bool quiet = false)
      : std::runtime_error(std::move(message)),
        status_(status),
        headers_(std::move(headers)),
        quiet_(quiet) {}

  /// The HTTP status code to answer with.
  int status() const noexcept { return status_; }
  /// Extra headers for the error response.
  const std::vector<std::pair<std::string, std::string>>& headers() const noexcept {
    return headers_;
  }
  /// Whether the error is an expected outcome that should not be logged.
  bool is_quiet() const noexcept { return quiet_; }

 private:
  int status_;
  std::vector<std::pair<std::string, std::string>> headers_;
  bool quiet_;
};

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

template <>
struct std::is_error_code_enum<swoop::errc> : std::true_type {};
