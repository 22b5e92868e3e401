// SPDX-License-Identifier: MIT
// Helpers shared by the fuzz targets: an invariant check that aborts with a message, a reader
// that splits a fuzz input into small choices and strings, and the models' text helpers.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string_view>
#include <vector>

namespace swoop_fuzz {

/// Aborts (a libFuzzer finding) with `what` and the caller's location when `ok` is false.
/// (std::source_location needs clang 15 with libstdc++; the builtins it is made of do not.)
inline void check(bool ok, const char* what, const char* file = __builtin_FILE(),
                  int line = __builtin_LINE()) {
  if (ok) return;
  std::fprintf(stderr, "fuzz invariant failed: %s (%s:%d)\n", what, file, line);
  std::abort();
}

/// The models' own text helpers (written here, not swoop's, so a model does not share the
/// code it checks): OWS (space, tab) trimmed from both ends; ASCII case-insensitive equality.
inline std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

inline bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    const auto lower = [](char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c + 32) : c; };
    if (lower(a[i]) != lower(b[i])) return false;
  }
  return true;
}

/// The trimmed, non-empty elements of a comma-separated list (RFC 9110 5.6.1). A comma inside
/// a quoted string does not split it, where the grammar has one: a quote that opens a whole
/// element (an entity tag), follows "W/" (a weak one) or a '=' (a parameter's value); any
/// other quote is an ordinary byte. In a quoted string a backslash takes the next byte along.
inline std::vector<std::string_view> list_elements(std::string_view list) {
  std::vector<std::string_view> out;
  std::size_t start = 0, i = 0;
  auto flush = [&] {
    const std::string_view item = trim(list.substr(start, i - start));
    if (!item.empty()) out.push_back(item);
    start = i + 1;
  };
  for (; i < list.size(); ++i) {
    if (list[i] == ',') {
      flush();
    } else if (list[i] == '"') {
      const std::string_view before = trim(list.substr(start, i - start));
      if (!before.empty() && before != "W/" && before.back() != '=') continue;
      for (++i; i < list.size() && list[i] != '"'; ++i) {
        if (list[i] == '\\') ++i;
      }
      if (i >= list.size()) break;  // unterminated: the rest is the element
    }
  }
  i = list.size();
  flush();
  return out;
}

/// Reads a fuzz input front to back: single bytes as choices, and strings cut at a separator.
/// Past the end every read gives 0 or an empty string, so targets never run out of input.
class Input {
 public:
  Input(const std::uint8_t* data, std::size_t size) noexcept
      : rest_(reinterpret_cast<const char*>(data), size) {}

  /// Returns the next byte, or 0 at the end.
  std::uint8_t byte() noexcept {
    if (rest_.empty()) return 0;
    const auto b = static_cast<std::uint8_t>(rest_.front());
    rest_.remove_prefix(1);
    return b;
  }

  /// Returns the text up to the next `separator` (consumed) or to the end.
  std::string_view until(char separator) noexcept {
    const std::size_t at = rest_.find(separator);
    const std::string_view piece = rest_.substr(0, at);
    rest_.remove_prefix(at == std::string_view::npos ? rest_.size() : at + 1);
    return piece;
  }

  /// Returns everything not read yet.
  std::string_view rest() noexcept {
    const std::string_view all = rest_;
    rest_ = {};
    return all;
  }

  bool empty() const noexcept { return rest_.empty(); }

 private:
  std::string_view rest_;
};

}  // namespace swoop_fuzz
