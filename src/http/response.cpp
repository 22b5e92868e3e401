// SPDX-License-Identifier: MIT
// Response construction and the named constructors for common responses.
#include "swoop/response.hpp"

#include <chrono>
#include <stdexcept>
#include <string>
#include <utility>

#include "swoop/detail/body_buffer.hpp"

namespace swoop {

namespace {
void check_status(int status) {
  if (status < 100 || status > 599) {
    throw std::invalid_argument("HTTP status must be in 100..599");
  }
}
}  // namespace

Response::Response(StatusCode status) : status_(status) { check_status(status); }

void Response::set_status(StatusCode status) {
  check_status(status);
  status_ = status;
}

Response& Response::set_cookie(std::string_view name, std::string_view value,
                               const CookieOptions& options) {
  headers().add("Set-Cookie", format_set_cookie(name, value, options));
  return *this;
}

Response& Response::delete_cookie(std::string_view name, const CookieOptions& options) {
  CookieOptions expired = options;
  expired.max_age = std::chrono::seconds{0};
  expired.expires = std::chrono::system_clock::time_point{};
  headers().add("Set-Cookie", format_set_cookie(name, "", expired));
  return *this;
}

Response text(std::string body, StatusCode status) {
  Response r{status};
  r.set_body_trusted(std::move(body), "text/plain; charset=utf-8");
  return r;
}

Response html(std::string body, StatusCode status) {
  Response r{status};
  r.set_body_trusted(std::move(body), "text/html; charset=utf-8");
  return r;
}

Response raw(std::string body, std::string_view content_type, StatusCode status) {
  Response r{status};
  r.set_body(std::move(body), content_type);
  return r;
}

Response json_text(std::string serialized, StatusCode status) {
  Response r{status};
  r.set_body_trusted(std::move(serialized), "application/json");
  return r;
}

namespace detail {
namespace {
// At most one spare per thread, and not a large one: a worker keeps at most this much.
constexpr std::size_t body_buffer_max = 16 * 1024;
thread_local std::string spare_body;
}  // namespace

std::string take_body_buffer() noexcept {
  std::string& spare = spare_body;
  std::string body = std::move(spare);
  spare.clear();  // a moved-from string is only "valid"; make it the empty spare again
  return body;
}

void give_body_buffer(std::string&& body) noexcept {
  // Also turns away a body in the string's own small buffer: the spare's capacity is never
  // below that buffer's.
  std::string& spare = spare_body;
  if (body.capacity() > body_buffer_max || body.capacity() <= spare.capacity()) return;
  body.clear();
  spare = std::move(body);
}
}  // namespace detail

Response empty(StatusCode status) { return Response{status}; }

Response redirect(std::string_view location, StatusCode status) {
  if (status != 301 && status != 302 && status != 303 && status != 307 && status != 308) {
    throw std::invalid_argument("redirect status must be 301, 302, 303, 307 or 308");
  }
  Response r{status};
  r.set_header("Location", location);
  return r;
}

}  // namespace swoop
