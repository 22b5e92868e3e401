// SPDX-License-Identifier: MIT
// Typed requests: a struct described once is read from JSON, a query string, a form or the
// headers with every mistake reported at once (422), and written as JSON.
#pragma once

#include <algorithm>
#include <array>
#include <concepts>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <tuple>
#include <type_traits>
#include <utility>
#include <vector>

#include "swoop/detail/described.hpp"
#include "swoop/detail/text_value.hpp"
#include "swoop/error.hpp"
#include "swoop/json_view.hpp"
#include "swoop/request.hpp"
#include "swoop/url.hpp"

namespace swoop {

/// One mistake in a request's data.
struct ValidationIssue {
  /// Where, from the root in JavaScript notation (`items[2].qty`, `stock['a key']`); empty for
  /// the root itself. A query parameter, form field or header is named as it is.
  std::string path;
  /// What is wrong, for people: `must be an integer from 1 to 99`.
  std::string message;
  /// What is wrong, for programs, one of: "missing", "type", "range", "length", "pattern",
  /// "one_of", "items", "enum", "unknown_field", "duplicate" (a member given twice), and
  /// "too_many" (the last issue of a list cut at ValidationError::max_issues).
  std::string kind;

  friend bool operator==(const ValidationIssue&, const ValidationIssue&) = default;
};

/// A 422 listing every mistake found in a request's data (at most max_issues of them).
///
/// Rendered by the app's error handling as any HttpError: in JSON, the issues are the error's
/// context, a stable shape:
///     {"error": {"status": 422, "message": "...", "context": {"errors": [
///         {"path": "items[2].qty", "message": "must be an integer from 1 to 99", "kind": "range"}
///     ]}}}
/// The message names them too (for text and HTML answers). Quiet: not logged.
class ValidationError : public StatusError<422> {
 public:
  /// The most issues one error lists; a document with more is cut there.
  static constexpr std::size_t max_issues = 100;

  /// The error for these issues (at least one; the message names the first five). total: how
  /// many were found when that is more than the issues listed (0: as many as listed).
  explicit ValidationError(std::vector<ValidationIssue> issues, std::size_t total = 0);
  /// Every issue found, in document order.
  const std::vector<ValidationIssue>& issues() const noexcept { return issues_; }

 private:
  std::vector<ValidationIssue> issues_;
};

// ---- constraints -------------------------------------------------------------------------

namespace detail {

/// Collects the issues found while reading one document, and the path to the value at hand.
class Validator {
 public:
  /// Records an issue at the current path (beyond ValidationError::max_issues: counted only).
  void fail(std::string_view kind, std::string message);
  /// Whether anything was recorded.
  std::size_t count() const noexcept { return count_; }
  /// Throws ValidationError when anything was recorded.
  void check() &&;
  /// Replaces the message of the issue of this kind recorded last, when it is the only one
  /// recorded since the count was `since` (a type's range told as the field's range).
  void restate(std::size_t since, std::string_view kind, std::string message);

  struct Verbatim {};
  /// Extends the path by a member or an element for as long as it lives. The key must outlive
  /// it (a field's name, a key of the document being read). The path is only spelled out
  /// when an issue is recorded: reading a valid document builds no strings.
  class Step {
   public:
    Step(Validator& v, std::string_view key) : v_(v) { v.steps_.push_back({key, no_index}); }
    Step(Validator& v, std::size_t index) : v_(v) { v.steps_.push_back({{}, index}); }
    /// A name spelled as it is (a query parameter, form field or header: flat, never nested).
    Step(Validator& v, std::string_view name, Verbatim) : v_(v) {
      v.steps_.push_back({name, verbatim});
    }
    ~Step() { v_.steps_.pop_back(); }
    Step(const Step&) = delete;
    Step& operator=(const Step&) = delete;

   private:
    Validator& v_;
  };

 private:
  static constexpr std::size_t no_index = static_cast<std::size_t>(-1);
  static constexpr std::size_t verbatim = no_index - 1;
  struct Segment {
    std::string_view key;
    std::size_t index;  // no_index for a member's key, verbatim for a name kept as it is
  };

