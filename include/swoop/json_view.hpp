// SPDX-License-Identifier: MIT
// JsonView: read-only, typed access to a parsed JSON request body (what req.json() returns).
#pragma once

#include <concepts>
#include <cstddef>
#include <cstdint>
#include <iterator>
#include <limits>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>

#include "swoop/detail/json_document.hpp"
#include "swoop/json.hpp"

namespace swoop {

class JsonView;

namespace detail {
/// Makes JsonViews (src/ only).
class JsonViewAccess;
}  // namespace detail

class JsonElements;
class JsonMembers;

/// A read-only view of one value of a parsed JSON document: the request body (`req.json()`)
/// or a value inside it.
///
/// A JsonView is two words (a document and a position in it) and is cheap to copy. Reading
/// request JSON validates what the client sent, so every failure is the client's fault and
/// throws `HttpError{400, ...}` (quiet: not logged) whose message names the value by its path
/// from the root, in JavaScript notation (`user.tags[2]`, `["a key"]`):
/// - a missing member or index: `missing field "user.name"`;
/// - a value of another kind: `field "url" must be a string, not a number` (the root is
///   "the JSON body": `the JSON body must be an object, not an array`);
/// - an integer outside the range of the requested type:
///   `field "age" must be an integer from 0 to 255`.
/// Conversions are strict: bool is not a number, a double is not an integer (`1.0` is not
/// `1`), a number is not a string. Integers convert to double (rounding above 2^53).
///
/// Lifetime: a view, and every std::string_view read from it, points into the request's
/// document: valid until the handler's Task completes (the Request is reset for the next
/// request on the connection). Copy (`get<std::string>()`, `get<JsonValue>()`) what you keep.
/// Thread safety: loop-affine, like the Request.
/// Example:
///     swoop::JsonView body = req.json();
///     auto url = body.get<std::string_view>("url");         // 400 if missing or not a string
///     auto limit = body.get_optional<int>("limit").value_or(10);
///     for (swoop::JsonView tag : body["tags"].elements()) tags.push_back(tag.get<std::string>());
///     for (auto [key, value] : body["meta"].members()) { ... }
class JsonView {
 public:
  /// The kind of the value (JsonKind::int64 for integers that fit int64, uint64 above).
  JsonKind kind() const noexcept;

  /// Whether the value is `null`.
  bool is_null() const noexcept { return kind() == JsonKind::null; }
  /// Whether the value is `true` or `false`.
  bool is_bool() const noexcept { return kind() == JsonKind::boolean; }
  /// Whether the value is an integer that fits std::int64_t (get<std::int64_t>() reads it).
  bool is_int64() const noexcept { return kind() == JsonKind::int64; }
  /// Whether the value is an integer that fits std::uint64_t, so not negative
  /// (get<std::uint64_t>() reads it).
  bool is_uint64() const noexcept;
  /// Whether the value is an integer (written without fraction or exponent).
  bool is_integer() const noexcept { return is_int64() || kind() == JsonKind::uint64; }
  /// Whether the value is a number written with a fraction or an exponent (`1.0`, `1e3`).
  bool is_double() const noexcept { return kind() == JsonKind::float64; }
  /// Whether the value is any number.
  bool is_number() const noexcept { return is_integer() || is_double(); }
  /// Whether the value is a string.
  bool is_string() const noexcept { return kind() == JsonKind::string; }
  /// Whether the value is an array.
  bool is_array() const noexcept { return kind() == JsonKind::array; }
  /// Whether the value is an object.
  bool is_object() const noexcept { return kind() == JsonKind::object; }

  /// Returns the value as T: bool, any integer type (range-checked), float, double,
  /// std::string_view (into the document), std::string, JsonValue (a deep copy) or JsonView.
  ///
  /// Throws HttpError 400 naming the path when the value is of another kind or out of T's
  /// range. Any other T fails to compile.
  /// Lifetime: a std::string_view is valid as long as the view (see the class comment).
  template <typename T>
  T get() const;

