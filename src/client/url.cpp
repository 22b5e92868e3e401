// SPDX-License-Identifier: MIT
// Url: the client's URL parsing and redirect resolution.
#include "client/url.hpp"

#include <cctype>

#include "swoop/client.hpp"

namespace swoop::http::detail {

namespace {

[[noreturn]] void bad_url(std::string_view text, const char* why) {
  throw ClientError(ClientErrorKind::protocol, "invalid URL '" + std::string{text} + "': " + why);
}

bool starts_with_icase(std::string_view s, std::string_view prefix) noexcept {
  if (s.size() < prefix.size()) return false;
  for (std::size_t i = 0; i < prefix.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(s[i])) != prefix[i]) return false;
  }
  return true;
}

}  // namespace

std::string Url::authority() const {
  std::string out = host.find(':') != std::string::npos ? "[" + host + "]" : host;
  if (port != (tls ? 443 : 80)) {
    out += ':';  // not ":" + to_string(): GCC 12 warns -Wrestrict on that (a false positive)
    out += std::to_string(port);
  }
  return out;
}

std::string Url::origin() const { return (tls ? "https://" : "http://") + authority(); }

Url parse_url(std::string_view text) {
  Url url;
  std::string_view rest;
  if (starts_with_icase(text, "http://")) {
    rest = text.substr(7);
  } else if (starts_with_icase(text, "https://")) {
    url.tls = true;
    url.port = 443;
    rest = text.substr(8);
  } else {
    bad_url(text, "only http:// and https:// URLs are supported");
  }
  const std::size_t end = rest.find_first_of("/?#");
  std::string_view authority = rest.substr(0, end);
  std::string_view tail = end == std::string_view::npos ? "" : rest.substr(end);
  if (authority.find('@') != std::string_view::npos) bad_url(text, "user info is not supported");
  std::string_view port;
  if (!authority.empty() && authority.front() == '[') {
    const std::size_t close = authority.find(']');
    if (close == std::string_view::npos) bad_url(text, "unterminated IPv6 address");
    url.host = std::string{authority.substr(1, close - 1)};
    std::string_view after = authority.substr(close + 1);
    if (!after.empty()) {
      if (after.front() != ':') bad_url(text, "junk after the IPv6 address");
      port = after.substr(1);
    }
  } else {
    const std::size_t colon = authority.rfind(':');
    url.host = std::string{authority.substr(0, colon)};
    if (colon != std::string_view::npos) port = authority.substr(colon + 1);
  }
  if (url.host.empty()) bad_url(text, "no host");
  for (char c : url.host) {
    if (static_cast<unsigned char>(c) <= ' ' || c == '/' || c == '\\') bad_url(text, "bad host");
  }
  if (!port.empty()) {
    unsigned value = 0;
    for (char c : port) {
      if (c < '0' || c > '9' || value > 65535) bad_url(text, "bad port");
      value = value * 10 + static_cast<unsigned>(c - '0');
    }
    if (value == 0 || value > 65535) bad_url(text, "bad port");
    url.port = static_cast<std::uint16_t>(value);
  }
  tail = tail.substr(0, tail.find('#'));
  for (char c : tail) {
    if (static_cast<unsigned char>(c) <= ' ' || c == 0x7f)
      bad_url(text, "space or control in path");
  }
  url.target.clear();  // (no "/" + string, nor = "/": GCC 12 warns -Wrestrict, see above)
  if (tail.empty() || tail.front() != '/') url.target.push_back('/');
  url.target += tail;
  return url;
}

Url resolve_url(const Url& base, std::string_view location) {
  if (starts_with_icase(location, "http://") || starts_with_icase(location, "https://")) {
    return parse_url(location);
  }
  if (location.starts_with("//")) {
    return parse_url((base.tls ? "https:" : "http:") + std::string{location});
  }
  Url out = base;
  location = location.substr(0, location.find('#'));
  if (location.starts_with("/")) {
    out.target = std::string{location};
  } else if (location.starts_with("?")) {
    out.target = base.target.substr(0, base.target.find('?')) + std::string{location};
  } else {
    const std::string path = base.target.substr(0, base.target.find('?'));
    out.target = path.substr(0, path.rfind('/') + 1) + std::string{location};
  }
  return parse_url(out.origin() + out.target);
}

}  // namespace swoop::http::detail
