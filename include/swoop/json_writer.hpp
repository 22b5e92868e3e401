// SPDX-License-Identifier: MIT
// JsonWriter: compact JSON written straight into a std::string, and the to_json hook it calls.
#pragma once

#include <charconv>
#include <concepts>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <tuple>
#include <type_traits>
#include <utility>
#include <variant>
#include <vector>

#include "swoop/config.hpp"
#include "swoop/detail/described.hpp"

namespace swoop {

class JsonValue;
struct JsonMember;
class JsonWriter;

namespace detail {
/// Character types, which JSON output refuses: `'a'` is neither clearly a number nor a string.
template <typename T>
concept JsonCharacter = std::same_as<T, char> || std::same_as<T, wchar_t> ||
    std::same_as<T, char8_t> || std::same_as<T, char16_t> || std::same_as<T, char32_t>;

/// Integer types written as numbers: every integral type except bool and characters.
template <typename T>
concept JsonInteger = std::integral<T> && !std::same_as<T, bool> && !JsonCharacter<T>;

/// A user's `void to_json(swoop::JsonWriter&, const T&)`, found by argument-dependent lookup.
template <typename T>
concept JsonWriterHook = requires(JsonWriter& writer, const T& value) {
  to_json(writer, value);
};

/// Values written as `null`.
template <typename T>
concept JsonNullLike = std::same_as<T, std::nullptr_t> || std::same_as<T, std::nullopt_t> ||
    std::same_as<T, std::monostate>;

/// Strings: anything that converts to std::string_view (std::string, literals, const char*).
template <typename T>
concept JsonStringLike = std::is_convertible_v<const T&, std::string_view>;

/// Iterable containers (std::vector, std::array, std::set, std::list, C arrays, ...).
template <typename T>
concept JsonRange = std::is_array_v<T> || requires(const T& range) {
  range.begin();
  range.end();
};

/// Associative containers (std::map, std::unordered_map, std::multimap, ...): objects.
template <typename T>
concept JsonMapLike = JsonRange<T> && requires {
  typename T::key_type;
  typename T::mapped_type;
};

/// std::pair and std::tuple: arrays of their elements.
template <typename T>
concept JsonTupleLike = requires {
  std::tuple_size<T>::value;
};

template <typename T>
inline constexpr bool always_false = false;
}  // namespace detail

/// Writes one compact JSON document (no whitespace) by appending to a std::string.
///
/// `value(x)` writes any supported value; objects and arrays are opened and closed by hand,
/// and `member(key, x)` writes one object member. Strings, keys and numbers follow exactly the
/// rules of write_json (see json.hpp): escaping per RFC 8259, invalid UTF-8 replaced by U+FFFD
/// byte by byte, doubles in shortest round-trip form, NaN and infinities refused with
/// std::domain_error.
///
/// `value(x)` supports, in this order of precedence:
/// - any type with a `void to_json(swoop::JsonWriter&, const T&)` found by argument-dependent
///   lookup (declare it next to the type; it wins over every rule below);
/// - a struct described with swoop::describe (describe.hpp), as an object of its fields in
///   their order (a missing swoop::Patch member left out); a described std::variant as the
///   object of its alternative with the tag member first; a described enum as its name
///   (std::domain_error for a value without one);
/// - JsonValue, JsonObject and JsonArray;
/// - bool; integers (character types are refused); float (shortest form that reads back to
///   the same float); double and long double (converted to double);
/// - `nullptr`, `std::nullopt`, `std::monostate` as `null`;
/// - anything convertible to std::string_view, as a string (a `const char*` must not be null);
/// - `std::optional<T>` (`null` when empty) and `std::variant<Ts...>` (the active alternative);
/// - maps (types with `key_type` and `mapped_type`: std::map, std::unordered_map, ...) as
///   objects in iteration order; keys must be strings or integers (written as decimal strings);
/// - other ranges (std::vector, std::array, std::set, C arrays, ...) as arrays;
/// - std::pair and std::tuple as arrays of their elements.
/// Anything else fails to compile with a static_assert that says what to do.
///
/// The writer does not check that calls form a valid document beyond a few cheap assertions
/// (SWOOP_ASSERT: a key where a value is due, an end without a begin).
/// Errors: std::domain_error for NaN or an infinity, std::bad_alloc; what was written before
/// stays in the string (write_json and to_json restore it).
/// Lifetime: refers to the string given to the constructor, which must outlive the writer.
/// Example:
///     struct Point { int x, y; };
///     void to_json(swoop::JsonWriter& w, const Point& p) {
///       w.begin_object();
///       w.member("x", p.x);
///       w.member("y", p.y);
///       w.end_object();
///     }
///     swoop::to_json(std::vector<Point>{{1, 2}});  // [{"x":1,"y":2}]
class JsonWriter {
 public:
  /// Makes a writer that appends to `out`.
  explicit JsonWriter(std::string& out) noexcept : out_(&out) {}
  JsonWriter(const JsonWriter&) = delete;
  JsonWriter& operator=(const JsonWriter&) = delete;

