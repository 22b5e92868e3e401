// SPDX-License-Identifier: MIT
// Internal: the one place HTTP/1.1 response bytes are made: status line, fields, Server and
// Date, framing (Content-Length, chunked, or the end of the connection), 100 Continue, chunks.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "swoop/config.hpp"
#include "swoop/detail/access.hpp"
#include "swoop/detail/body.hpp"
#include "swoop/request.hpp"
#include "swoop/response.hpp"

namespace swoop::detail {

/// Whether a response with this status has content (RFC 9110 6.4.1: 1xx, 204 and 304 have
/// none); a HEAD response still says how long its content would be.
constexpr bool allows_body(int status) noexcept {
  return status >= 200 && status != 204 && status != 304;
}
/// Whether a response's body is sent: its status allows one and the request is no HEAD.
constexpr bool sends_body(int status, bool head) noexcept { return !head && allows_body(status); }

/// Whether a streamed body of `length` (empty: unknown) goes out with chunked transfer coding:
/// in HTTP/1.1 when its length is unknown. HTTP/1.0 cannot take chunks: such a body ends with
/// the connection instead.
constexpr bool is_chunked_body(const std::optional<std::uint64_t>& length, int version) noexcept {
  return !length && version != 10;
}

/// Whether the connection may stay open after res answers req, as far as the two decide: the
/// request allows it (RFC 9112 9.3), the handler did not answer "Connection: close", and a body
/// of unknown length does not go to an HTTP/1.0 client, which cannot take chunks. (The
/// connection adds its own reasons to close: shutdown, an upload not read to its end.)
inline bool keeps_alive(const Request& req, const Response& res) noexcept;

/// Whether the handler answered "Connection: close" (other Connection values are the server's).
bool asks_to_close(const Response& res) noexcept;

/// The size of the "Server: swoop\r\nDate: <IMF-fixdate>\r\n" lines most responses carry (the
/// worker keeps them as one piece and refreshes the date once a second). A constant, so that
/// copying them compiles to a few moves rather than a memcpy call.
inline constexpr std::size_t server_and_date_size = 52;

/// Appends HTTP/1.1 responses to a connection's output.
///
/// Lifetime: a view of the output and of the worker's Server and Date lines; made for a write.
class ResponseWriter {
 public:
  /// server_and_date: the worker's "Server: swoop\r\nDate: ...\r\n" lines.
  ResponseWriter(std::string& out, std::string_view server_and_date) noexcept
      : out_(out), stamp_(server_and_date.data()) {
    SWOOP_ASSERT(server_and_date.size() == server_and_date_size, "unexpected Server/Date lines");
  }

  /// The head of res and, when sends_body() and it is in memory, its body. Framing fields the
  /// handler set (Content-Length, Transfer-Encoding, Connection) are replaced by the server's:
  /// the length of the body, chunked for a streamed body of unknown length (HTTP/1.1), and
  /// "Connection: close" (or keep-alive for HTTP/1.0) as keep_alive says; a 101 says
  /// "Connection: Upgrade" (RFC 9110 7.8), its Upgrade field is the handler's. One growth of
  /// the output per response.
  void response(const Response& res, int version, bool head, bool keep_alive);
  /// An interim 100 Continue (RFC 9110 15.2.1): the client may send the body now.
  void continue_100() { out_ += "HTTP/1.1 100 Continue\r\n\r\n"; }
  /// One chunk of a chunked body (RFC 9112 7.1); empty data is no chunk (it would end the body).
  void chunk(std::string_view data);
  /// The last chunk, without trailer fields: the end of a chunked body.
  void last_chunk() { out_ += "0\r\n\r\n"; }

 private:
  std::string& out_;
  const char* stamp_;  // server_and_date_size bytes
};

inline bool keeps_alive(const Request& req, const Response& res) noexcept {
  // With a pending constant Content-Type a response has no other fields: nothing to look at.
  if (!req.is_keep_alive() || (Access::pending_content_type(res).empty() && asks_to_close(res))) {
    return false;
  }
  return !(res.is_streamed() && !Access::body_source(res)->length && req.version() == 10);
}

}  // namespace swoop::detail
