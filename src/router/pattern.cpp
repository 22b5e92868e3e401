// SPDX-License-Identifier: MIT
// Route pattern parsing and the segment type checks used by matching and url_for.
#include "pattern.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <charconv>
#include <cstdint>
#include <stdexcept>
#include <system_error>
#include <utility>

#include "swoop/router.hpp"

namespace swoop::detail {
namespace {

constexpr std::array<std::pair<std::string_view, SegmentKind>, 7> type_names{{
    {"str", SegmentKind::str},
    {"int", SegmentKind::integer},
    {"float", SegmentKind::floating},
    {"uuid", SegmentKind::uuid},
    {"slug", SegmentKind::slug},
    {"alpha", SegmentKind::alpha},
    {"path", SegmentKind::path},
}};

[[noreturn]] void fail(std::string_view pattern, std::string_view why) {
  throw std::invalid_argument(fmt::format("swoop: invalid route pattern '{}': {}", pattern, why));
}

bool is_digit(char c) noexcept { return c >= '0' && c <= '9'; }
bool is_lower(char c) noexcept { return c >= 'a' && c <= 'z'; }
bool is_letter(char c) noexcept { return is_lower(c) || (c >= 'A' && c <= 'Z'); }
bool is_hex(char c) noexcept {
  return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

bool is_identifier(std::string_view name) noexcept {
  if (name.empty() || is_digit(name[0])) return false;
  for (const char c : name) {
    if (!is_letter(c) && !is_digit(c) && c != '_') return false;
  }
  return true;
}

// Skips digits from i; returns the new position.
std::size_t skip_digits(std::string_view s, std::size_t i) noexcept {
  while (i < s.size() && is_digit(s[i])) ++i;
  return i;
}

bool fits_integer(std::string_view s) noexcept {
  std::int64_t value = 0;
  const char* last = s.data() + s.size();
  const auto [end, ec] = std::from_chars(s.data(), last, value);
  return !s.empty() && ec == std::errc{} && end == last;
}

// [+-]? (digits ('.' digits?)? | '.' digits) ([eE] [+-]? digits)?, then within double's range.
bool fits_floating(std::string_view s) noexcept {
  std::size_t i = 0;
  if (i < s.size() && (s[i] == '+' || s[i] == '-')) ++i;
  const std::size_t number = i;
  const std::size_t int_end = skip_digits(s, i);
  std::size_t end = int_end;
  if (end < s.size() && s[end] == '.') end = skip_digits(s, end + 1);
  // At least one digit before or after the point.
  if (int_end == number && end <= int_end + 1) return false;
  if (end < s.size() && (s[end] == 'e' || s[end] == 'E')) {
    std::size_t exp = end + 1;
    if (exp < s.size() && (s[exp] == '+' || s[exp] == '-')) ++exp;
    end = skip_digits(s, exp);
    if (end == exp) return false;
  }
  if (end != s.size()) return false;
  // std::from_chars takes no '+'; a '-' is part of what it reads.
  const std::size_t from = s[0] == '+' ? 1 : 0;
  double value = 0;
  const auto [last, ec] = std::from_chars(s.data() + from, s.data() + s.size(), value);
  return ec == std::errc{} && last == s.data() + s.size();
}

bool fits_uuid(std::string_view s) noexcept {
  if (s.size() != 36) return false;
  for (std::size_t i = 0; i < s.size(); ++i) {
    const bool hyphen_slot = i == 8 || i == 13 || i == 18 || i == 23;
    if (hyphen_slot ? s[i] != '-' : !is_hex(s[i])) return false;
  }
  return true;
}

bool fits_slug(std::string_view s) noexcept {
  if (s.empty() || s.front() == '-' || s.back() == '-') return false;
  char previous = 0;
  for (const char c : s) {
    if (c == '-' ? previous == '-' : !(is_lower(c) || is_digit(c))) return false;
    previous = c;
  }
  return true;
}

bool fits_alpha(std::string_view s) noexcept {
  if (s.empty()) return false;
  for (const char c : s) {
    if (!is_letter(c)) return false;
  }
  return true;
}

bool fits_path(std::string_view s) noexcept {
  return !s.empty() && s.front() != '/' && s.back() != '/' &&
         s.find("//") == std::string_view::npos;
}

// Parses the inside of `<...>` and appends the parameter segment to `out`.
void parse_parameter(std::string_view pattern, std::string_view body, Pattern& out) {
  const std::size_t colon = body.find(':');
  const std::string_view name = body.substr(0, colon);
  const std::string_view type = colon == std::string_view::npos ? "str" : body.substr(colon + 1);
  if (!is_identifier(name)) {
    fail(pattern, fmt::format("'{}' is not a valid parameter name (use letters, digits, _)", name));
  }
  for (const Segment& s : out.segments) {
    if (s.kind != SegmentKind::text && s.text == name) {
      fail(pattern, fmt::format("duplicate parameter name '{}'", name));
    }
  }
  Segment segment;
  segment.text = name;
  if (!type.empty() && type[0] == '^') {
    segment.kind = SegmentKind::regex;
    segment.regex_source = type;
    segment.regex_index = static_cast<std::uint32_t>(out.regexes.size());
    try {
      out.regexes.emplace_back(segment.regex_source, std::regex::ECMAScript);
    } catch (const std::regex_error& e) {
      fail(pattern, fmt::format("invalid regular expression '{}': {}", type, e.what()));
    }
  } else {
    const auto* known = std::find_if(type_names.begin(), type_names.end(),
                                     [&](const auto& entry) { return entry.first == type; });
    if (known == type_names.end()) {
      fail(pattern, fmt::format("unknown parameter type '{}' (use str, int, float, uuid, slug, "
                                "alpha, path or a regular expression starting with '^')",
                                type));
    }
    segment.kind = known->second;
  }
  out.segments.push_back(std::move(segment));
  ++out.param_count;
}

// Returns the end of the parameter segment starting at `start` (which holds '<'): one past the
// first '>' that ends the segment. A regular expression may itself contain '>' or '/'.
std::size_t parameter_end(std::string_view pattern, std::size_t start) {
  for (std::size_t gt = pattern.find('>', start); gt != std::string_view::npos;
       gt = pattern.find('>', gt + 1)) {
    if (gt + 1 == pattern.size() || pattern[gt + 1] == '/') return gt + 1;
  }
  fail(pattern, "a parameter must be a whole segment: '<' needs a '>' at the end of the segment");
}

void check_shape(std::string_view pattern, const Pattern& out) {
  if (out.param_count > max_path_params) {
    fail(pattern, fmt::format("more than {} parameters", max_path_params));
  }
  for (std::size_t i = 0; i + 1 < out.segments.size(); ++i) {
    if (out.segments[i].kind == SegmentKind::path) {
      fail(pattern,
           fmt::format("the path parameter '{}' must be the last segment", out.segments[i].text));
    }
  }
}

}  // namespace

Pattern parse_pattern(std::string_view pattern) {
  if (pattern.empty() || pattern[0] != '/') fail(pattern, "a pattern must start with '/'");
  Pattern out;
  std::size_t pos = 1;
  while (pos < pattern.size()) {
    std::size_t end = 0;
    if (pattern[pos] == '<') {
      end = parameter_end(pattern, pos);
      parse_parameter(pattern, pattern.substr(pos + 1, end - pos - 2), out);
    } else {
      end = std::min(pattern.find('/', pos), pattern.size());
      const std::string_view text = pattern.substr(pos, end - pos);
      if (text.empty()) fail(pattern, "empty segment ('//')");
      if (text.find_first_of("<>") != std::string_view::npos) {
        fail(pattern, fmt::format("a parameter must be a whole segment, not part of '{}'", text));
      }
      out.segments.push_back(Segment{SegmentKind::text, std::string(text), {}, 0});
    }
    // end is at a '/' or at the end of the pattern; a '/' as the last byte is a trailing slash.
    out.trailing_slash = end + 1 == pattern.size();
    pos = end + 1;
  }
  check_shape(pattern, out);
  return out;
}

bool fits(SegmentKind kind, std::string_view value) noexcept {
  switch (kind) {
    case SegmentKind::integer:
      return fits_integer(value);
    case SegmentKind::floating:
      return fits_floating(value);
    case SegmentKind::uuid:
      return fits_uuid(value);
    case SegmentKind::slug:
      return fits_slug(value);
    case SegmentKind::alpha:
      return fits_alpha(value);
    case SegmentKind::str:
      return !value.empty();
    case SegmentKind::path:
      return fits_path(value);
    case SegmentKind::text:
    case SegmentKind::regex:
      break;
  }
  return false;
}

bool fits_regex(const std::regex& re, std::string_view value) noexcept {
  if (value.empty() || value.size() > max_regex_param_size) return false;
  try {
    return std::regex_match(value.begin(), value.end(), re);
  } catch (...) {
    // std::regex may throw on pathological input (error_complexity, error_stack, bad_alloc);
    // such a segment simply does not fit.
    return false;
  }
}

std::string_view kind_name(SegmentKind kind) noexcept {
  for (const auto& [name, k] : type_names) {
    if (k == kind) return name;
  }
  return kind == SegmentKind::regex ? "regex" : "text";
}

}  // namespace swoop::detail