  /// Returns the member named `key` (the first one, if the client repeated it).
  ///
  /// Throws HttpError 400 when this is not an object (`field "x" must be an object, ...`) or
  /// has no such member (`missing field "x.key"`). Linear in the number of members.
  JsonView operator[](std::string_view key) const;

  /// Returns the array element at `index`.
  ///
  /// Throws HttpError 400 when this is not an array or is too short (`missing field "x[3]"`).
  /// Linear in `index`; iterate with elements() to visit them all.
  JsonView operator[](std::size_t index) const;

  /// Returns the member named `key`, or nullopt when there is none (a `null` member is found).
  /// Throws HttpError 400 when this is not an object.
  std::optional<JsonView> find(std::string_view key) const;

  /// Whether the object has a member named `key`. Throws HttpError 400 unless an object.
  bool contains(std::string_view key) const { return find(key).has_value(); }

  /// Returns member `key` as T: `(*this)[key].get<T>()`, with the same errors.
  template <typename T>
  T get(std::string_view key) const {
    return (*this)[key].template get<T>();
  }

  /// Returns member `key` as T, or nullopt when the member is missing or `null`.
  ///
  /// Throws HttpError 400 when this is not an object, or the member is neither null nor
  /// convertible to T.
  template <typename T>
  std::optional<T> get_optional(std::string_view key) const {
    const std::optional<JsonView> member = find(key);
    if (!member || member->is_null()) return std::nullopt;
    return member->template get<T>();
  }

  /// The number of elements of an array or members of an object.
  /// Throws HttpError 400 for any other kind.
  std::size_t size() const;

  /// The elements of an array, as JsonViews. Throws HttpError 400 unless an array.
  JsonElements elements() const;

  /// The members of an object, as (key, value) pairs in document order.
  /// Throws HttpError 400 unless an object.
  JsonMembers members() const;

  /// The path of this value from the root, as used in error messages (`user.tags[2]`); empty
  /// for the root. Computed by a walk from the root: linear in the document's size.
  std::string path() const;

  /// Throws HttpError 400 `field "<path>" <requirement>` (the root is "the JSON body"), for
  /// the handler's own validation.
  ///
  /// Example:
  ///     if (!url.starts_with("https://")) body["url"].reject("must be an https URL");
  [[noreturn]] void reject(std::string_view requirement) const;

 private:
  friend class detail::JsonViewAccess;
  friend class JsonElements;
  friend class JsonMembers;
  JsonView(const detail::JsonDocument* document, std::size_t index) noexcept
      : document_(document), index_(index) {}

  bool get_bool() const;
  std::int64_t get_int(std::int64_t min, std::int64_t max) const;
  std::uint64_t get_uint(std::uint64_t max) const;
  double get_double() const;
  float get_float() const;
  std::string_view get_string() const;
  JsonValue to_value() const;

  const detail::JsonDocument* document_;
  std::size_t index_;  // position on the document's tape
};

/// One member of a JSON object seen through a JsonView.
struct JsonViewMember {
  std::string_view key;  ///< the member name, unescaped; points into the document
  JsonView value;        ///< the member value
};

/// The elements of a JSON array: a forward range of JsonView (JsonView::elements()).
///
/// Lifetime: as the JsonView it came from.
class JsonElements {
 public:
  /// A forward iterator over the elements.
  class iterator {
   public:
    /// The C++20 iterator concept this type models.
    using iterator_concept = std::forward_iterator_tag;
    /// The element type: a JsonView.
    using value_type = JsonView;
    /// Signed distance between two iterators.
    using difference_type = std::ptrdiff_t;
    /// Makes a singular iterator, only fit to be assigned to.
    iterator() = default;
    /// Returns the current element.
    JsonView operator*() const noexcept { return JsonView{document_, index_}; }
    /// Moves to the next element.
    iterator& operator++() noexcept;
    /// Moves to the next element and returns the previous position.
    iterator operator++(int) noexcept {
      iterator old = *this;
      ++*this;
      return old;
    }
    friend bool operator==(const iterator& a, const iterator& b) noexcept {
      return a.index_ == b.index_;
    }

