// SPDX-License-Identifier: MIT
// Internal: the one way into a Request's private fields, for the code that receives requests.
#pragma once

#include <cstdint>
#include <string_view>

#include "swoop/options.hpp"
#include "swoop/request.hpp"

namespace swoop::detail {

/// Where a head's parts are, as offsets from the head's first byte.
struct HeadLayout {
  std::uint32_t method_off = 0, method_len = 0;
  std::uint32_t target_off = 0, target_len = 0;
  std::uint32_t version_off = 0;
  /// Checked in the quick pass: an origin-form target of RFC 3986 path and query characters
  /// only, and ASCII field values (what any HTTP parser reads the same way).
  bool plain = false;
};

/// Fills the private fields of a Request (the only code that may).
class RequestBuilder {
 public:
  static void reset(Request& req) noexcept;
  /// Frees what a reset request still holds for reuse (an owned body, a decoded path).
  static void shrink(Request& req) noexcept;
  static void set_base(Request& req, const char* base) noexcept;
  /// The request's bytes were copied from `from` to `to`: path parameters viewing them follow
  /// (those viewing the decoded path stay).
  static void move_params(Request& req, const char* from, std::size_t len, const char* to) noexcept;
  static void set_head(Request& req, const HeadLayout& layout, int version);
  static void set_body_span(Request& req, std::uint32_t off, std::uint32_t len) noexcept;
  static void set_keep_alive(Request& req, bool keep_alive) noexcept {
    req.keep_alive_ = keep_alive;
  }
  static void set_peer(Request& req, std::string_view addr, std::uint16_t port,
                       bool secure) noexcept;
  static RequestHeaders& headers(Request& req) noexcept { return req.headers_; }
  static PathParams& params(Request& req) noexcept { return req.params_; }
  static CancelState& cancel_state(Request& req) noexcept { return req.cancel_; }
  static const char* base(const Request& req) noexcept { return req.base_; }
  /// The server connection a request arrived on (for the websocket upgrade); kept by reset().
  static void set_host(Request& req, RequestHost* host) noexcept { req.host_ = host; }
  static RequestHost* host(const Request& req) noexcept { return req.host_; }
  /// Gives back what a finished request borrowed (its JSON parser) before the next one.
  static void release(Request& req) noexcept { req.json_.reset(); }
  /// Makes req.stream() read from reader (nullptr: from the received body).
  static void set_body_reader(Request& req, BodyReader* reader) noexcept;
  /// Decodes the path; returns false when it holds a malformed escape or a NUL.
  static bool decode_path(Request& req);
};

}  // namespace swoop::detail
