// SPDX-License-Identifier: MIT
// Internal: strict validation and splitting of a raw request head (request line + fields).
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "swoop/headers.hpp"

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

/// Why a head was refused: the status to answer and a short reason for the log.
struct HeadError {
  int status = 0;  // 0: no error
  const char* reason = "";
};

/// Limits applied while validating a head.
struct HeadLimits {
  std::size_t max_target = 8192;
  std::size_t max_fields = 100;
};

/// Byte classes of a request head: which bytes may appear in a token (RFC 9110 5.6.2 tchar:
/// methods and field names), a field value (5.5: VCHAR, obs-text, SP, HTAB) or a request
/// target (visible ASCII: clients send `|`, `{` and such unescaped, so they pass); and the
/// plain subsets of the last two (see HeadLayout::plain).
struct HeadBytes {
  static constexpr unsigned char token = 1, value = 2, target = 4;
  static constexpr unsigned char plain_value = 8, plain_target = 16;
  std::array<unsigned char, 256> classes{};
  constexpr HeadBytes() {
    for (int c = 0x21; c <= 0x7e; ++c) classes[c] = value | target | plain_value;
    for (int c = 0x80; c <= 0xff; ++c) classes[c] = value;
    classes[' '] = classes['\t'] = value | plain_value;
    for (int c = '0'; c <= '9'; ++c) classes[c] |= plain_target;
    for (int c = 'a'; c <= 'z'; ++c) classes[c] |= plain_target;
    for (int c = 'A'; c <= 'Z'; ++c) classes[c] |= plain_target;
    for (char c : std::string_view{"-._~!$&'()*+,;=:@/?%"}) {
      classes[static_cast<unsigned char>(c)] |= plain_target;
    }
    for (int c = '0'; c <= '9'; ++c) classes[c] |= token;
    for (int c = 'a'; c <= 'z'; ++c) classes[c] |= token;
    for (int c = 'A'; c <= 'Z'; ++c) classes[c] |= token;
    for (char c : std::string_view{"!#$%&'*+-.^_`|~"})
      classes[static_cast<unsigned char>(c)] |= token;
  }
  constexpr bool is(unsigned char c, unsigned char cls) const noexcept {
    return (classes[c] & cls) != 0;
  }
};
inline constexpr HeadBytes head_bytes;

/// Whether c may appear in a field name (RFC 9110 tchar).
inline bool is_token_char(unsigned char c) noexcept { return head_bytes.is(c, HeadBytes::token); }
/// Whether c may appear in a field value (VCHAR, obs-text, SP, HTAB).
inline bool is_value_char(unsigned char c) noexcept { return head_bytes.is(c, HeadBytes::value); }

/// Validates the head [head, head+len) that ends with CRLF CRLF, and records its parts.
///
/// Stricter than llhttp 8.1 on purpose (RFC 9112): every line ends in CRLF (no bare CR or LF),
/// no NUL or other control byte outside HTAB in values, field names are non-empty tokens
/// followed directly by ':', no line starts with whitespace (obs-fold), the target has no
/// whitespace or control bytes. Fields go into `fields` as offsets from `head`, values trimmed.
HeadError validate_head(const char* head, std::size_t len, const HeadLimits& limits,
                        HeadLayout& layout, RequestHeaders& fields);

/// validate_head's definition, one line at a time: validate_head tries a one-pass shortcut
/// for plain heads first and must agree with this (tests/fuzz/head_fuzz.cpp checks it).
HeadError validate_head_reference(const char* head, std::size_t len, const HeadLimits& limits,
                                  HeadLayout& layout, RequestHeaders& fields);

/// Finds the end of a head (the offset just past CRLF CRLF) in [data, data+len), starting the
/// search at `from`; returns 0 when it is not there yet.
std::size_t find_head_end(const char* data, std::size_t len, std::size_t from) noexcept;

/// Whether the server can receive a request with this method: llhttp 8.1 answers any other
/// with 501 before routing (QUERY, PRI and the RTSP methods among them), so registering a route
/// for one is refused. Defined with the parser, in request_parser.cpp.
bool is_receivable_method(std::string_view method) noexcept;

/// Whether [data, data+len) holds a bare line end, looking from `from` (the previous call's len)
/// on: an LF not preceded by CR, or a CR followed by anything but LF (a CR at the very end may
/// still be followed by LF). RFC 9112 2.2 lets a server refuse them; swoop does so at once rather
/// than wait for a CRLF CRLF that a client ending its lines in LF never sends.
bool has_bare_line_end(const char* data, std::size_t len, std::size_t from) noexcept;

}  // namespace swoop::detail