   private:
    friend class JsonElements;
    iterator(const detail::JsonDocument* document, std::size_t index) noexcept
        : document_(document), index_(index) {}
    const detail::JsonDocument* document_ = nullptr;
    std::size_t index_ = 0;
  };

  /// The first element.
  iterator begin() const noexcept { return {document_, first_}; }
  /// Past the last element.
  iterator end() const noexcept { return {document_, last_}; }
  /// Whether the array is empty.
  bool empty() const noexcept { return first_ == last_; }

 private:
  friend class JsonView;
  JsonElements(const detail::JsonDocument* document, std::size_t first, std::size_t last) noexcept
      : document_(document), first_(first), last_(last) {}
  const detail::JsonDocument* document_;
  std::size_t first_, last_;
};

/// The members of a JSON object: a forward range of JsonViewMember (JsonView::members()).
///
/// Lifetime: as the JsonView it came from.
class JsonMembers {
 public:
  /// A forward iterator over the members.
  class iterator {
   public:
    /// The C++20 iterator concept this type models.
    using iterator_concept = std::forward_iterator_tag;
    /// The member type: a (key, value) JsonViewMember.
    using value_type = JsonViewMember;
    /// Signed distance between two iterators.
    using difference_type = std::ptrdiff_t;
    /// Makes a singular iterator, only fit to be assigned to.
    iterator() = default;
    /// Returns the current member.
    JsonViewMember operator*() const noexcept;
    /// Moves to the next member.
    iterator& operator++() noexcept;
    /// Moves to the next member and returns the previous position.
    iterator operator++(int) noexcept {
      iterator old = *this;
      ++*this;
      return old;
    }
    friend bool operator==(const iterator& a, const iterator& b) noexcept {
      return a.index_ == b.index_;
    }

   private:
    friend class JsonMembers;
    iterator(const detail::JsonDocument* document, std::size_t index) noexcept
        : document_(document), index_(index) {}
    const detail::JsonDocument* document_ = nullptr;
    std::size_t index_ = 0;  // position of the key on the tape
  };

  /// The first member.
  iterator begin() const noexcept { return {document_, first_}; }
  /// Past the last member.
  iterator end() const noexcept { return {document_, last_}; }
  /// Whether the object is empty.
  bool empty() const noexcept { return first_ == last_; }

 private:
  friend class JsonView;
  JsonMembers(const detail::JsonDocument* document, std::size_t first, std::size_t last) noexcept
      : document_(document), first_(first), last_(last) {}
  const detail::JsonDocument* document_;
  std::size_t first_, last_;
};

/// Writes the value a view points at (a JsonWriter hook: `swoop::to_json(view)`,
/// `swoop::json(view)` and containers of views work). Numbers are written in swoop's form,
/// so `1.50` comes back as `1.5`.
void to_json(JsonWriter& writer, const JsonView& view);

template <typename T>
T JsonView::get() const {
  if constexpr (std::same_as<T, bool>) {
    return get_bool();
  } else if constexpr (detail::JsonCharacter<T>) {
    static_assert(detail::always_false<T>,
                  "JsonView::get<T>: a character type is neither a number nor a string; use "
                  "std::string_view or an integer type");
  } else if constexpr (std::signed_integral<T>) {
    return static_cast<T>(get_int(std::numeric_limits<T>::min(), std::numeric_limits<T>::max()));
  } else if constexpr (std::unsigned_integral<T>) {
    return static_cast<T>(get_uint(std::numeric_limits<T>::max()));
  } else if constexpr (std::same_as<T, double>) {
    return get_double();
  } else if constexpr (std::same_as<T, float>) {
    return get_float();
  } else if constexpr (std::same_as<T, std::string_view>) {
    return get_string();
  } else if constexpr (std::same_as<T, std::string>) {
    return std::string{get_string()};
  } else if constexpr (std::same_as<T, JsonValue>) {
    return to_value();
  } else if constexpr (std::same_as<T, JsonView>) {
    return *this;
  } else {
    static_assert(detail::always_false<T>,
                  "JsonView::get<T>: T must be bool, an integer type, float, double, "
                  "std::string_view, std::string, swoop::JsonValue or swoop::JsonView");
  }
}

}  // namespace swoop
