// SPDX-License-Identifier: MIT
// JsonValue, an insertion-ordered JSON document built in code; to_json, write_json and json().
#pragma once

#include <concepts>
#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include "swoop/detail/body_buffer.hpp"
#include "swoop/json_writer.hpp"
#include "swoop/response.hpp"

// Issue #3 calls the value type `swoop::json::Value`. A namespace `swoop::json` cannot coexist
// with the response function `swoop::json(...)`, so the type is `swoop::JsonValue`.

namespace swoop {

class JsonValue;
struct JsonMember;

/// A JSON array: a plain vector of values.
///
/// Example:
///     swoop::JsonArray tags{"a", "b", 3};
using JsonArray = std::vector<JsonValue>;

/// A JSON object: (key, value) members in insertion order, written out in that order.
///
/// It is a plain vector, so it can hold repeated keys; `JsonValue::set` replaces instead of
/// appending, and `JsonValue::operator[]` finds the first member with a key.
/// Example:
///     swoop::JsonObject user{{"id", 5}, {"name", "x"}};
using JsonObject = std::vector<JsonMember>;

/// The kind of value a JsonValue holds; the order matches the alternatives of its storage.
enum class JsonKind {
  null,     ///< `null`
  boolean,  ///< `true` or `false`
  int64,    ///< a signed integer (every signed C++ integer type becomes this)
  uint64,   ///< an unsigned integer (every unsigned C++ integer type becomes this)
  float64,  ///< a double (float and long double are converted to double)
  string,   ///< a string of bytes, meant to be UTF-8
  array,    ///< a JsonArray
  object,   ///< a JsonObject
};

namespace detail {
/// How a JSON kind is named in messages: "an integer", "a string", "null".
const char* json_kind_name(JsonKind kind) noexcept;
/// Throws std::logic_error saying that `operation` does not apply to a value of kind `actual`.
[[noreturn]] void throw_json_kind_error(const char* operation, JsonKind actual);
}  // namespace detail

/// A JSON value: null, bool, int64, uint64, double, string, array or object.
///
/// Built from ordinary C++ values, as close to a Python literal as C++ allows; objects keep
/// insertion order. Nested objects and arrays are spelled `JsonObject{...}` / `JsonArray{...}`.
/// Conversions are strict: bool stays bool (never an int), a `const char*` is a string (never
/// a bool), signed integers become int64, unsigned ones uint64, floating types double.
/// Character types (`char`, `char8_t`, ...) and other pointers are rejected at compile time.
///
/// Errors: an accessor used on the wrong kind throws std::logic_error; a missing key or an
/// index past the end throws std::out_of_range (itself a std::logic_error).
/// Lifetime: a JsonValue owns all its data; references returned by accessors are valid until
/// the value they point into is modified, moved from or destroyed.
/// Thread safety: const members may be called from several threads at once.
///
/// Example:
///     swoop::JsonValue v = swoop::JsonObject{
///         {"id", 5}, {"name", "x"}, {"tags", swoop::JsonArray{"a", "b"}},
///         {"ok", true}, {"none", nullptr}};
///     v.set("id", 6);
///     swoop::to_json(v);  // {"id":6,"name":"x","tags":["a","b"],"ok":true,"none":null}
class JsonValue {
 public:
  /// Makes `null`.
  JsonValue() noexcept = default;

  /// Makes `null`.
  JsonValue(std::nullptr_t) noexcept;

  /// Makes `true` or `false`. Only an actual bool matches: pointers do not convert to it.
  template <std::same_as<bool> B>
  JsonValue(B b) noexcept : value_(std::in_place_type<bool>, b) {}

  /// Makes an integer: int64 for signed types, uint64 for unsigned types.
  template <detail::JsonInteger I>
  JsonValue(I i) noexcept;

  /// Makes a double from any floating-point type. NaN and infinities can be stored, but
  /// to_json refuses them.
  template <std::floating_point F>
  JsonValue(F d) noexcept;

  /// Character types are refused: write `"a"` for a string or `int{'a'}` for a number.
  template <detail::JsonCharacter C>
  JsonValue(C) = delete;

  /// Makes a string holding a copy of `s`, which must not be null.
  JsonValue(const char* s);

  /// Makes a string holding a copy of `s`.
  JsonValue(std::string_view s);

  /// Makes a string, taking over `s`.
  JsonValue(std::string s) noexcept;

  /// Makes an array, taking over `a`.
  JsonValue(JsonArray a) noexcept;

  /// Makes an object, taking over `o`; members keep their order, repeated keys included.
  JsonValue(JsonObject o) noexcept;

