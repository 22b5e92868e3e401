// SPDX-License-Identifier: MIT
// HTTP status codes and their reason phrases.
#pragma once

#include <string_view>

namespace swoop {

/// Well-known HTTP status codes. Functions that take a status (a StatusCode) take one of these
/// or an int alike.
enum class Status : int {
  continue_ = 100,
  switching_protocols = 101,
  ok = 200,
  created = 201,
  accepted = 202,
  no_content = 204,
  partial_content = 206,
  moved_permanently = 301,
  found = 302,
  see_other = 303,
  not_modified = 304,
  temporary_redirect = 307,
  permanent_redirect = 308,
  bad_request = 400,
  unauthorized = 401,
  forbidden = 403,
  not_found = 404,
  method_not_allowed = 405,
  request_timeout = 408,
  conflict = 409,
  length_required = 411,
  payload_too_large = 413,
  uri_too_long = 414,
  unsupported_media_type = 415,
  expectation_failed = 417,
  upgrade_required = 426,
  request_header_fields_too_large = 431,
  internal_server_error = 500,
  not_implemented = 501,
  bad_gateway = 502,
  service_unavailable = 503,
  gateway_timeout = 504,
  http_version_not_supported = 505,
};

/// The status as an int.
constexpr int to_int(Status s) noexcept { return static_cast<int>(s); }

/// A status as swoop's functions take it: an int or a swoop::Status, alike.
///     swoop::text("made", swoop::Status::created);  // same as swoop::text("made", 201)
class StatusCode {
 public:
  /// Any code; the function it is given to checks the range it accepts.
  constexpr StatusCode(int code) noexcept : code_(code) {}  // NOLINT(google-explicit-constructor)
  /// A well-known code.
  constexpr StatusCode(Status status) noexcept  // NOLINT(google-explicit-constructor)
      : code_(to_int(status)) {}
  /// The code as an int.
  constexpr operator int() const noexcept { return code_; }  // NOLINT(google-explicit-constructor)

 private:
  int code_;
};

/// Compares a code with a well-known status: `resp.status() == swoop::Status::not_found`.
constexpr bool operator==(int code, Status status) noexcept { return code == to_int(status); }

/// The reason phrase for a status code ("Not Found"), or "" for an unknown one.
std::string_view reason_phrase(StatusCode status) noexcept;

}  // namespace swoop
