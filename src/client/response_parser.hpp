// SPDX-License-Identifier: MIT
// Internal: llhttp in response mode, filling a ClientResponse.
#pragma once

#include <llhttp.h>

#include <cstddef>
#include <string>
#include <string_view>

#include "swoop/client.hpp"

namespace swoop::http::detail {

/// The bounds a response's heads are held to (ClientOptions' fields of the same names; the
/// defaults are theirs).
struct HeadLimits {
  std::size_t max_header_size = 64 * 1024;  ///< bytes of one head, or of the trailer section
  std::size_t max_header_count = 100;       ///< fields of one head, or of the trailer section
  std::size_t max_informational = 16;       ///< interim (1xx) responses before the final one
};

/// Parses one response (skipping 1xx interim responses) from the bytes of a connection.
///
/// Every head (interim ones too) and the trailer section are fed to llhttp no further than
/// max_header_size bytes, so the byte that passes the limit fails the response before
/// anything past it is stored. Limits are checked at byte positions that do not depend on
/// how the input is split, so splitting it differently never changes the outcome.
class ResponseParser {
 public:
  enum class State { incomplete, complete, error, too_large };
  /// The bound a failed response passed (none when it was malformed).
  enum class Limit { none, body, header_size, header_count, trailer_size, informational };

  /// head: the request was HEAD, so no body follows whatever the headers say.
  ResponseParser(ClientResponse& out, bool head, std::size_t max_body, HeadLimits limits = {});
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
  /// Once complete: how many bytes at the end of the last feed() came after the response (the
  /// next pipelined response's, or after a 101 the upgraded protocol's).
  std::size_t leftover() const noexcept { return leftover_; }
  /// The bound passed, for State::too_large (and State::error with Limit::informational).
  Limit limit() const noexcept { return limit_; }
  /// Why parsing failed (for State::error and State::too_large).
  std::string error() const;

 private:
  static int on_status(llhttp_t* p, const char* at, std::size_t n) noexcept;
  static int on_header_field(llhttp_t* p, const char* at, std::size_t n) noexcept;
  static int on_header_value(llhttp_t* p, const char* at, std::size_t n) noexcept;
  static int on_header_field_complete(llhttp_t* p) noexcept;
  static int on_headers_complete(llhttp_t* p) noexcept;
  static int on_chunk_header(llhttp_t* p) noexcept;
  static int on_body(llhttp_t* p, const char* at, std::size_t n) noexcept;
  static int on_message_complete(llhttp_t* p) noexcept;
  int fail(Limit limit) noexcept;
  void start_section() noexcept;

  ClientResponse& out_;
  llhttp_settings_t settings_{};
  llhttp_t parser_{};
  std::size_t max_body_;
  HeadLimits limits_;
  std::size_t section_size_ = 0;  // bytes of the current head or trailer section fed so far
  std::size_t fields_ = 0;        // fields of the current head or trailer section
  std::size_t informational_ = 0;
  std::size_t leftover_ = 0;
  std::string error_;  // set when swoop itself rejects what llhttp accepted
  State state_ = State::incomplete;
  Limit limit_ = Limit::none;
  bool head_;
  bool in_section_ = true;  // in a head (from before its first byte) or the trailer section
  bool in_value_ = false;
  bool in_trailers_ = false;  // past the head: header callbacks now carry trailer fields
  bool started_ = false;
  bool reusable_ = false;
};

}  // namespace swoop::http::detail
