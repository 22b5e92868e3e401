// SPDX-License-Identifier: MIT
// Built-in middleware: CORS, request ids, timing and gzip; add them with app.use(...).
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "swoop/middleware.hpp"

namespace swoop {

/// Cross-origin resource sharing settings (the Fetch standard's CORS protocol).
struct CorsOptions {
  std::vector<std::string> origins = {"*"};  ///< allowed origins, exactly; "*" allows any
  std::string origin_regex;                  ///< also allow origins fully matching this regex
  /// Allowed methods, answered in Access-Control-Allow-Methods.
  std::vector<std::string> methods = {"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"};
  std::vector<std::string> headers;         ///< allowed request headers; {"*"} allows any
  std::vector<std::string> expose_headers;  ///< response headers scripts may read
  bool credentials = false;                 ///< allow cookies; the origin is then echoed
  std::optional<int> max_age = 600;         ///< seconds a preflight answer may be cached
};

/// Answers CORS preflight requests itself (204, or 403 when the origin, method or headers are
/// not allowed) and adds Access-Control-* headers to responses for allowed origins.
/// Throws std::invalid_argument for an invalid origin_regex.
/// Example:
///     app.use(swoop::cors({.origins = {"https://example.com"}, .credentials = true}));
Middleware cors(CorsOptions options = {});

/// The request id a request_id() middleware assigned, in req.ctx().
struct RequestId {
  /// The id: the incoming header's value or 32 random hex digits.
  std::string value;
};

/// Request id settings.
struct RequestIdOptions {
  std::string header = "X-Request-ID";  ///< read from the request and set on the response
  bool trust_incoming = true;           ///< keep a well-formed incoming id instead of a new one
};

/// Gives every request an id (the incoming one when well-formed, else 32 random hex digits),
/// stores it as RequestId in req.ctx() and echoes it in the response header.
Middleware request_id(RequestIdOptions options = {});

/// Timing settings.
struct TimingOptions {
  bool server_timing = true;  ///< "Server-Timing: app;dur=<ms>"; false: "X-Process-Time: <s>"
};

/// Adds how long the rest of the chain took to each response.
Middleware timing(TimingOptions options = {});

/// Gzip settings.
struct GzipOptions {
  std::size_t min_size = 500;  ///< smaller bodies are sent as they are
  int level = 6;               ///< zlib level 1..9
};

/// Compresses response bodies with gzip when the client accepts it, the body is large enough,
/// its type is textual (text/*, JSON, JavaScript, XML, SVG) and it is not encoded already.
/// A compressed response's strong ETag becomes weak (W/"..."), as RFC 9110 8.8.3.3 requires of
/// another content coding; If-None-Match still revalidates it.
Middleware gzip(GzipOptions options = {});

}  // namespace swoop
