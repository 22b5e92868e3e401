// SPDX-License-Identifier: MIT
// Internal: the small grammar HTTP fields share (RFC 9110 section 5.6), defined once: byte
// classes, whitespace, lists, parameters, q-values and hex digits.
#pragma once

#include <array>
#include <cstddef>
#include <iterator>
#include <optional>
#include <string_view>

namespace swoop::detail {

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

/// Whether c may appear in a token: a method, a field name (RFC 9110 tchar).
inline bool is_token_char(unsigned char c) noexcept { return head_bytes.is(c, HeadBytes::token); }
/// Whether c may appear in a field value (VCHAR, obs-text, SP, HTAB).
inline bool is_value_char(unsigned char c) noexcept { return head_bytes.is(c, HeadBytes::value); }

inline char ascii_lower(char c) noexcept {
  return c >= 'A' && c <= 'Z' ? static_cast<char>(c + ('a' - 'A')) : c;
}

/// The value of a hex digit, or -1 for any other byte.
inline int hex_value(char c) noexcept {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

/// Removes spaces and tabs (RFC 9110 OWS) from both ends of s.
std::string_view trim_ows(std::string_view s) noexcept;

/// Takes the next element of a comma-separated list (RFC 9110 5.6.1) off the front of `list`
/// into `item`, trimmed. Empty elements are skipped and a comma inside a quoted string (a whole
/// element, a weak entity tag's, a parameter's value) does not split. Returns false when the
/// list has no element left.
bool next_list_item(std::string_view& list, std::string_view& item) noexcept;

/// The elements of a list, for a range-for: `for (std::string_view e : ListItems{value})`.
class ListItems {
 public:
  explicit ListItems(std::string_view list) noexcept : list_(list) {}

  class iterator {
   public:
    using iterator_concept = std::input_iterator_tag;
    using value_type = std::string_view;
    using difference_type = std::ptrdiff_t;

    iterator() = default;
    explicit iterator(std::string_view rest) noexcept : rest_(rest) { ++*this; }
    std::string_view operator*() const noexcept { return item_; }
    iterator& operator++() noexcept {
      done_ = !next_list_item(rest_, item_);
      return *this;
    }
    void operator++(int) noexcept { ++*this; }
    bool operator==(std::default_sentinel_t) const noexcept { return done_; }

   private:
    std::string_view rest_, item_;
    bool done_ = false;
  };

  iterator begin() const noexcept { return iterator{list_}; }
  std::default_sentinel_t end() const noexcept { return {}; }

 private:
  std::string_view list_;
};

/// Calls fn(element) for each trimmed, non-empty element of a list of tokens (Connection,
/// Upgrade, Sec-WebSocket-Protocol: no quoted strings, so every comma splits) until it returns
/// true; returns whether it did.
template <typename F>
bool any_token_item(std::string_view list, F fn) {
  for (;;) {
    const std::size_t comma = list.find(',');
    const std::string_view item = trim_ows(list.substr(0, comma));
    if (!item.empty() && fn(item)) return true;
    if (comma == std::string_view::npos) return false;
    list.remove_prefix(comma + 1);
  }
}

/// Whether a list of tokens has one equal to `token`, ignoring case (Connection: close).
bool has_list_token(std::string_view list, std::string_view token) noexcept;

/// One parameter of a header value such as `form-data; name="a"` (RFC 9110 section 5.6.6).
struct HeaderParam {
  std::string_view name;   // as sent; compare case-insensitively
  std::string_view value;  // a token, or the inside of a quoted string with escapes still in
  bool quoted = false;
};

/// Splits a header value (or a list element) at its first ';': returns the trimmed leading
/// value (a media type, a disposition, a coding) and leaves the parameter list in `params`.
std::string_view split_parameters(std::string_view value, std::string_view& params) noexcept;

enum class ParamResult { found, end, malformed };

/// Reads the next parameter from `params` (as left by split_parameters) and consumes it.
/// Empty list elements and parameters without '=' or without a name are skipped; an
/// unterminated quoted string is `malformed`.
ParamResult next_parameter(std::string_view& params, HeaderParam& out) noexcept;

/// The weight a list element's parameters give it (RFC 9110 12.4.2) in thousandths: 1000
/// without a q parameter, 0 for "not acceptable"; nothing when the q-value is malformed.
std::optional<int> weight(std::string_view params) noexcept;

}  // namespace swoop::detail
