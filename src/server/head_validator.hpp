// SPDX-License-Identifier: MIT
// Internal: strict validation and splitting of a raw request head (request line + fields).
#pragma once

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

/// Whether c may appear in a field name (RFC 9110 tchar).
bool is_token_char(unsigned char c) noexcept;
/// Whether c may appear in a field value (VCHAR, obs-text, SP, HTAB).
bool is_value_char(unsigned char c) noexcept;

/// Validates the head [head, head+len) that ends with CRLF CRLF, and records its parts.
///
/// Stricter than llhttp 8.1 on purpose (RFC 9112): every line ends in CRLF (no bare CR or LF),
/// no NUL or other control byte outside HTAB in values, field names are non-empty tokens
/// followed directly by ':', no line starts with whitespace (obs-fold), the target has no
/// whitespace or control bytes. Fields go into `fields` as offsets from `head`, values trimmed.
HeadError validate_head(const char* head, std::size_t len, const HeadLimits& limits,
                        HeadLayout& layout, RequestHeaders& fields);

/// Finds the end of a head (the offset just past CRLF CRLF) in [data, data+len), starting the
/// search at `from`; returns 0 when it is not there yet.
std::size_t find_head_end(const char* data, std::size_t len, std::size_t from) noexcept;

}  // namespace swoop::detail
