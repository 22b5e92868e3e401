// SPDX-License-Identifier: MIT
// The vocabulary of type descriptions (swoop/describe.hpp) that the JSON writer needs too:
// the describe<T> template, a described field, and the concepts that recognise them.
#pragma once

#include <concepts>
#include <cstddef>
#include <optional>
#include <string_view>
#include <tuple>
#include <type_traits>
#include <utility>
#include <vector>

namespace swoop {

/// Specialize for a struct, or an enum, to describe its JSON form once: swoop then reads it
/// (validated, every error at once), writes it, and publishes its schema. See describe.hpp.
/// A struct may describe itself instead, with a `static constexpr auto json_fields` member.
template <typename T>
struct describe;

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

namespace detail {

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
  static constexpr bool required = !is_optional<M> && !(std::same_as<Checks, HasDefault> || ...);
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
