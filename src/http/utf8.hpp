// SPDX-License-Identifier: MIT
// Internal: UTF-8 well-formedness per Unicode table 3-7 (RFC 3629), shared by the JSON code.
#pragma once

#include <cstddef>

namespace swoop::detail {

/// Whether p < end holds a byte in [low, high] (by default a continuation byte).
inline bool is_utf8_continuation(const char* p, const char* end, unsigned char low = 0x80,
                                 unsigned char high = 0xBF) noexcept {
  if (p >= end) return false;
  const auto c = static_cast<unsigned char>(*p);
  return c >= low && c <= high;
}

/// Returns the length of the well-formed multi-byte UTF-8 sequence at p (p < end, *p >= 0x80),
/// or 0 when the byte at p does not begin one.
inline std::size_t utf8_sequence_length(const char* p, const char* end) noexcept {
  const auto c = static_cast<unsigned char>(*p);
  if (c >= 0xC2 && c <= 0xDF) return is_utf8_continuation(p + 1, end) ? 2 : 0;
  if (c >= 0xE0 && c <= 0xEF) {
    // E0 excludes overlong forms, ED excludes the surrogates U+D800..U+DFFF.
    const unsigned char low = c == 0xE0 ? 0xA0 : 0x80;
    const unsigned char high = c == 0xED ? 0x9F : 0xBF;
    return is_utf8_continuation(p + 1, end, low, high) && is_utf8_continuation(p + 2, end) ? 3 : 0;
  }
  if (c >= 0xF0 && c <= 0xF4) {
    // F0 excludes overlong forms, F4 excludes code points above U+10FFFF.
    const unsigned char low = c == 0xF0 ? 0x90 : 0x80;
    const unsigned char high = c == 0xF4 ? 0x8F : 0xBF;
    return is_utf8_continuation(p + 1, end, low, high) && is_utf8_continuation(p + 2, end) &&
                   is_utf8_continuation(p + 3, end)
               ? 4
               : 0;
  }
  return 0;  // 80..BF (stray continuation), C0, C1, F5..FF never begin a sequence.
}

}  // namespace swoop::detail