  /// Returns which kind of value this is.
  JsonKind kind() const noexcept { return static_cast<JsonKind>(value_.index()); }

  /// Returns true for `null`.
  bool is_null() const noexcept { return kind() == JsonKind::null; }
  /// Returns true for a bool.
  bool is_bool() const noexcept { return kind() == JsonKind::boolean; }
  /// Returns true for an integer that fits std::int64_t (as_int() returns it).
  bool is_int64() const noexcept;
  /// Returns true for an integer that fits std::uint64_t, so not negative (as_uint() returns
  /// it).
  bool is_uint64() const noexcept;
  /// Returns true for an integer of either kind.
  bool is_integer() const noexcept {
    return kind() == JsonKind::int64 || kind() == JsonKind::uint64;
  }
  /// Returns true for a double.
  bool is_double() const noexcept { return kind() == JsonKind::float64; }
  /// Returns true for any number: int64, uint64 or double.
  bool is_number() const noexcept { return is_integer() || is_double(); }
  /// Returns true for a string.
  bool is_string() const noexcept { return kind() == JsonKind::string; }
  /// Returns true for an array.
  bool is_array() const noexcept { return kind() == JsonKind::array; }
  /// Returns true for an object.
  bool is_object() const noexcept { return kind() == JsonKind::object; }

  /// Returns the bool. Throws std::logic_error unless this is a bool.
  bool as_bool() const;

  /// Returns the integer as int64.
  ///
  /// Accepts both integer kinds. Throws std::out_of_range for a uint64 above INT64_MAX, and
  /// std::logic_error for any other kind (a double is not converted).
  std::int64_t as_int() const;

  /// Returns the integer as uint64.
  ///
  /// Accepts both integer kinds. Throws std::out_of_range for a negative int64, and
  /// std::logic_error for any other kind (a double is not converted).
  std::uint64_t as_uint() const;

  /// Returns the number as a double; integers are converted (and may round above 2^53).
  /// Throws std::logic_error unless this is a number.
  double as_double() const;

  /// Returns the string. Throws std::logic_error unless this is a string.
  /// Lifetime: see the class comment.
  const std::string& as_string() const;
  /// Returns the string, which may be modified in place. Throws std::logic_error unless this
  /// is a string.
  /// Lifetime: see the class comment.
  std::string& as_string();

  /// Returns the array. Throws std::logic_error unless this is an array.
  /// Lifetime: see the class comment.
  const JsonArray& as_array() const;
  /// Returns the array, which may be modified in place. Throws std::logic_error unless this
  /// is an array.
  /// Lifetime: see the class comment.
  JsonArray& as_array();

  /// Returns the object's members. Throws std::logic_error unless this is an object.
  /// Lifetime: see the class comment.
  const JsonObject& as_object() const;
  /// Returns the object's members, which may be modified in place (repeated keys are then
  /// possible). Throws std::logic_error unless this is an object.
  /// Lifetime: see the class comment.
  JsonObject& as_object();

  /// Returns the value of the first member named `key`, or null when there is none.
  /// Throws std::logic_error unless this is an object.
  /// Lifetime: the pointer is valid until this object is modified, moved from or destroyed.
  const JsonValue* find(std::string_view key) const;
  /// Returns the value of the first member named `key`, or null when there is none.
  /// Throws std::logic_error unless this is an object.
  /// Lifetime: the pointer is valid until this object is modified, moved from or destroyed.
  JsonValue* find(std::string_view key);

  /// Returns true when the object has a member named `key`.
  /// Throws std::logic_error unless this is an object.
  bool contains(std::string_view key) const { return find(key) != nullptr; }

  /// Returns the value of the first member named `key`.
  ///
  /// Unlike std::map, never inserts: throws std::out_of_range when the key is missing (use
  /// `set` to add), and std::logic_error unless this is an object.
  /// Lifetime: see the class comment.
  const JsonValue& operator[](std::string_view key) const;
  /// Returns the value of the first member named `key`, which may be modified in place.
  /// Throws std::out_of_range when the key is missing, std::logic_error unless this is an
  /// object.
  /// Lifetime: see the class comment.
  JsonValue& operator[](std::string_view key);

  /// Returns the array element at `index`. Throws std::out_of_range when `index >= size()`,
  /// std::logic_error unless this is an array.
  /// Lifetime: see the class comment.
  const JsonValue& operator[](std::size_t index) const;
  /// Returns the array element at `index`, which may be modified in place.
  /// Throws std::out_of_range when `index >= size()`, std::logic_error unless this is an
  /// array.
  /// Lifetime: see the class comment.
  JsonValue& operator[](std::size_t index);

