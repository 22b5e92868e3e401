// SPDX-License-Identifier: MIT
// Internal: absolute http(s) URLs as the client needs them, and Location resolution.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace swoop::http::detail {

/// A parsed absolute URL: http or https, a host (IPv6 without brackets), a port, a target.
struct Url {
  bool tls = false;
  std::string host;
  std::uint16_t port = 80;
  std::string target = "/";  // path and query, never the fragment

  /// "host[:port]" for the Host header (brackets around IPv6, port only when not default).
  std::string authority() const;
  /// The pool key and text form: "scheme://authority".
  std::string origin() const;
  /// The whole URL.
  std::string text() const { return origin() + target; }
};

/// Parses an absolute http:// or https:// URL; throws ClientError{protocol} otherwise.
Url parse_url(std::string_view text);

/// Resolves a Location header against base (absolute, scheme-relative, absolute-path or
/// relative reference; RFC 3986 5.2 without dot-segment removal).
Url resolve_url(const Url& base, std::string_view location);

}  // namespace swoop::http::detail
