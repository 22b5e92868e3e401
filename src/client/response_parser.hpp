// SPDX-License-Identifier: MIT
// Internal: llhttp in response mode, filling a ClientResponse.
#pragma once

#include <llhttp.h>

#include <cstddef>
#include <string>
#include <string_view>

#include "swoop/client.hpp"

namespace swoop::http::detail {

/// Parses one response (skipping 1xx interim responses) from the bytes of a connection.
class ResponseParser {
 public:
  enum class State { incomplete, complete, error, too_large };

  /// head: the request was HEAD, so no body follows whatever the headers say.
  ResponseParser(ClientResponse& out, bool head, std::size_t max_body);
  ResponseParser(const ResponseParser&) = delete;
  ResponseParser& operator=(const ResponseParser&) = delete;

  /// Parses more bytes.
  State feed(std::string_view bytes);
  /// Reports EOF: completes a close-delimited body, or leaves the response incomplete.
  State finish();

  /// Whether any response byte was received.
  bool has_started() const noexcept { return started_; }
  /// Whether the connection may carry another request (keep-alive and nothing left over).
  bool is_reusable() const noexcept { return reusable_; }
  /// Why parsing failed (for State::error).
  std::string error() const;

 private:
  static int on_status(llhttp_t* p, const char* at, std::size_t n) noexcept;
  static int on_header_field(llhttp_t* p, const char* at, std::size_t n) noexcept;
  static int on_header_value(llhttp_t* p, const char* at, std::size_t n) noexcept;
  static int on_headers_complete(llhttp_t* p) noexcept;
  static int on_body(llhttp_t* p, const char* at, std::size_t n) noexcept;
  static int on_message_complete(llhttp_t* p) noexcept;

  ClientResponse& out_;
  llhttp_settings_t settings_{};
  llhttp_t parser_{};
  std::size_t max_body_;
  std::string error_;  // set when swoop itself rejects what llhttp accepted
  State state_ = State::incomplete;
  bool head_;
  bool in_value_ = false;
  bool in_trailers_ = false;  // past the head: header callbacks now carry trailer fields
  bool started_ = false;
  bool reusable_ = false;
};

}  // namespace swoop::http::detail
