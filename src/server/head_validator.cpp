// SPDX-License-Identifier: MIT
// Strict request-head validation: what llhttp 8.1 lets through is refused here.
#include "server/head_validator.hpp"

#include <array>
#include <bit>
#include <cstring>

#if defined(__SSE2__)
#include <emmintrin.h>

#include "swoop/detail/access.hpp"
#endif

namespace swoop::detail {

namespace {

bool is_ows(char c) noexcept { return c == ' ' || c == '\t'; }

// Splits "METHOD SP target SP HTTP/x.y" (the line without CRLF).
HeadError check_request_line(std::string_view line, std::uint32_t base, const HeadLimits& limits,
                             HeadLayout& layout) {
  const std::size_t sp1 = line.find(' ');
  if (sp1 == 0 || sp1 == std::string_view::npos) return {400, "malformed request line"};
  for (std::size_t i = 0; i < sp1; ++i) {
    if (!is_token_char(static_cast<unsigned char>(line[i]))) return {400, "invalid method"};
  }
  const std::size_t sp2 = line.find(' ', sp1 + 1);
  if (sp2 == std::string_view::npos || sp2 == sp1 + 1) return {400, "malformed request line"};
  const std::string_view target = line.substr(sp1 + 1, sp2 - sp1 - 1);
  if (target.size() > limits.max_target) return {414, "request target too long"};
  for (char c : target) {
    if (!head_bytes.is(static_cast<unsigned char>(c), HeadBytes::target))
      return {400, "invalid request target"};
  }
  const std::string_view version = line.substr(sp2 + 1);
  if (version.size() != 8 || version.substr(0, 5) != "HTTP/" || version[6] != '.' ||
      version[5] < '0' || version[5] > '9' || version[7] < '0' || version[7] > '9') {
    return {400, "malformed HTTP version"};
  }
  // RFC 9110 2.5: a higher minor version of a major version the server implements is
  // processed as the highest minor it implements (the parser reads HTTP/1.2 as HTTP/1.1).
  if (version[5] != '1') return {505, "HTTP version not supported"};
  layout.method_off = base;
  layout.method_len = static_cast<std::uint32_t>(sp1);
  layout.target_off = base + static_cast<std::uint32_t>(sp1 + 1);
  layout.target_len = static_cast<std::uint32_t>(target.size());
  layout.version_off = base + static_cast<std::uint32_t>(sp2 + 1);
  return {};
}

HeadError check_field_line(std::string_view line, std::uint32_t base, RequestHeaders& fields) {
  if (is_ows(line.front())) return {400, "obsolete line folding"};
  const std::size_t colon = line.find(':');
  if (colon == std::string_view::npos) return {400, "header line without a colon"};
  if (colon == 0) return {400, "empty header name"};
  for (std::size_t i = 0; i < colon; ++i) {
    if (!is_token_char(static_cast<unsigned char>(line[i]))) return {400, "invalid header name"};
  }
  std::size_t v = colon + 1;
  std::size_t end = line.size();
  for (std::size_t i = v; i < end; ++i) {
    if (!is_value_char(static_cast<unsigned char>(line[i]))) return {400, "invalid header value"};
  }
  while (v < end && is_ows(line[v])) ++v;
  while (end > v && is_ows(line[end - 1])) --end;
  Access::push(fields, base, static_cast<std::uint32_t>(colon),
               base + static_cast<std::uint32_t>(v), static_cast<std::uint32_t>(end - v));
  return {};
}

// Advances `p` over plain value bytes (HeadBytes::plain_value: SP, HTAB, 0x21-0x7e) 16 at a
// time while 16 bytes remain before `end`; the caller finishes one byte at a time.
const unsigned char* skip_plain_value(const unsigned char* p, const unsigned char* end) noexcept {
#if defined(__SSE2__)
  const __m128i space = _mm_set1_epi8(0x20), del = _mm_set1_epi8(0x7f), tab = _mm_set1_epi8('\t');
  while (end - p >= 16) {
    const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
    // Signed compares: bytes 0x80-0xff are negative, so below SP like the control bytes.
    const __m128i bad = _mm_andnot_si128(
        _mm_cmpeq_epi8(v, tab), _mm_or_si128(_mm_cmplt_epi8(v, space), _mm_cmpeq_epi8(v, del)));
    const auto mask = static_cast<unsigned>(_mm_movemask_epi8(bad));
    if (mask != 0) return p + std::countr_zero(mask);
    p += 16;
  }
#else
  static_cast<void>(end);
#endif
  return p;
}

}  // namespace

std::size_t find_head_end(const char* data, std::size_t len, std::size_t from) noexcept {
  // Back up so a CRLF CRLF split across two reads is still found.
  std::size_t i = from >= 3 ? from - 3 : 0;
#if defined(__SSE2__)
  const __m128i cr = _mm_set1_epi8('\r');
  for (; i + 16 <= len; i += 16) {
    const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(data + i));
    for (auto mask = static_cast<unsigned>(_mm_movemask_epi8(_mm_cmpeq_epi8(v, cr))); mask != 0;
         mask &= mask - 1) {
      const std::size_t at = i + static_cast<std::size_t>(std::countr_zero(mask));
      if (at + 4 > len) return 0;
      if (data[at + 1] == '\n' && data[at + 2] == '\r' && data[at + 3] == '\n') return at + 4;
    }
  }
#endif
  while (i + 4 <= len) {
    const void* cr = std::memchr(data + i, '\r', len - i);
    if (cr == nullptr) return 0;
    i = static_cast<std::size_t>(static_cast<const char*>(cr) - data);
    if (i + 4 > len) return 0;
    if (data[i + 1] == '\n' && data[i + 2] == '\r' && data[i + 3] == '\n') return i + 4;
    ++i;
  }
  return 0;
}

