// SPDX-License-Identifier: MIT
// Setting<T>: an options field that knows whether the caller gave it a value.
#pragma once

#include <compare>
#include <concepts>
#include <type_traits>
#include <utility>

namespace swoop {

template <typename T>
class Setting;

namespace detail {
/// U makes the class T implicitly and is neither T nor a Setting<T>, which have constructors
/// of their own (a string literal for std::string, std::chrono::seconds for milliseconds).
template <typename U, typename T>
concept MakesSettingOf = std::is_class_v<T> && std::is_convertible_v<U&&, T> &&
                         !std::is_same_v<std::remove_cvref_t<U>, T> &&
                         !std::is_same_v<std::remove_cvref_t<U>, Setting<T>>;
/// A Setting<T> compares with a T through its own operators; numbers use the built-in ones
/// through the conversion to const T&, which an operator of its own would make ambiguous.
template <typename T>
concept ComparedAsValue = !std::is_arithmetic_v<T>;
/// The same for ordering.
template <typename T>
concept OrderedAsValue = ComparedAsValue<T> && std::three_way_comparable<T>;
}  // namespace detail

/// A field's built-in default, as written in an options struct: `Setting<int> workers =
/// defaults_to(1);`. Made by defaults_to.
template <typename T>
struct DefaultValue {
  T value;  ///< the default
};

/// The default of a Setting field: it holds value without counting as given.
template <typename T>
constexpr DefaultValue<T> defaults_to(T value) {
  return {std::move(value)};
}

/// A field of RunOptions (and of TlsOptions, Http2Options, FormLimits): a T, and whether the
/// caller gave it.
///
/// Giving a value marks it given: `.port = 9000` in a designated initializer, or
/// `options.port = 9000`. The default written in the struct (defaults_to) does not. App::run
/// fills every field not given from app.config() (the environment, SWOOP_PORT, ...), so a value
/// the caller gives wins even when it equals the default. Copies keep the mark, in braces too:
/// `.port = other.port` is given only if other's was; `.port = *other.port` gives the value.
///
/// Reading: a Setting converts to const T& (`int n = options.workers;`, `if (options.debug)`,
/// `options.max_body_size * 2`), compares with a T (`options.port == 8000`,
/// `options.request_timeout > 0ms`), and gives the T itself where a template needs it:
/// `std::max(*options.workers, 1)`, `options.host->empty()`, `fmt::format("{}", *options.port)`.
/// Example:
///     swoop::RunOptions o{.port = 8000};
///     o.port.is_given();     // true, though 8000 is the default
///     o.workers.is_given();  // false: App::run takes SWOOP_WORKERS, else 1
template <typename T>
class Setting {
 public:
  /// T's default value, not given.
  Setting() = default;
  /// The built-in default: not given.
  template <std::convertible_to<T> U>
  Setting(DefaultValue<U> fallback) : value_(std::move(fallback.value)) {}  // NOLINT: implicit
  /// A value the caller gives: marks the setting given.
  Setting(T value) : value_(std::move(value)), given_(true) {}  // NOLINT: implicit on purpose
  /// The same from anything T is made from implicitly (a string literal, std::chrono::seconds).
  template <detail::MakesSettingOf<T> U>
  Setting(U&& value) : value_(std::forward<U>(value)), given_(true) {}  // NOLINT: implicit

  /// Whether the caller gave the value (it did not come from defaults_to or Setting()).
  bool is_given() const noexcept { return given_; }
  /// The value.
  const T& value() const noexcept { return value_; }
  /// The value.
  const T& operator*() const noexcept { return value_; }
  /// The value's members: `options.host->empty()`.
  const T* operator->() const noexcept { return &value_; }
  /// The value, where a T is expected.
  operator const T&() const noexcept { return value_; }  // NOLINT: implicit on purpose

  /// Compares the values (not whether they were given).
  template <std::same_as<Setting> A, std::same_as<Setting> B>  // no conversion makes either
  friend bool operator==(const A& a, const B& b) {
    return a.value_ == b.value_;
  }
  /// Compares the value with a T (numbers compare through the conversion to const T&).
  friend bool operator==(const Setting& a, const T& b) requires detail::ComparedAsValue<T> {
    return a.value_ == b;
  }
  /// Orders the value against a T: `options.request_timeout > 0ms`.
  friend auto operator<=>(const Setting& a, const T& b) requires detail::OrderedAsValue<T> {
    return a.value_ <=> b;
  }

 private:
  T value_{};
  bool given_ = false;
};

}  // namespace swoop
