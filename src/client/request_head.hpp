// SPDX-License-Identifier: MIT
// Internal: the head of an outbound HTTP/1.1 request (the Client's and the TestClient's).
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "swoop/headers.hpp"

namespace swoop::http::detail {

/// Whether headers hold a field called name (compared case-insensitively).
bool has_header(const HeaderList& headers, std::string_view name) noexcept;

/// The head of a request, ending with the blank line: the request line; Host (authority)
/// and User-Agent (when not empty) unless headers give them; headers in order; and
/// Content-Length: body_size when there is a body or the method is POST, PUT or PATCH, unless
/// headers give Content-Length or Transfer-Encoding (RFC 9112 6.2: never both).
/// Throws ClientError (protocol) for a method or header name that is not a token, or a header
/// value holding CR, LF or NUL, so nothing can split the request.
std::string request_head(std::string_view method, std::string_view target,
                         std::string_view authority, const HeaderList& headers,
                         std::size_t body_size, std::string_view user_agent);

}  // namespace swoop::http::detail
