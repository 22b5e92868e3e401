// SPDX-License-Identifier: MIT
// Typed request bodies: a struct described once is read from JSON with every mistake reported
// at once (422), written as JSON, and (with the API document) published as a schema.
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
  /// Where, from the root in JavaScript notation (`items[2].qty`, `["a key"]`); empty for the
  /// root itself.
  std::string path;
  /// What is wrong, for people: `must be an integer from 1 to 99`.
  std::string message;
  /// What is wrong, for programs, one of: "missing", "type", "range", "length", "pattern",
  /// "one_of", "items", "enum", "unknown_field".
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

  /// The error for these issues (at least one; the message names the first five).
  explicit ValidationError(std::vector<ValidationIssue> issues);
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

  /// Extends the path by a member or an element for as long as it lives.
  class Step {
   public:
    Step(Validator& v, std::string_view key) : v_(v), size_(v.path_.size()) { v.push_key(key); }
    Step(Validator& v, std::size_t index) : v_(v), size_(v.path_.size()) { v.push_index(index); }
    ~Step() { v_.path_.resize(size_); }
    Step(const Step&) = delete;
    Step& operator=(const Step&) = delete;

   private:
    Validator& v_;
    std::size_t size_;
  };

 private:
  void push_key(std::string_view key);
  void push_index(std::size_t index);

  std::vector<ValidationIssue> issues_;
  std::size_t count_ = 0;
  std::string path_;
};

/// "must be a string, not a number": the kind of issue a value of another JSON kind is.
void fail_kind(Validator& v, std::string_view expected, const JsonView& got);
/// The number of code points of UTF-8 text (what length() counts).
std::size_t code_points(std::string_view s) noexcept;
/// Whether text matches an ECMAScript regular expression somewhere (JSON Schema's pattern).
bool search_pattern(std::string_view pattern, std::string_view text);
/// "must be from 0.5 to 2": numbers in their shortest form.
std::string decimal_range_message(double min, double max);

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
  std::string_view regex;  ///< ECMAScript syntax; a constant (compiled once, then kept)
  /// Records a "pattern" issue when regex matches nowhere in value.
  void check(const std::string& value, detail::Validator& v) const;
};
/// A string an ECMAScript regular expression matches somewhere (anchor it with ^ and $ to
/// match all of it), as JSON Schema's "pattern": `swoop::pattern("^[a-z0-9-]+$")`. The
/// expression must be a constant (a string literal): it is compiled once and kept.
constexpr Pattern pattern(std::string_view regex) { return {regex}; }

