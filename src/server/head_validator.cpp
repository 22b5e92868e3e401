// SPDX-License-Identifier: MIT
// Strict request-head validation: what llhttp 8.1 lets through is refused here.
#include "server/head_validator.hpp"

#include <array>
#include <cstring>

namespace swoop::detail {

namespace {

// RFC 9110 5.6.2 tchar.
constexpr std::array<bool, 256> make_token_table() {
  std::array<bool, 256> t{};
  for (int c = '0'; c <= '9'; ++c) t[c] = true;
  for (int c = 'a'; c <= 'z'; ++c) t[c] = true;
  for (int c = 'A'; c <= 'Z'; ++c) t[c] = true;
  for (char c : std::string_view{"!#$%&'*+-.^_`|~"}) t[static_cast<unsigned char>(c)] = true;
  return t;
}
constexpr auto token_table = make_token_table();

// RFC 9110 5.5 field-vchar, SP and HTAB; obs-text (0x80-0xFF) is allowed as opaque bytes.
constexpr std::array<bool, 256> make_value_table() {
  std::array<bool, 256> t{};
  for (int c = 0x21; c <= 0x7e; ++c) t[c] = true;
  for (int c = 0x80; c <= 0xff; ++c) t[c] = true;
  t[' '] = t['\t'] = true;
  return t;
}
constexpr auto value_table = make_value_table();

// Visible ASCII only in a request target: no whitespace, control or non-ASCII bytes. Characters
// RFC 3986 reserves but clients send unescaped anyway (`|`, `{`, ...) are let through.
constexpr std::array<bool, 256> make_target_table() {
  std::array<bool, 256> t{};
  for (int c = 0x21; c <= 0x7e; ++c) t[c] = true;
  return t;
}
constexpr auto target_table = make_target_table();

bool is_ows(char c) noexcept { return c == ' ' || c == '\t'; }

// Splits "METHOD SP target SP HTTP/x.y" (the line without CRLF).
HeadError check_request_line(std::string_view line, std::uint32_t base, const HeadLimits& limits,
                             HeadLayout& layout) {
  const std::size_t sp1 = line.find(' ');
  if (sp1 == 0 || sp1 == std::string_view::npos) return {400, "malformed request line"};
  for (std::size_t i = 0; i < sp1; ++i) {
    if (!token_table[static_cast<unsigned char>(line[i])]) return {400, "invalid method"};
  }
  const std::size_t sp2 = line.find(' ', sp1 + 1);
  if (sp2 == std::string_view::npos || sp2 == sp1 + 1) return {400, "malformed request line"};
  const std::string_view target = line.substr(sp1 + 1, sp2 - sp1 - 1);
  if (target.size() > limits.max_target) return {414, "request target too long"};
  for (char c : target) {
    if (!target_table[static_cast<unsigned char>(c)]) return {400, "invalid request target"};
  }
  const std::string_view version = line.substr(sp2 + 1);
  if (version.size() != 8 || version.substr(0, 5) != "HTTP/" || version[6] != '.' ||
      version[5] < '0' || version[5] > '9' || version[7] < '0' || version[7] > '9') {
    return {400, "malformed HTTP version"};
  }
  if (version[5] != '1' || (version[7] != '0' && version[7] != '1')) {
    return {505, "HTTP version not supported"};
  }
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
    if (!token_table[static_cast<unsigned char>(line[i])]) return {400, "invalid header name"};
  }
  std::size_t v = colon + 1;
  std::size_t end = line.size();
  for (std::size_t i = v; i < end; ++i) {
    if (!value_table[static_cast<unsigned char>(line[i])]) return {400, "invalid header value"};
  }
  while (v < end && is_ows(line[v])) ++v;
  while (end > v && is_ows(line[end - 1])) --end;
  fields.push(base, static_cast<std::uint32_t>(colon), base + static_cast<std::uint32_t>(v),
              static_cast<std::uint32_t>(end - v));
  return {};
}

}  // namespace

bool is_token_char(unsigned char c) noexcept { return token_table[c]; }
bool is_value_char(unsigned char c) noexcept { return value_table[c]; }

std::size_t find_head_end(const char* data, std::size_t len, std::size_t from) noexcept {
  // Back up so a CRLF CRLF split across two reads is still found.
  std::size_t i = from >= 3 ? from - 3 : 0;
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

HeadError validate_head(const char* head, std::size_t len, const HeadLimits& limits,
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

}  // namespace swoop::detail