  /// Writes `{`.
  void begin_object() { open('{'); }
  /// Writes `}`.
  void end_object() { close('}'); }
  /// Writes `[`.
  void begin_array() { open('['); }
  /// Writes `]`.
  void end_array() { close(']'); }

  /// Writes an object key and the `:` after it; the next call must write its value.
  void key(std::string_view name);

  /// Writes any supported value (see the class comment).
  template <typename T>
  void value(const T& v);

  /// Writes one object member: `key(name)` then `value(v)`.
  template <typename T>
  void member(std::string_view name, const T& v) {
    key(name);
    value(v);
  }

  /// The string being written to.
  std::string& output() const noexcept { return *out_; }

  /// Whether exactly one complete top-level value has been written.
  bool is_complete() const noexcept { return depth_ == 0 && need_comma_; }

 private:
  void separate() {
    SWOOP_ASSERT(depth_ > 0 || !need_comma_, "a JSON document holds one top-level value");
    if (need_comma_) out_->push_back(',');
    after_key_ = false;
  }
  void open(char bracket) {
    separate();
    out_->push_back(bracket);
    need_comma_ = false;
    ++depth_;
  }
  void close(char bracket) {
    SWOOP_ASSERT(depth_ > 0, "JsonWriter: an end without a begin");
    SWOOP_ASSERT(!after_key_, "JsonWriter: a key without a value");
    out_->push_back(bracket);
    need_comma_ = true;
    --depth_;
  }
  void write_null();
  void write_bool(bool b);
  void write_int(std::int64_t i);
  void write_uint(std::uint64_t u);
  void write_double(double d);
  void write_float(float f);
  void write_string(std::string_view s);
  void write_enum_name(std::string_view name);
  void write_json_value(const JsonValue& v);
  void write_json_object(const std::vector<JsonMember>& o);
  void write_json_array(const std::vector<JsonValue>& a);

  template <typename K>
  void map_key(const K& k);
  // The members of a described struct (without the braces).
  template <typename T>
  void write_fields(const T& v);

