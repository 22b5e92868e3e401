// SPDX-License-Identifier: MIT
// Lenient Cookie header parsing and validated Set-Cookie formatting (RFC 6265).
#include "swoop/cookies.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <cstddef>
#include <iterator>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "http/grammar.hpp"

namespace swoop {

namespace {

using detail::trim_ows;

constexpr std::size_t npos = std::string_view::npos;

bool is_control(char c) noexcept {
  const auto byte = static_cast<unsigned char>(c);
  return byte < 0x20 || byte == 0x7F;
}

// Appends the pairs of one Cookie header to `out` until it holds `max` of them.
void append_cookies(std::string_view header, std::size_t max,
                    std::vector<RequestCookies::value_type>& out) {
  std::size_t start = 0;
  while (start < header.size() && out.size() < max) {
    std::size_t end = header.find(';', start);
    if (end == npos) end = header.size();
    const std::string_view pair = header.substr(start, end - start);
    start = end + 1;

    const std::size_t eq = pair.find('=');
    if (eq == npos) continue;
    const std::string_view name = trim_ows(pair.substr(0, eq));
    std::string_view value = trim_ows(pair.substr(eq + 1));
    if (name.empty() || std::any_of(name.begin(), name.end(), is_control) ||
        std::any_of(value.begin(), value.end(), is_control)) {
      continue;
    }
    // RFC 6265 4.1.1 allows a value in double quotes; the quotes are not part of it.
    if (value.size() >= 2 && value.front() == '"' && value.back() == '"') {
      value = value.substr(1, value.size() - 2);
    }
    out.emplace_back(name, value);
  }
}

// RFC 6265 section 4.1.1: cookie-octet = %x21 / %x23-2B / %x2D-3A / %x3C-5B / %x5D-7E.
bool is_cookie_octet(char c) noexcept {
  const auto byte = static_cast<unsigned char>(c);
  return byte >= 0x21 && byte <= 0x7E && c != '"' && c != ',' && c != ';' && c != '\\';
}

bool is_cookie_value(std::string_view value) noexcept {
  if (value.size() >= 2 && value.front() == '"' && value.back() == '"') {
    value = value.substr(1, value.size() - 2);
  }
  return std::all_of(value.begin(), value.end(), is_cookie_octet);
}

// RFC 6265 section 4.1.1: av-octet = any CHAR (US-ASCII) except CTLs or ';'.
bool is_attribute_value(std::string_view value) noexcept {
  return std::none_of(value.begin(), value.end(), [](char c) {
    return is_control(c) || c == ';' || static_cast<unsigned char>(c) > 0x7F;
  });
}

// RFC 9110 section 5.6.7 IMF-fixdate, in English whatever the locale.
void append_http_date(std::string& out, std::chrono::system_clock::time_point when) {
  using namespace std::chrono;
  static constexpr const char* day_names[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
  static constexpr const char* month_names[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                                "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  const auto second = floor<seconds>(when);
  const auto day = floor<days>(second);
  const year_month_day date{day};
  const hh_mm_ss time{second - day};
  const int year = static_cast<int>(date.year());
  // RFC 6265 section 5.1.1 refuses years before 1601; IMF-fixdate has four year digits.
  if (year < 1601 || year > 9999) {
    throw std::invalid_argument("cookie expiry date must be within the years 1601..9999");
  }
  fmt::format_to(std::back_inserter(out), "{}, {:02} {} {:04} {:02}:{:02}:{:02} GMT",
                 day_names[weekday{day}.c_encoding()], static_cast<unsigned>(date.day()),
                 month_names[static_cast<unsigned>(date.month()) - 1], year, time.hours().count(),
                 time.minutes().count(), time.seconds().count());
}

const char* same_site_value(SameSite same_site) noexcept {
  switch (same_site) {
    case SameSite::lax:
      return "Lax";
    case SameSite::strict:
      return "Strict";
    case SameSite::none:
      return "None";
    case SameSite::unset:
      break;
  }
  return nullptr;
}

}  // namespace

std::optional<std::string_view> RequestCookies::get(std::string_view name) const noexcept {
  for (const auto& [key, value] : cookies_) {
    if (key == name) return value;
  }
  return std::nullopt;
}

std::vector<std::string_view> RequestCookies::get_all(std::string_view name) const {
  std::vector<std::string_view> values;
  for (const auto& [key, value] : cookies_) {
    if (key == name) values.push_back(value);
  }
  return values;
}

RequestCookies parse_cookies(std::string_view cookie_header, std::size_t max_cookies) {
  std::vector<RequestCookies::value_type> cookies;
  append_cookies(cookie_header, max_cookies, cookies);
  return RequestCookies{std::move(cookies)};
}

RequestCookies parse_cookies(const RequestHeaders& headers, std::size_t max_cookies) {
  std::vector<RequestCookies::value_type> cookies;
  for (std::size_t i = 0; i < headers.size() && cookies.size() < max_cookies; ++i) {
    const auto [name, value] = headers[i];
    if (iequals(name, "Cookie")) append_cookies(value, max_cookies, cookies);
  }
  return RequestCookies{std::move(cookies)};
}

std::string format_set_cookie(std::string_view name, std::string_view value,
                              const CookieOptions& options) {
  if (!is_token(name)) throw std::invalid_argument("cookie name must be a non-empty token");
  if (!is_cookie_value(value)) {
    throw std::invalid_argument("cookie value may hold cookie-octets only (percent-encode it)");
  }
  if (!is_attribute_value(options.path) || !is_attribute_value(options.domain)) {
    throw std::invalid_argument("cookie path and domain may not hold ';' or control bytes");
  }
  std::string out;
  out.reserve(name.size() + value.size() + options.path.size() + options.domain.size() + 96);
  out.append(name).append("=").append(value);
  if (options.max_age) {
    fmt::format_to(std::back_inserter(out), "; Max-Age={}",
                   std::max<std::chrono::seconds::rep>(options.max_age->count(), 0));
  }
  if (options.expires) {
    out.append("; Expires=");
    append_http_date(out, *options.expires);
  }
  if (!options.domain.empty()) out.append("; Domain=").append(options.domain);
  if (!options.path.empty()) out.append("; Path=").append(options.path);
  // Browsers drop a SameSite=None or Partitioned cookie that is not Secure.
  if (options.secure || options.same_site == SameSite::none || options.partitioned) {
    out.append("; Secure");
  }
  if (options.http_only) out.append("; HttpOnly");
  if (const char* same_site = same_site_value(options.same_site)) {
    out.append("; SameSite=").append(same_site);
  }
  if (options.partitioned) out.append("; Partitioned");
  return out;
}

}  // namespace swoop