bool has_bare_line_end(const char* data, std::size_t len, std::size_t from) noexcept {
  for (std::size_t i = from > 0 ? from - 1 : 0; i < len; ++i) {
    if (data[i] == '\n' && (i == 0 || data[i - 1] != '\r')) return true;
    if (data[i] == '\r' && i + 1 < len && data[i + 1] != '\n') return true;
  }
  return false;
}

namespace {

// One pass over a plain head (HeadLayout::plain), as common heads are: every byte is looked at
// once. false at the first doubt; then validate_head_reference() decides and finds the precise
// error (what this accepts, that accepts too: the slow one is the definition).
bool validate_head_quickly(const char* head, std::size_t len, const HeadLimits& limits,
                           HeadLayout& layout, RequestHeaders& fields) {
  const auto* p = reinterpret_cast<const unsigned char*>(head);
  const auto* const begin = p;
  const auto* const end = p + len;
  // No bound check while scanning: the head ends with CR LF CR LF, and CR is in no class.
  auto scan = [&](unsigned char cls) {
    while (head_bytes.is(*p, cls)) ++p;
  };
  auto offset = [&](const unsigned char* at) { return static_cast<std::uint32_t>(at - begin); };
  scan(HeadBytes::token);  // the method
  if (p == begin || p == end || *p != ' ') return false;
  layout.method_off = 0;
  layout.method_len = offset(p);
  const unsigned char* target = ++p;
  if (p == end || *p != '/') return false;
  scan(HeadBytes::plain_target);
  if (p == target || p == end || *p != ' ' ||
      static_cast<std::size_t>(p - target) > limits.max_target)
    return false;
  layout.target_off = offset(target);
  layout.target_len = static_cast<std::uint32_t>(p - target);
  ++p;
  if (end - p < 10 || std::memcmp(p, "HTTP/1.", 7) != 0 || (p[7] != '0' && p[7] != '1') ||
      p[8] != '\r' || p[9] != '\n') {
    return false;
  }
  layout.version_off = offset(p);
  p += 10;
  for (;;) {
    if (end - p < 2) return false;
    if (p[0] == '\r') return p[1] == '\n' && p + 2 == end;  // the empty line ends the head
    const unsigned char* name = p;
    scan(HeadBytes::token);
    if (p == name || p == end || *p != ':') return false;
    const unsigned char* colon = p++;
    p = skip_plain_value(p, end);
    scan(HeadBytes::plain_value);
    if (end - p < 2 || p[0] != '\r' || p[1] != '\n') return false;
    const unsigned char* v = colon + 1;
    const unsigned char* v_end = p;
    while (v < v_end && is_ows(static_cast<char>(*v))) ++v;
    while (v_end > v && is_ows(static_cast<char>(v_end[-1]))) --v_end;
    Access::push(fields, offset(name), static_cast<std::uint32_t>(colon - name), offset(v),
                 static_cast<std::uint32_t>(v_end - v));
    if (fields.size() > limits.max_fields) return false;
    p += 2;
  }
}

}  // namespace

HeadError validate_head_reference(const char* head, std::size_t len, const HeadLimits& limits,
                                  HeadLayout& layout, RequestHeaders& fields) {
  std::size_t pos = 0;
  bool first = true;
  // The head ends with an empty line, so the loop stops at the line of length zero.
  while (pos < len) {
    const char* line = head + pos;
    std::size_t n = 0;
    while (pos + n < len && line[n] != '\r' && line[n] != '\n') {
      if (line[n] == '\0') return {400, "NUL byte in head"};
      ++n;
    }
    if (pos + n + 1 >= len || line[n] != '\r' || line[n + 1] != '\n') {
      return {400, "line not terminated by CRLF"};
    }
    const auto base = static_cast<std::uint32_t>(pos);
    pos += n + 2;
    if (n == 0) {
      if (first) return {400, "empty request line"};
      return pos == len ? HeadError{} : HeadError{400, "data after the end of the head"};
    }
    HeadError e = first ? check_request_line({line, n}, base, limits, layout)
                        : check_field_line({line, n}, base, fields);
    if (e.status != 0) return e;
    if (fields.size() > limits.max_fields) return {431, "too many header fields"};
    first = false;
  }
  return {400, "head without an empty line"};
}

HeadError validate_head(const char* head, std::size_t len, const HeadLimits& limits,
                        HeadLayout& layout, RequestHeaders& fields) {
  const bool terminated = len >= 4 && std::memcmp(head + len - 4, "\r\n\r\n", 4) == 0;
  if (terminated && validate_head_quickly(head, len, limits, layout, fields)) {
    layout.plain = true;
    return {};
  }
  Access::clear(fields);
  layout = {};
  return validate_head_reference(head, len, limits, layout, fields);
}

}  // namespace swoop::detail
