// SPDX-License-Identifier: MIT
// Cookies: parsing a request's Cookie headers, and writing Set-Cookie values (RFC 6265).
#pragma once

#include <chrono>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "swoop/headers.hpp"

namespace swoop {

/// The number of cookies parse_cookies keeps by default; the rest of the header is ignored.
inline constexpr std::size_t default_max_cookies = 1000;

/// The cookies a request sent, as (name, value) pairs in header order.
///
/// Duplicate names keep every value (browsers send the cookie with the longest matching path
/// first, so get() returns the most specific one). Names are compared exactly.
///
/// Lifetime: names and values view into the header text they were parsed from (for
/// `req.cookies()`, valid until the handler's Task completes); copy what you keep.
/// Thread safety: const members may be called from several threads at once.
/// Example:
///     auto session = req.cookies().get("session");
///     if (!session) throw swoop::HttpError{401, "log in first"};
class RequestCookies {
 public:
  /// One cookie as (name, value).
  using value_type = std::pair<std::string_view, std::string_view>;
  /// Iterates over the cookies in header order.
  using const_iterator = std::vector<value_type>::const_iterator;

  /// Makes an empty set of cookies.
  RequestCookies() = default;
  /// Makes a set of cookies from pairs, kept as given.
  explicit RequestCookies(std::vector<value_type> cookies) noexcept
      : cookies_(std::move(cookies)) {}

  /// Returns the value of the first cookie called `name`, or nothing.
  std::optional<std::string_view> get(std::string_view name) const noexcept;
  /// Returns the value of the first cookie called `name`, or `fallback`.
  std::string_view get(std::string_view name, std::string_view fallback) const noexcept {
    return get(name).value_or(fallback);
  }
  /// Returns the values of every cookie called `name`, in header order.
  std::vector<std::string_view> get_all(std::string_view name) const;
  /// The same as get_all() (Flask's and Sanic's name).
  std::vector<std::string_view> getlist(std::string_view name) const { return get_all(name); }
  /// Returns true when a cookie called `name` was sent.
  bool contains(std::string_view name) const noexcept { return get(name).has_value(); }
  /// Returns the number of cookies, duplicates counted each time.
  std::size_t size() const noexcept { return cookies_.size(); }
  /// Returns true when no cookie was sent.
  bool empty() const noexcept { return cookies_.empty(); }
  /// Returns an iterator to the first cookie.
  const_iterator begin() const noexcept { return cookies_.begin(); }
  /// Returns the iterator past the last cookie.
  const_iterator end() const noexcept { return cookies_.end(); }

 private:
  std::vector<value_type> cookies_;
};

/// Parses one Cookie header value leniently, as browsers send them (RFC 6265 sections 4.2.1
/// and 5.4): pairs separated by ';', spaces and tabs around names and values trimmed, one pair
/// of double quotes around a value removed, nothing percent-decoded. A pair without '=', with
/// an empty name or with a control byte is skipped, never an error. At most `max_cookies`
/// pairs are kept and the header is not read past the last of them, so the work is linear
/// and bounded whatever the header's size.
///
/// Lifetime: the result views into `cookie_header`.
/// Example:
///     auto c = swoop::parse_cookies("sid=\"abc\"; theme=dark");  // c.get("sid") == "abc"
RequestCookies parse_cookies(std::string_view cookie_header,
                             std::size_t max_cookies = default_max_cookies);

/// Parses every Cookie field of a request's headers, in order, as the overload above does
/// (max_cookies counts the cookies of all fields together).
///
/// Lifetime: the result views into the headers' buffer (valid while the request is).
RequestCookies parse_cookies(const RequestHeaders& headers,
                             std::size_t max_cookies = default_max_cookies);

/// The SameSite attribute of a cookie.
enum class SameSite {
  unset,   ///< no attribute: the browser's default applies (Lax in current browsers)
  lax,     ///< `SameSite=Lax`: sent on top-level navigations from other sites
  strict,  ///< `SameSite=Strict`: never sent with requests started by other sites
  none,    ///< `SameSite=None`: sent everywhere; browsers require Secure, so it is added
};

/// The attributes of a Set-Cookie header (RFC 6265 section 4.1, plus SameSite and
/// Partitioned). Every field is optional; the default is a session cookie for the whole site.
///
/// Example:
///     res.set_cookie("sid", token, {.max_age = std::chrono::hours{24}, .secure = true,
///                                   .http_only = true, .same_site = swoop::SameSite::lax});
struct CookieOptions {
  /// `Max-Age`: lifetime in seconds (a negative one is written as 0, which expires it).
  std::optional<std::chrono::seconds> max_age;
  /// `Expires`: written as an IMF-fixdate ("Sun, 06 Nov 1994 08:49:37 GMT").
  std::optional<std::chrono::system_clock::time_point> expires;
  /// `Path`; an empty string leaves the attribute out (the browser then uses the request's
  /// directory).
  std::string path = "/";
  /// `Domain`; empty (the default) leaves it out, making a host-only cookie.
  std::string domain;
  /// `Secure`: sent over HTTPS only. Forced on by SameSite::none and by partitioned.
  bool secure = false;
  /// `HttpOnly`: hidden from JavaScript.
  bool http_only = false;
  /// `SameSite`.
  SameSite same_site = SameSite::unset;
  /// `Partitioned` (CHIPS): stored per top-level site; implies Secure.
  bool partitioned = false;
};

/// Returns the value of a Set-Cookie header for name=value with the given attributes, e.g.
/// `sid=abc; Max-Age=60; Path=/; Secure; HttpOnly; SameSite=Lax`.
///
/// Throws std::invalid_argument when `name` is not an RFC 6265 token, `value` is not a run of
/// cookie-octets (optionally inside one pair of double quotes: no space, '"', ',', ';', '\\',
/// control or non-ASCII byte; percent_encode arbitrary text first), `path` or `domain` holds a
/// ';', a control byte or a non-ASCII byte, or `expires` is outside the years 1601..9999.
/// So nothing can add an attribute or a header.
std::string format_set_cookie(std::string_view name, std::string_view value,
                              const CookieOptions& options = {});

}  // namespace swoop
