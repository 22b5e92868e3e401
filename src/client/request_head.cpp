// SPDX-License-Identifier: MIT
// The head of an outbound HTTP/1.1 request.
#include "client/request_head.hpp"

#include "swoop/client.hpp"

namespace swoop::http::detail {

bool has_header(const HeaderList& headers, std::string_view name) noexcept {
  for (const auto& h : headers) {
    if (iequals(h.first, name)) return true;
  }
  return false;
}

std::string request_head(std::string_view method, std::string_view target,
                         std::string_view authority, const HeaderList& headers,
                         std::size_t body_size, std::string_view user_agent) {
  if (!is_token(method)) throw ClientError(ClientErrorKind::protocol, "invalid method");
  std::string out;
  out.append(method).append(" ").append(target).append(" HTTP/1.1\r\n");
  if (!has_header(headers, "host")) out.append("Host: ").append(authority).append("\r\n");
  if (!has_header(headers, "user-agent") && !user_agent.empty()) {
    out.append("User-Agent: ").append(user_agent).append("\r\n");
  }
  for (const auto& [name, value] : headers) {
    if (!is_token(name) || has_header_breaking_char(value)) {
      throw ClientError(ClientErrorKind::protocol, "invalid request header '" + name + "'");
    }
    out.append(name).append(": ").append(value).append("\r\n");
  }
  const bool wants_length =
      body_size > 0 || method == "POST" || method == "PUT" || method == "PATCH";
  if (wants_length && !has_header(headers, "content-length") &&
      !has_header(headers, "transfer-encoding")) {
    out.append("Content-Length: ").append(std::to_string(body_size)).append("\r\n");
  }
  out.append("\r\n");
  return out;
}

}  // namespace swoop::http::detail
