// SPDX-License-Identifier: MIT
// Response: the value a handler returns, and named constructors for the common cases.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <utility>

#include "swoop/cookies.hpp"
#include "swoop/headers.hpp"
#include "swoop/status.hpp"

namespace swoop {

namespace detail {
struct Access;
class BodySource;
}  // namespace detail

/// An HTTP response: status, headers and body. A value type: build it, return it.
///
/// The server adds Date and Server unless set, always sets Content-Length and Connection
/// (a handler's "Connection: close" is honoured: the connection closes after the response)
/// and drops Transfer-Encoding (a streamed body, see stream.hpp and static_files.hpp, is sent
/// chunked when its length is unknown); a HEAD request gets the same headers without the body.
/// Header names and values are validated (throws std::invalid_argument) so a response can never
/// carry an injected header. A Response is a value for one request: copies are independent,
/// but one object must not be used from two threads at once (even headers() const may store
/// the Content-Type that text(), html() and json() keep aside until it is asked for).
/// Example:
///     swoop::Response r = swoop::text("created", 201);
///     r.set_header("Location", "/items/7");
class Response {
 public:
  /// An empty response with a status (100..599; otherwise std::invalid_argument).
  explicit Response(StatusCode status = 200);

  /// The status code.
  int status() const noexcept { return status_; }
  /// Changes the status code (100..599; otherwise std::invalid_argument).
  void set_status(StatusCode status);

  /// The headers set so far (Content-Type included when set).
  const Headers& headers() const {
    place_content_type();
    return headers_;
  }
  /// Mutable access to the headers.
  Headers& headers() {
    place_content_type();
    return headers_;
  }
  /// Replaces a header.
  Response& set_header(std::string_view name, std::string_view value) {
    headers().set(name, value);
    return *this;
  }
  /// Adds a header, keeping earlier ones with the same name.
  Response& add_header(std::string_view name, std::string_view value) {
    headers().add(name, value);
    return *this;
  }

  /// Adds a Set-Cookie header for name=value (see CookieOptions), keeping every other
  /// Set-Cookie header, even one for the same name.
  ///
  /// Throws std::invalid_argument for a name, value, path, domain or expiry that
  /// format_set_cookie refuses, so nothing can inject an attribute or a header.
  /// Example:
  ///     res.set_cookie("theme", "dark", {.max_age = std::chrono::days{365}});
  Response& set_cookie(std::string_view name, std::string_view value,
                       const CookieOptions& options = {});
  /// Adds a Set-Cookie header that deletes the cookie `name`: an empty value with Max-Age=0
  /// and an Expires date in 1970.
  ///
  /// Pass the path, domain, secure, same_site and partitioned options the cookie was set with
  /// (a browser only replaces a cookie with the same name, path and domain); `max_age` and
  /// `expires` are ignored. Throws std::invalid_argument like set_cookie.
  Response& delete_cookie(std::string_view name, const CookieOptions& options = {});

  /// The body.
  const std::string& body() const noexcept { return body_; }
  /// Mutable access to the body (Content-Length is computed when the response is sent).
  std::string& body() noexcept { return body_; }
  /// Replaces the body.
  Response& set_body(std::string body) {
    body_ = std::move(body);
    return *this;
  }
  /// Replaces the body and its Content-Type.
  Response& set_body(std::string body, std::string_view content_type) {
    headers().set("Content-Type", content_type);  // first: a refused type changes nothing
    body_ = std::move(body);
    return *this;
  }

  /// Whether the body is produced while it is sent (swoop::stream, swoop::file) instead of
  /// being held in body().
  bool is_streamed() const noexcept { return source_ != nullptr; }

 private:
  friend struct detail::Access;  // the server reads the pending type and the body's source
  // The named constructors below set their fixed, valid Content-Type without checks.
  friend Response text(std::string body, StatusCode status);
  friend Response html(std::string body, StatusCode status);
  friend Response json_text(std::string serialized, StatusCode status);
  // content_type must be a string literal: it is kept as a view until a header is touched
  // (most responses go out untouched, and then no Headers storage is allocated at all).
  Response& set_body_trusted(std::string body, std::string_view content_type) {
    body_ = std::move(body);
    content_type_ = content_type;
    return *this;
  }
  void place_content_type() const {
    if (content_type_.empty()) return;
    headers_.append_trusted("Content-Type", content_type_);
    content_type_ = {};
  }

  int status_;
  mutable Headers headers_;
  mutable std::string_view content_type_;  // Content-Type not yet placed among headers_
  std::string body_;
  std::shared_ptr<detail::BodySource> source_;
};

/// A text/plain; charset=utf-8 response.
Response text(std::string body, StatusCode status = 200);
/// A text/html; charset=utf-8 response.
Response html(std::string body, StatusCode status = 200);
/// A response with any body bytes and content type.
Response raw(std::string body, std::string_view content_type = "application/octet-stream",
             StatusCode status = 200);
/// An application/json response whose body is already-serialized JSON.
Response json_text(std::string serialized, StatusCode status = 200);
/// A response with no body (204 by default).
Response empty(StatusCode status = 204);
/// A redirect to location: 302 by default, or 301, 303, 307, 308 (anything else throws
/// std::invalid_argument, as does a location with CR, LF or NUL).
Response redirect(std::string_view location, StatusCode status = 302);

}  // namespace swoop