  /// Appends `value` to the array. Throws std::logic_error unless this is an array (a null is
  /// not turned into an array).
  void push_back(JsonValue value);

  /// Sets the member `key` to `value`: replaces the value of the first member with that key,
  /// keeping its position, or appends a new member at the end.
  ///
  /// Returns the stored value. Throws std::logic_error unless this is an object.
  /// Lifetime: the reference is valid until this object is modified, moved from or destroyed.
  /// Example:
  ///     swoop::JsonValue v = swoop::JsonObject{{"a", 1}, {"b", 2}};
  ///     v.set("a", 3);  // {"a":3,"b":2}
  ///     v.set("c", 4);  // {"a":3,"b":2,"c":4}
  JsonValue& set(std::string_view key, JsonValue value);

  /// Returns the number of elements of an array or members of an object.
  /// Throws std::logic_error for any other kind.
  std::size_t size() const;

  /// Compares kinds and values deeply.
  ///
  /// An int64 and a uint64 holding the same integer are equal (they are written the same);
  /// an integer never equals a double (`1` and `1.0` differ in the output); doubles compare
  /// with `==`, so NaN differs from itself; objects are equal when their members are equal in
  /// the same order, since order is part of the output.
  friend bool operator==(const JsonValue& a, const JsonValue& b) noexcept;

