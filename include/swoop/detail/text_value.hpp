// SPDX-License-Identifier: MIT
// Numbers and booleans written as text (query strings, form fields), read strictly.
#pragma once

#include <charconv>
#include <cmath>
#include <concepts>
#include <limits>
#include <string>
#include <string_view>
#include <type_traits>

namespace swoop::detail {

/// Whether text spells true or false: "true"/"false", "1"/"0", "yes"/"no", "on"/"off", in any
/// case (what HTML forms and most clients send).
bool parse_bool_text(std::string_view text, bool& out) noexcept;

/// Reads all of text as a T (bool, or a finite number in T's range, decimal; a leading '+' is
/// accepted); false when it is not one.
template <typename T>
bool parse_text_value(std::string_view text, T& out) noexcept {
  static_assert(std::is_arithmetic_v<T>, "parse_text_value: T must be bool or a number");
  if constexpr (std::same_as<T, bool>) {
    return parse_bool_text(text, out);
  } else {
    const char* first = text.data();
    const char* last = first + text.size();
    if (first != last && *first == '+') ++first;
    auto [end, ec] = std::from_chars(first, last, out);
    if (ec != std::errc{} || end != last || first == last) return false;
    if constexpr (std::floating_point<T>) return std::isfinite(out);  // no "inf", no "nan"
    return true;
  }
}

/// What a T read from text must be, for messages: "a boolean (true or false)", "an integer
/// from 0 to 255", "a number".
template <typename T>
std::string text_value_expectation() {
  if constexpr (std::same_as<T, bool>) {
    return "a boolean (true or false)";
  } else if constexpr (std::integral<T>) {
    return "an integer from " + std::to_string(std::numeric_limits<T>::min()) + " to " +
           std::to_string(std::numeric_limits<T>::max());
  } else {
    return "a number";
  }
}

}  // namespace swoop::detail
