// SPDX-License-Identifier: MIT
// The vocabulary of type descriptions (swoop/describe.hpp) that the JSON writer needs too:
// the describe<T> template, a described field, and the concepts that recognise them.
#pragma once

#include <array>
#include <concepts>
#include <cstddef>
#include <optional>
#include <string_view>
#include <tuple>
#include <type_traits>
#include <utility>
#include <variant>
#include <vector>

namespace swoop {

/// Specialize for a struct, or an enum, to describe its JSON form once: swoop then reads it
/// (validated, every error at once), writes it, and publishes its schema. See describe.hpp.
/// A struct may describe itself instead, with a `static constexpr auto json_fields` member.
template <typename T>
struct describe;

/// A described std::variant of described structs is an object with a tag member naming the
/// alternative (`{"type": "card", ...}`): specialize describe for it with the tag's name and
/// one name per alternative, in the variant's order:
///     using Payment = std::variant<Card, Transfer>;
///     template <> struct swoop::describe<Payment> {
///       static constexpr std::string_view tag = "type";
///       static constexpr std::string_view names[] = {"card", "transfer"};
///     };

/// A struct that describes itself: `static constexpr auto json_fields = swoop::fields(...);`
/// (and `static constexpr bool json_reject_unknown = true;` to refuse unknown members).
template <typename T>
requires requires { T::json_fields; }
struct describe<T> {
  static constexpr const auto& fields = T::json_fields;
  static constexpr bool reject_unknown_fields = [] {
    if constexpr (requires { T::json_reject_unknown; }) {
      return static_cast<bool>(T::json_reject_unknown);
    } else {
      return false;
    }
  }();
};

/// Marks a field that may be missing: the member keeps the value it was initialized with.
/// (A std::optional member is never required either: it is empty when missing.)
struct HasDefault {};
inline constexpr HasDefault has_default{};

/// A member of a partial update (a PATCH body): missing from the document, `null`, or a value.
/// Never required; constraints apply to a value. Written back as read: a missing one is left
/// out, a null one is `null`.
/// Example:
///     struct ItemPatch { swoop::Patch<std::string> name; swoop::Patch<std::string> note; };
///     if (patch.name.has_value()) item.name = *patch.name;
///     if (patch.note.is_null()) item.note.reset();
template <typename T>
class Patch {
 public:
  /// The type of the value.
  using value_type = T;

  /// Missing.
  Patch() = default;
  /// A value.
  Patch(T value) : value_(std::move(value)), present_(true) {}  // NOLINT: implicit, like optional
  /// `null`.
  static Patch null() {
    Patch p;
    p.present_ = true;
    return p;
  }

  /// Whether the member was absent from the document.
  bool missing() const noexcept { return !present_; }
  /// Whether the member was `null`.
  bool is_null() const noexcept { return present_ && !value_; }
  /// Whether the member held a value.
  bool has_value() const noexcept { return value_.has_value(); }
  /// The value (std::bad_optional_access when missing or null).
  const T& value() const { return value_.value(); }
  /// The value (std::bad_optional_access when missing or null).
  T& value() { return value_.value(); }
  /// The value; only when has_value().
  const T& operator*() const noexcept { return *value_; }
  /// The value; only when has_value().
  T& operator*() noexcept { return *value_; }
  /// The value's members; only when has_value().
  const T* operator->() const noexcept { return &*value_; }
  /// Makes it a value, default-constructed, and returns it.
  T& emplace() {
    present_ = true;
    return value_.emplace();
  }
  /// Makes it `null`.
  void set_null() noexcept {
    value_.reset();
    present_ = true;
  }

  friend bool operator==(const Patch&, const Patch&) = default;

 private:
  std::optional<T> value_;
  bool present_ = false;
};

namespace detail {

template <typename T>
inline constexpr bool is_patch = false;
template <typename T>
inline constexpr bool is_patch<Patch<T>> = true;
template <typename T>
inline constexpr bool is_variant = false;
template <typename... Ts>
inline constexpr bool is_variant<std::variant<Ts...>> = true;
template <typename T>
inline constexpr bool is_optional = false;
template <typename T>
inline constexpr bool is_optional<std::optional<T>> = true;
template <typename T>
inline constexpr bool is_vector = false;
template <typename T>
inline constexpr bool is_vector<std::vector<T>> = true;

/// One described member of C: its JSON name, the pointer to it and its constraints.
template <typename C, typename M, typename... Checks>
struct Field {
  using Class = C;
  using Member = M;
  std::string_view name;
  M C::*member;
  std::tuple<Checks...> checks;

  /// Whether a document without this member is refused.
  static constexpr bool required =
      !is_optional<M> && !is_patch<M> && !(std::same_as<Checks, HasDefault> || ...);
};

template <typename T>
concept DescribedStruct = std::is_class_v<T> && requires {
  describe<T>::fields;
};

template <typename T>
concept DescribedEnum = std::is_enum_v<T> && requires {
  std::size(describe<T>::values);
  describe<T>::values[0].first;
  describe<T>::values[0].second;
};

template <typename T>
concept DescribedVariant = is_variant<T> && requires {
  { describe<T>::tag } -> std::convertible_to<std::string_view>;
  std::size(describe<T>::names);
};

/// The JSON names of a described enum's enumerators, in the order of its description.
template <DescribedEnum E>
inline constexpr auto enum_names = [] {
  std::array<std::string_view, std::size(describe<E>::values)> names{};
  for (std::size_t i = 0; i < names.size(); ++i) names[i] = describe<E>::values[i].second;
  return names;
}();

/// The JSON name of an enumerator of a described enum; empty when it has none.
template <DescribedEnum E>
constexpr std::string_view enum_name(E value) noexcept {
  for (const auto& [v, name] : describe<E>::values) {
    if (v == value) return name;
  }
  return {};
}

}  // namespace detail

/// A described member: `swoop::field("qty", &Item::qty, swoop::range(1, 99))`. Constraints
/// (describe.hpp) apply in order, after the value was read.
template <typename C, typename M, typename... Checks>
constexpr detail::Field<C, M, Checks...> field(std::string_view name, M C::*member,
                                               Checks... checks) {
  return {name, member, std::tuple<Checks...>{checks...}};
}

/// The fields of a described struct, in the order they are written.
template <typename... Fields>
constexpr std::tuple<Fields...> fields(Fields... f) {
  return std::tuple<Fields...>{f...};
}

}  // namespace swoop