  std::vector<ValidationIssue> issues_;
  std::size_t count_ = 0;
  std::vector<Segment> steps_;
};

/// "must be a string, not a number": the kind of issue a value of another JSON kind is.
void fail_kind(Validator& v, std::string_view expected, const JsonView& got);
/// The number of code points of UTF-8 text (what length() counts).
std::size_t code_points(std::string_view s) noexcept;
/// Whether text matches an ECMAScript regular expression somewhere (JSON Schema's pattern).
bool search_pattern(std::string_view pattern, std::string_view text);
/// "must be from 0.5 to 2": numbers in their shortest form.
std::string decimal_range_message(double min, double max);
/// `must be one of "a", "b"`.
std::string one_of_message(const std::string_view* choices, std::size_t count);

template <typename T>
concept Sized = requires(const T& t) {
  t.size();
};

}  // namespace detail

// A constraint is a small value with `check(member, validator)`, which records an issue when
// the member's value breaks it. The functions below make them; the types are what they return.

/// A number within [min, max] (made by swoop::range).
template <typename N>
struct Range {
  N min;  ///< the smallest value allowed
  N max;  ///< the largest value allowed
  /// Records a "range" issue when value is outside [min, max].
  template <typename V>
  void check(const V& value, detail::Validator& v) const {
    static_assert(std::is_arithmetic_v<V>, "swoop::range applies to numbers");
    bool inside;
    if constexpr (std::integral<V> && std::integral<N>) {
      inside = !std::cmp_less(value, min) && !std::cmp_greater(value, max);
    } else {
      inside = static_cast<long double>(value) >= static_cast<long double>(min) &&
               static_cast<long double>(value) <= static_cast<long double>(max);
    }
    if (!inside) v.fail("range", message());
  }
  /// "must be from 1 to 99".
  std::string message() const {
    if constexpr (std::integral<N>) {
      return "must be from " + std::to_string(min) + " to " + std::to_string(max);
    } else {
      return detail::decimal_range_message(static_cast<double>(min), static_cast<double>(max));
    }
  }
};
/// A number within [min, max]: `swoop::range(1, 99)`, `swoop::range(0.0, 1.0)`.
template <typename N>
constexpr Range<N> range(N min, N max) {
  return {min, max};
}

/// A string of [min, max] characters (made by swoop::length).
struct Length {
  std::size_t min;  ///< the fewest code points allowed
  std::size_t max;  ///< the most code points allowed
  /// Records a "length" issue when value has fewer or more code points.
  void check(const std::string& value, detail::Validator& v) const;
};
/// A string of [min, max] characters, counted in code points (not bytes): `length(1, 80)`.
constexpr Length length(std::size_t min, std::size_t max) { return {min, max}; }

/// A string a regular expression matches (made by swoop::pattern).
struct Pattern {
  /// The longest string a pattern is searched in: longer ones are a "pattern" issue (the
  /// standard library's matcher recurses once per character; put a length before a pattern).
  static constexpr std::size_t max_text = 4096;
  std::string_view regex;  ///< ECMAScript syntax; a constant (compiled once, then kept)
  /// Records a "pattern" issue when regex matches nowhere in value.
  void check(const std::string& value, detail::Validator& v) const;
};
/// A string an ECMAScript regular expression matches somewhere (anchor it with ^ and $ to
/// match all of it), as JSON Schema's "pattern", except that the expression sees bytes: `.`
/// is one byte of UTF-8. `swoop::pattern("^[a-z0-9-]+$")`. The expression must be a constant
/// (a string literal): it is compiled once per thread and kept; an invalid one is a
/// std::logic_error (500) when first used. Strings longer than Pattern::max_text bytes are
/// refused: pair a pattern with a length() before it.
constexpr Pattern pattern(std::string_view regex) { return {regex}; }

/// A string that is one of N choices (made by swoop::one_of).
template <std::size_t N>
struct OneOf {
  std::string_view choices[N];  ///< the strings allowed
  /// Records a "one_of" issue when value is none of the choices.
  void check(const std::string& value, detail::Validator& v) const {
    if (std::find(std::begin(choices), std::end(choices), value) != std::end(choices)) return;
    v.fail("one_of", detail::one_of_message(choices, N));
  }
};
/// A string that is one of a few: `swoop::one_of("asc", "desc")`.
template <typename... S>
constexpr OneOf<sizeof...(S)> one_of(S... choices) {
  return {{std::string_view{choices}...}};
}

/// A list or map of at most max elements (made by swoop::max_items).
struct MaxItems {
  std::size_t max;  ///< the most elements allowed
  /// Records an "items" issue when value has more than max elements.
  template <detail::Sized V>
  void check(const V& value, detail::Validator& v) const {
    if (value.size() > max) v.fail("items", "must have at most " + std::to_string(max) + " items");
  }
};
/// A list (or map) of at most max elements: `swoop::max_items(20)`.
constexpr MaxItems max_items(std::size_t max) { return {max}; }

// ---- reading -----------------------------------------------------------------------------

/// Reads a T from JSON, checking every field and constraint; throws ValidationError (422)
/// listing every mistake. T: a described struct, or any type read_value accepts.
/// Example:
///     NewItem item = swoop::from_json<NewItem>(req.json());
template <typename T>
T from_json(const JsonView& json);

}  // namespace swoop

// The templates that read (they use the constraints above).
#include "swoop/detail/typed_read.hpp"
