// SPDX-License-Identifier: MIT
// Internal: strict validation and splitting of a raw request head (request line + fields).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "http/grammar.hpp"
#include "http/request_builder.hpp"
#include "swoop/headers.hpp"

namespace swoop::detail {

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