  std::string* out_;
  std::uint32_t depth_ = 0;
  bool need_comma_ = false;  // a value was just completed: the next one needs a ','
  bool after_key_ = false;   // a key was written: a value must follow
};

template <typename K>
void JsonWriter::map_key(const K& k) {
  if constexpr (detail::JsonStringLike<K>) {
    key(k);
  } else if constexpr (detail::JsonInteger<K>) {
    char digits[24];
    const auto result = std::to_chars(digits, digits + sizeof digits, k);
    key(std::string_view(digits, static_cast<std::size_t>(result.ptr - digits)));
  } else {
    static_assert(detail::always_false<K>,
                  "swoop::JsonWriter: a map is written as a JSON object, so its keys must be "
                  "strings or integers; convert the map, or write a to_json hook for it");
  }
}

template <typename T>
void JsonWriter::write_fields(const T& v) {
  static_assert(detail::DescribedStruct<T>,
                "swoop: each alternative of a described std::variant must be a described struct");
  auto one = [this](std::string_view name, const auto& m) {
    if constexpr (detail::is_patch<std::decay_t<decltype(m)>>) {
      if (m.missing()) return;  // a partial update writes back only what it holds
    }
    member(name, m);
  };
  std::apply([&](const auto&... field) { (one(field.name, v.*field.member), ...); },
             describe<T>::fields);
}

template <typename T>
void JsonWriter::value(const T& v) {
  if constexpr (detail::JsonWriterHook<T>) {
    to_json(*this, v);
  } else if constexpr (detail::DescribedStruct<T>) {
    begin_object();
    write_fields(v);
    end_object();
  } else if constexpr (detail::DescribedVariant<T>) {
    begin_object();
    member(describe<T>::tag, describe<T>::names[v.index()]);
    std::visit([this](const auto& alternative) { write_fields(alternative); }, v);
    end_object();
  } else if constexpr (detail::is_patch<T>) {
    if (v.has_value()) {
      value(*v);
    } else {
      write_null();
    }
  } else if constexpr (detail::DescribedEnum<T>) {
    write_enum_name(detail::enum_name(v));
  } else if constexpr (std::same_as<T, JsonValue>) {
    write_json_value(v);
  } else if constexpr (std::same_as<T, std::vector<JsonMember>>) {
    write_json_object(v);
  } else if constexpr (std::same_as<T, std::vector<JsonValue>>) {
    write_json_array(v);
  } else if constexpr (std::same_as<T, bool>) {
    write_bool(v);
  } else if constexpr (detail::JsonCharacter<T>) {
    static_assert(detail::always_false<T>,
                  "swoop::JsonWriter: a character is neither a JSON number nor a string; write "
                  "std::string(1, c) for a string or int{c} for a number");
  } else if constexpr (detail::JsonInteger<T> && std::signed_integral<T>) {
    write_int(static_cast<std::int64_t>(v));
  } else if constexpr (detail::JsonInteger<T>) {
    write_uint(static_cast<std::uint64_t>(v));
  } else if constexpr (std::same_as<T, float>) {
    write_float(v);
  } else if constexpr (std::floating_point<T>) {
    write_double(static_cast<double>(v));
  } else if constexpr (detail::JsonNullLike<T>) {
    write_null();
  } else if constexpr (detail::JsonStringLike<T>) {
    write_string(std::string_view(v));
  } else if constexpr (detail::is_optional<T>) {
    if (v.has_value()) {
      value(*v);
    } else {
      write_null();
    }
  } else if constexpr (detail::is_variant<T>) {
    std::visit([this](const auto& alternative) { value(alternative); }, v);
  } else if constexpr (detail::JsonMapLike<T>) {
    begin_object();
    for (const auto& [k, mapped] : v) {
      map_key(k);
      value(mapped);
    }
    end_object();
  } else if constexpr (detail::JsonRange<T>) {
    begin_array();
    for (const auto& element : v) value(element);
    end_array();
  } else if constexpr (detail::JsonTupleLike<T>) {
    begin_array();
    std::apply([this](const auto&... elements) { (value(elements), ...); }, v);
    end_array();
  } else {
    static_assert(detail::always_false<T>,
                  "swoop::JsonWriter: this type cannot be written as JSON. Declare "
                  "`void to_json(swoop::JsonWriter&, const T&)` in the type's namespace (it is "
                  "found by argument-dependent lookup), or convert the value to a supported type: "
                  "bool, a number, a string, std::optional, std::variant, a map with string keys, "
                  "a range, std::pair/std::tuple or swoop::JsonValue");
  }
}

}  // namespace swoop
