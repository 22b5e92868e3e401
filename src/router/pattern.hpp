// SPDX-License-Identifier: MIT
// Internal: route pattern parsing and the checks that decide whether a segment fits a type.
#pragma once

#include <cstddef>
#include <cstdint>
#include <regex>
#include <string>
#include <string_view>
#include <vector>

namespace swoop::detail {

// The kind of a pattern segment. Parameter kinds are listed in matching precedence order.
enum class SegmentKind : std::uint8_t {
  text,  // static text
  integer,
  floating,
  uuid,
  regex,
  slug,
  alpha,
  str,
  path,
};

// One segment of a parsed pattern.
struct Segment {
  SegmentKind kind = SegmentKind::text;
  std::string text;          // the static text, or the parameter name
  std::string regex_source;  // for SegmentKind::regex: the expression as written
  // For SegmentKind::regex: index into Pattern::regexes, then into the router's regexes once
  // the route is added.
  std::uint32_t regex_index = 0;
};

// A pattern split into segments; `/` is the empty list.
struct Pattern {
  std::vector<Segment> segments;
  std::vector<std::regex> regexes;  // compiled, one per regex segment, in segment order
  bool trailing_slash = false;
  std::size_t param_count = 0;
};

// Parses a route pattern; throws std::invalid_argument naming the pattern when it is invalid.
Pattern parse_pattern(std::string_view pattern);

// Returns true when `value` fits a parameter of a non-regex `kind`. For every kind but path,
// `value` is one segment (the caller has split on '/').
bool fits(SegmentKind kind, std::string_view value) noexcept;

// Returns true when `value` matches the whole of `re`; false also when std::regex throws.
bool fits_regex(const std::regex& re, std::string_view value) noexcept;

// Returns the name of a parameter kind as written in patterns ("int", "path", ...).
std::string_view kind_name(SegmentKind kind) noexcept;

}  // namespace swoop::detail