/// A string that is one of N choices (made by swoop::one_of).
template <std::size_t N>
struct OneOf {
  std::string_view choices[N];  ///< the strings allowed
  /// Records a "one_of" issue when value is none of the choices.
  void check(const std::string& value, detail::Validator& v) const {
    if (std::find(std::begin(choices), std::end(choices), value) != std::end(choices)) return;
    std::string message = "must be one of";
    for (std::size_t i = 0; i < N; ++i) {
      message += i == 0 ? " \"" : ", \"";
      message += choices[i];
      message += '"';
    }
    v.fail("one_of", std::move(message));
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

namespace detail {

template <typename T>
inline constexpr bool is_string_map = false;
template <typename T>
inline constexpr bool is_string_map<std::map<std::string, T>> = true;

void read_value(const JsonView& json, bool& out, Validator& v);
void read_value(const JsonView& json, std::string& out, Validator& v);
void read_value(const JsonView& json, double& out, Validator& v);
void read_value(const JsonView& json, float& out, Validator& v);
/// An integer within [min, max]; false (and an issue) when it is not.
bool read_integer(const JsonView& json, std::int64_t min, std::int64_t max, std::int64_t& out,
                  Validator& v);
bool read_unsigned(const JsonView& json, std::uint64_t max, std::uint64_t& out, Validator& v);
/// The enumerator named by a string, as an index into names; false (and an issue) when none.
bool read_enum(const JsonView& json, const std::string_view* names, std::size_t count,
               std::size_t& index, Validator& v);
/// Records an issue for each member of an object that fields does not name.
void reject_unknown(const JsonView& json, const std::string_view* fields, std::size_t count,
                    Validator& v);

template <typename T>
concept RejectsUnknown = requires {
  { describe<T>::reject_unknown_fields } -> std::convertible_to<bool>;
}
&&describe<T>::reject_unknown_fields;

template <typename T>
void read_value(const JsonView& json, T& out, Validator& v);

// Applies a field's constraints to its member, once its value was read without an issue.
template <typename F, typename M>
void apply_checks(const F& field, const M& member, Validator& v) {
  std::apply(
      [&](const auto&... checks) {
        [[maybe_unused]] auto apply_one = [&](const auto& check) {
          if constexpr (!std::same_as<std::decay_t<decltype(check)>, HasDefault>) {
            if constexpr (is_optional<M>) {
              if (member) check.check(*member, v);
            } else {
              check.check(member, v);
            }
          }
        };
        (apply_one(checks), ...);
      },
      field.checks);
}

template <typename F, typename C>
void read_field(const JsonView& object, const F& field, C& out, Validator& v) {
  auto& member = out.*field.member;
  const std::optional<JsonView> found = object.find(field.name);
  Validator::Step step{v, field.name};
  if (!found) {
    if constexpr (F::required) v.fail("missing", "is required");
    return;
  }
  const std::size_t before = v.count();
  read_value(*found, member, v);
  if (v.count() == before) apply_checks(field, member, v);
}

/// Reads one value of a query string (or form field) into out: a string, bool, number or
/// described enum; records an issue when it is not one.
template <typename T>
void read_text(std::string_view text, T& out, Validator& v) {
  if constexpr (std::same_as<T, std::string>) {
    out = text;
  } else if constexpr (std::is_arithmetic_v<T>) {
    if (!parse_text_value(text, out)) {
      double number = 0;  // a number of another range is a "range" issue, anything else "type"
      const bool numeric = !std::same_as<T, bool> && parse_text_value(text, number);
      v.fail(numeric ? "range" : "type", "must be " + text_value_expectation<T>());
    }
  } else if constexpr (DescribedEnum<T>) {
    constexpr auto& values = describe<T>::values;
    constexpr std::size_t count = std::size(values);
    for (std::size_t i = 0; i < count; ++i) {
      if (values[i].second == text) {
        out = values[i].first;
        return;
      }
    }
    std::string message = "must be one of";
    for (std::size_t i = 0; i < count; ++i) {
      message += i == 0 ? " \"" : ", \"";
      message += values[i].second;
      message += '"';
    }
    v.fail("enum", std::move(message));
  } else {
    static_assert(always_false<T>,
                  "swoop: a query parameter is a string, bool, number or described enum (or a "
                  "std::optional or std::vector of one)");
  }
}

template <typename F, typename C>
void read_query_field(const QueryArgs& args, const F& field, C& out, Validator& v) {
  using M = std::decay_t<decltype(out.*field.member)>;
  auto& member = out.*field.member;
  const std::vector<std::string_view> values = args.getlist(field.name);
  const std::size_t before = v.count();
  if constexpr (is_vector<M>) {  // a list: the parameter repeated (?tag=a&tag=b)
    member.clear();
    for (std::size_t i = 0; i < values.size(); ++i) {
      Validator::Step step{v, field.name};
      Validator::Step element{v, i};
      typename M::value_type value{};
      read_text(values[i], value, v);
      member.push_back(std::move(value));
    }
  } else {
    Validator::Step step{v, field.name};
    if (values.empty()) {
      if constexpr (F::required) v.fail("missing", "is required");
      return;
    }
    if constexpr (is_optional<M>) {
      read_text(values.front(), member.emplace(), v);
    } else {
      read_text(values.front(), member, v);
    }
  }
  if (v.count() == before) {
    Validator::Step step{v, field.name};
    apply_checks(field, member, v);
  }
}

template <typename T>
void read_value(const JsonView& json, T& out, Validator& v) {
  if constexpr (std::same_as<T, bool> || std::same_as<T, std::string> || std::same_as<T, double> ||
                std::same_as<T, float>) {
    read_value(json, out, v);  // the non-template overloads above
  } else if constexpr (std::signed_integral<T>) {
    std::int64_t n = 0;
    if (read_integer(json, std::numeric_limits<T>::min(), std::numeric_limits<T>::max(), n, v)) {
      out = static_cast<T>(n);
    }
  } else if constexpr (std::unsigned_integral<T>) {
    std::uint64_t n = 0;
    if (read_unsigned(json, std::numeric_limits<T>::max(), n, v)) out = static_cast<T>(n);
  } else if constexpr (DescribedEnum<T>) {
    constexpr auto& values = describe<T>::values;
    constexpr std::size_t count = std::size(values);
    std::string_view names[count];
    for (std::size_t i = 0; i < count; ++i) names[i] = values[i].second;
    std::size_t index = 0;
    if (read_enum(json, names, count, index, v)) out = values[index].first;
  } else if constexpr (is_optional<T>) {
    if (json.is_null()) {
      out.reset();
    } else {
      read_value(json, out.emplace(), v);
    }
  } else if constexpr (is_vector<T>) {
    if (!json.is_array()) return fail_kind(v, "an array", json);
    out.clear();
    std::size_t i = 0;
    for (const JsonView element : json.elements()) {
      Validator::Step step{v, i++};
      typename T::value_type value{};
      read_value(element, value, v);
      out.push_back(std::move(value));
    }
  } else if constexpr (is_string_map<T>) {
    if (!json.is_object()) return fail_kind(v, "an object", json);
    out.clear();
    for (const auto [key, value] : json.members()) {
      Validator::Step step{v, key};
      read_value(value, out[std::string{key}], v);
    }
  } else if constexpr (DescribedStruct<T>) {
    if (!json.is_object()) return fail_kind(v, "an object", json);
    std::apply([&](const auto&... f) { (read_field(json, f, out, v), ...); }, describe<T>::fields);
    if constexpr (RejectsUnknown<T>) {
      constexpr std::size_t count = std::tuple_size_v<std::decay_t<decltype(describe<T>::fields)>>;
      const auto names = std::apply(
          [](const auto&... f) { return std::array<std::string_view, count>{f.name...}; },
          describe<T>::fields);
      reject_unknown(json, names.data(), count, v);
    }
  } else {
    static_assert(always_false<T>,
                  "swoop: this type cannot be read from JSON. Describe it (template <> struct "
                  "swoop::describe<T> with fields, or values for an enum), or use bool, an "
                  "integer, float, double, std::string, std::optional, std::vector, "
                  "std::map<std::string, T>");
  }
}

}  // namespace detail

/// Reads a T from JSON, checking every field and constraint; throws ValidationError (422)
/// listing every mistake. T: a described struct, or any type read_value accepts.
/// Example:
///     NewItem item = swoop::from_json<NewItem>(req.json());
template <typename T>
T from_json(const JsonView& json) {
  static_assert(std::is_default_constructible_v<T>, "swoop::from_json<T> needs T{}");
  T out{};
  detail::Validator v;
  detail::read_value(json, out, v);
  std::move(v).check();
  return out;
}

template <typename T>
T Request::json() const {
  return from_json<T>(json());
}

template <typename T>
T Request::query() const {
  static_assert(detail::DescribedStruct<T>, "req.query<T>(): T must be a described struct");
  T out{};
  detail::Validator v;
  std::apply([&](const auto&... f) { (detail::read_query_field(args(), f, out, v), ...); },
             describe<T>::fields);
  std::move(v).check();
  return out;
}

}  // namespace swoop
