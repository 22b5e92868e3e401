// SPDX-License-Identifier: MIT
// HTTP status codes and their reason phrases.
#pragma once

#include <string_view>

namespace swoop {

/// Well-known HTTP status codes; functions that take a status take any int in 100..599.
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

/// The reason phrase for a status code ("Not Found"), or "" for an unknown one.
std::string_view reason_phrase(int status) noexcept;

}  // namespace swoop