 private:
  // Alternatives in JsonKind order: kind() is the variant index.
  std::variant<std::nullptr_t, bool, std::int64_t, std::uint64_t, double, std::string, JsonArray,
               JsonObject>
      value_;
};

/// One member of a JsonObject: a key and its value.
///
/// Example:
///     swoop::JsonMember m{"id", 5};
struct JsonMember {
  std::string key;  ///< The member name, meant to be UTF-8; written escaped like any string.
  JsonValue value;  ///< The member value.
};

inline JsonValue::JsonValue(std::nullptr_t) noexcept {}

template <detail::JsonInteger I>
JsonValue::JsonValue(I i) noexcept {
  if constexpr (std::signed_integral<I>) {
    value_.template emplace<std::int64_t>(static_cast<std::int64_t>(i));
  } else {
    value_.template emplace<std::uint64_t>(static_cast<std::uint64_t>(i));
  }
}

template <std::floating_point F>
JsonValue::JsonValue(F d) noexcept : value_(std::in_place_type<double>, static_cast<double>(d)) {}

inline JsonValue::JsonValue(const char* s) : value_(std::in_place_type<std::string>, s) {}

inline JsonValue::JsonValue(std::string_view s) : value_(std::in_place_type<std::string>, s) {}

inline JsonValue::JsonValue(std::string s) noexcept
    : value_(std::in_place_type<std::string>, std::move(s)) {}

inline JsonValue::JsonValue(JsonArray a) noexcept
    : value_(std::in_place_type<JsonArray>, std::move(a)) {}

inline JsonValue::JsonValue(JsonObject o) noexcept
    : value_(std::in_place_type<JsonObject>, std::move(o)) {}

inline bool JsonValue::as_bool() const {
  if (const auto* b = std::get_if<bool>(&value_)) return *b;
  detail::throw_json_kind_error("as_bool", kind());
}

inline double JsonValue::as_double() const {
  if (const auto* d = std::get_if<double>(&value_)) return *d;
  if (const auto* i = std::get_if<std::int64_t>(&value_)) return static_cast<double>(*i);
  if (const auto* u = std::get_if<std::uint64_t>(&value_)) return static_cast<double>(*u);
  detail::throw_json_kind_error("as_double", kind());
}

inline const std::string& JsonValue::as_string() const {
  if (const auto* s = std::get_if<std::string>(&value_)) return *s;
  detail::throw_json_kind_error("as_string", kind());
}

inline std::string& JsonValue::as_string() {
  if (auto* s = std::get_if<std::string>(&value_)) return *s;
  detail::throw_json_kind_error("as_string", kind());
}

inline const JsonArray& JsonValue::as_array() const {
  if (const auto* a = std::get_if<JsonArray>(&value_)) return *a;
  detail::throw_json_kind_error("as_array", kind());
}

inline JsonArray& JsonValue::as_array() {
  if (auto* a = std::get_if<JsonArray>(&value_)) return *a;
  detail::throw_json_kind_error("as_array", kind());
}

inline const JsonObject& JsonValue::as_object() const {
  if (const auto* o = std::get_if<JsonObject>(&value_)) return *o;
  detail::throw_json_kind_error("as_object", kind());
}

inline JsonObject& JsonValue::as_object() {
  if (auto* o = std::get_if<JsonObject>(&value_)) return *o;
  detail::throw_json_kind_error("as_object", kind());
}

/// Appends the compact JSON text of `value` (no whitespace at all) to `out`.
///
/// Output rules:
/// - Objects are written in member order; repeated keys are written as they are.
/// - Integers are written in full (`-9223372036854775808`, `18446744073709551615`).
/// - Doubles are written in the shortest form that reads back to the same double. A double
///   whose shortest form is all digits gets `.0` appended, so it still reads back as a
///   floating-point number: `1.0` is written `1.0`, `-0.0` is `-0.0`, `1e20` is `1e+20`.
/// - Strings (and keys) escape quotation marks and backslashes with a backslash, and control
///   characters below
///   U+0020 as `\b \t \n \f \r`, or else `\u00XX` with lower-case hex. `/`, DEL (0x7F) and
///   all non-ASCII characters are written unescaped as UTF-8.
/// - Strings must be UTF-8. Each byte that does not begin a well-formed UTF-8 sequence
///   (RFC 3629: overlong forms, surrogates, code points above U+10FFFF, stray continuation
///   bytes, truncated sequences) is replaced by U+FFFD, one per byte: a 3-byte sequence cut
///   after 2 bytes becomes two U+FFFD. The output is therefore always valid UTF-8 JSON.
///
/// Throws std::domain_error for a NaN or infinite double (JSON cannot represent them); `out`
/// is then left as it was. May throw std::bad_alloc.
/// Example:
///     std::string body = "data: ";
///     swoop::write_json(body, swoop::JsonArray{1, 2.5, "x"});  // data: [1,2.5,"x"]
void write_json(std::string& out, const JsonValue& value);

/// Returns the compact JSON text of `value`; see write_json for the rules and errors.
///
/// Example:
///     swoop::to_json(swoop::JsonObject{{"ok", true}});  // {"ok":true}
std::string to_json(const JsonValue& value);

/// Appends the compact JSON text of any value JsonWriter supports (a user's struct with a
/// `to_json(JsonWriter&, const T&)` hook, std containers, optional, variant, numbers, strings)
/// to `out`, without building a JsonValue. Same rules and errors as write_json(JsonValue);
/// `out` is left as it was when it throws. A float is written in the shortest form that reads
/// back to the same float (`0.1f` is `0.1`), where a JsonValue holding it has a double.
///
/// An unsupported type fails to compile with a static_assert (see JsonWriter).
/// Example:
///     std::map<std::string, std::vector<int>> m{{"a", {1, 2}}};
///     swoop::write_json(body, m);  // {"a":[1,2]}
template <typename T>
void write_json(std::string& out, const T& value) {
  const std::size_t old_size = out.size();
  try {
    JsonWriter writer{out};
    writer.value(value);
    SWOOP_ASSERT(writer.is_complete(), "a to_json hook must write exactly one complete value");
  } catch (...) {
    out.resize(old_size);
    throw;
  }
}

/// Returns the compact JSON text of any value JsonWriter supports; see write_json above.
///
/// Example:
///     swoop::to_json(std::optional<int>{});          // null
///     swoop::to_json(std::pair{1, "a"});             // [1,"a"]
///     swoop::to_json(std::variant<int, bool>{true});  // true
template <typename T>
std::string to_json(const T& value) {
  std::string out;
  JsonWriter writer{out};
  writer.value(value);
  SWOOP_ASSERT(writer.is_complete(), "a to_json hook must write exactly one complete value");
  return out;
}

namespace detail {
/// Makes the application/json response of json(): `headers` are applied after the
/// Content-Type, so a given Content-Type (application/problem+json, ...) replaces it.
Response make_json_response(std::string body, int status, const HeaderList& headers);
}  // namespace detail

/// An application/json response holding the serialized value.
///
/// `headers` are added to the response; a Content-Type among them replaces application/json.
/// Throws std::domain_error for NaN or infinity (see write_json), std::invalid_argument for a
/// status outside 100..599 or an invalid header.
/// Example:
///     return swoop::json(swoop::JsonObject{{"id", id}}, 201);
Response json(const JsonValue& value, StatusCode status = 200, const HeaderList& headers = {});

/// An application/json response holding any value JsonWriter supports, written without
/// building a JsonValue first (see write_json above for the rules and errors).
///
/// Example:
///     return swoop::json(user, 201, {{"Location", "/users/7"}});
template <typename T>
Response json(const T& value, StatusCode status = 200, const HeaderList& headers = {}) {
  std::string body = detail::take_body_buffer();
  write_json(body, value);
  return detail::make_json_response(std::move(body), status, headers);
}

}  // namespace swoop
