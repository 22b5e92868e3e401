// SPDX-License-Identifier: MIT
// How swoop/describe.hpp reads typed values: JSON into described structs, variants and enums
// and the standard containers, and text (query strings, forms, headers) into flat structs,
// recording every issue on the way. Included at the end of describe.hpp.
#pragma once

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
#include <variant>
#include <vector>

#include "swoop/describe.hpp"
#include "swoop/form.hpp"
#include "swoop/headers.hpp"

namespace swoop::detail {

template <typename T>
inline constexpr bool is_string_map = false;
template <typename T>
inline constexpr bool is_string_map<std::map<std::string, T>> = true;
template <typename T>
inline constexpr bool is_range_check = false;
template <typename N>
inline constexpr bool is_range_check<Range<N>> = true;

void read_value(const JsonView& json, bool& out, Validator& v);
void read_value(const JsonView& json, std::string& out, Validator& v);
void read_value(const JsonView& json, double& out, Validator& v);
void read_value(const JsonView& json, float& out, Validator& v);
/// An integer within [min, max]; false (and an issue) when it is not.
bool read_integer(const JsonView& json, std::int64_t min, std::int64_t max, std::int64_t& out,
                  Validator& v);
bool read_unsigned(const JsonView& json, std::uint64_t max, std::uint64_t& out, Validator& v);
/// The string naming one of names, as its index; false (and an issue) when it names none.
bool read_enum(const JsonView& json, const std::string_view* names, std::size_t count,
               std::size_t& index, Validator& v);
/// The index of key in names; count when it is not there.
std::size_t index_of(const std::string_view* names, std::size_t count,
                     std::string_view key) noexcept;
/// Records that the member at hand appeared before in its object (only the first is read).
void fail_duplicate(Validator& v);

template <typename T>
concept RejectsUnknown = requires {
  { describe<T>::reject_unknown_fields } -> std::convertible_to<bool>;
}
&&describe<T>::reject_unknown_fields;

template <typename T>
void read_value(const JsonView& json, T& out, Validator& v);

template <typename Check, typename M>
void check_value(const Check& check, const M& member, Validator& v) {
  if constexpr (is_optional<M> || is_patch<M>) {
    if (member.has_value()) check.check(*member, v);
  } else {
    check.check(member, v);
  }
}

// Applies a field's constraints to its member once its value was read (`before`: the count
// of issues before), in order, up to the first that fails (a length before a pattern keeps a
// long string from being searched). A value read with an issue is not checked further, except
// that a list or map read as a whole (`collection`: its elements had the issues) still gets
// max_items (both mistakes told at once), and a number outside its type is told the field's
// declared range rather than the type's. JSON bodies, query strings, forms and headers alike.
template <typename F, typename M>
void check_member(const F& field, const M& member, bool collection, std::size_t before,
                  Validator& v) {
  const bool clean = v.count() == before;
  const bool whole = clean || collection;
  const std::size_t read = v.count();
  auto one = [&](const auto& check) {
    using Check = std::decay_t<decltype(check)>;
    if (v.count() != read) return;  // a constraint failed already
    if constexpr (std::same_as<Check, HasDefault>) {
      return;
    } else if constexpr (std::same_as<Check, MaxItems>) {
      if (whole) check_value(check, member, v);
    } else if (clean) {
      check_value(check, member, v);
    } else if constexpr (is_range_check<Check>) {
      v.restate(before, "range", check.message());
    }
  };
  std::apply([&](const auto&... checks) { (one(checks), ...); }, field.checks);
}

// The field names of a described struct, in description order.
template <DescribedStruct C>
struct FieldNames {
  static constexpr std::size_t count =
      std::tuple_size_v<std::decay_t<decltype(describe<C>::fields)>>;
  static constexpr auto names =
      std::apply([](const auto&... f) { return std::array<std::string_view, count>{f.name...}; },
                 describe<C>::fields);
};

template <std::size_t I, typename C>
void read_field(const JsonView& json, C& out, Validator& v) {
  const auto& field = std::get<I>(describe<C>::fields);
  auto& member = out.*field.member;
  const std::size_t before = v.count();
  if constexpr (is_patch<std::decay_t<decltype(member)>>) {
    if (json.is_null()) {
      member.set_null();
    } else {
      read_value(json, member.emplace(), v);
    }
  } else {
    read_value(json, member, v);
  }
  check_member(field, member, json.is_array() || json.is_object(), before, v);
}

template <typename C, std::size_t... I>
void read_field_at(std::size_t i, const JsonView& json, C& out, Validator& v,
                   std::index_sequence<I...>) {
  (void)((i == I && (read_field<I>(json, out, v), true)) || ...);
}

template <typename C, std::size_t... I>
void require_fields(const bool* seen, Validator& v, std::index_sequence<I...>) {
  auto one = [&](std::size_t i, const auto& field) {
    if (seen[i] || !std::decay_t<decltype(field)>::required) return;
    Validator::Step step{v, field.name};
    v.fail("missing", "is required");
  };
  (one(I, std::get<I>(describe<C>::fields)), ...);
}

/// Reads an object's members into a described struct in document order: each once (a
/// repeated member is an issue: parsers disagree on which one counts), unknown ones ignored
/// or refused, then an issue for each required field that was missing. tag: a variant's tag
/// member, read already, which the struct does not describe.
template <DescribedStruct C>
void read_struct(const JsonView& json, C& out, Validator& v, std::string_view tag = {}) {
  using Names = FieldNames<C>;
  constexpr auto indices = std::make_index_sequence<Names::count>{};
  std::array<bool, Names::count> seen{};
  bool tag_seen = false;
  for (const auto [key, value] : json.members()) {
    const std::size_t i = index_of(Names::names.data(), Names::count, key);
    Validator::Step step{v, key};
    if (i < Names::count) {
      if (seen[i]) {
        fail_duplicate(v);
      } else {
        seen[i] = true;
        read_field_at(i, value, out, v, indices);
      }
    } else if (!tag.empty() && key == tag) {
      if (std::exchange(tag_seen, true)) fail_duplicate(v);
    } else if constexpr (RejectsUnknown<C>) {
      v.fail("unknown_field", "is not a field of this object");
    }
  }
  require_fields<C>(seen.data(), v, indices);
}

template <DescribedVariant T>
void read_variant(const JsonView& json, T& out, Validator& v) {
  constexpr auto& names = describe<T>::names;
  constexpr std::size_t count = std::variant_size_v<T>;
  static_assert(std::size(names) == count,
                "swoop::describe of a std::variant: one name per alternative, in order");
  if (!json.is_object()) return fail_kind(v, "an object", json);
  const std::string_view tag = describe<T>::tag;
  std::size_t index = 0;
  {
    Validator::Step step{v, tag};
    const std::optional<JsonView> found = json.find(tag);
    if (!found) return v.fail("missing", "is required");
    if (!read_enum(*found, names, count, index, v)) return;
  }
  [&]<std::size_t... I>(std::index_sequence<I...>) {
    (void)((index == I && (read_struct(json, out.template emplace<I>(), v, tag), true)) || ...);
  }
  (std::make_index_sequence<count>{});
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
    constexpr auto& names = enum_names<T>;
    std::size_t index = 0;
    if (read_enum(json, names.data(), names.size(), index, v)) {
      out = describe<T>::values[index].first;
    }
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
      read_value(element, out.emplace_back(), v);
    }
  } else if constexpr (is_string_map<T>) {
    if (!json.is_object()) return fail_kind(v, "an object", json);
    out.clear();
    for (const auto [key, value] : json.members()) {
      Validator::Step step{v, key};
      auto [it, inserted] = out.try_emplace(std::string{key});
      if (inserted) {
        read_value(value, it->second, v);
      } else {
        fail_duplicate(v);
      }
    }
  } else if constexpr (DescribedStruct<T>) {
    if (!json.is_object()) return fail_kind(v, "an object", json);
    read_struct(json, out, v);
  } else if constexpr (DescribedVariant<T>) {
    read_variant(json, out, v);
  } else {
    static_assert(always_false<T>,
                  "swoop: this type cannot be read from JSON. Describe it (template <> struct "
                  "swoop::describe<T> with fields, or values for an enum), or use bool, an "
                  "integer, float, double, std::string, std::optional, std::vector, "
                  "std::map<std::string, T>");
  }
}

/// Reads one value of a query string, form field or header into out: a string, bool, number
/// or described enum; records an issue when it is not one.
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
    constexpr auto& names = enum_names<T>;
    const std::size_t i = index_of(names.data(), names.size(), text);
    if (i < names.size()) {
      out = describe<T>::values[i].first;
    } else {
      v.fail("enum", one_of_message(names.data(), names.size()));
    }
  } else {
    static_assert(always_false<T>,
                  "swoop: a query parameter, form field or header is read as a string, bool, "
                  "number or described enum (or a std::optional or std::vector of one)");
  }
}

/// Reads one field of a flat struct from text values: values_of(name, list) gives the values
/// of the parameter (every one when list, for a std::vector field).
template <typename F, typename C, typename ValuesOf>
void read_text_field(const ValuesOf& values_of, const F& field, C& out, Validator& v) {
  using M = std::decay_t<decltype(out.*field.member)>;
  auto& member = out.*field.member;
  const std::vector<std::string_view> values = values_of(field.name, is_vector<M>);
  Validator::Step step{v, field.name, Validator::Verbatim{}};
  const std::size_t before = v.count();
  if constexpr (is_vector<M>) {
    member.clear();
    for (std::size_t i = 0; i < values.size(); ++i) {
      Validator::Step element{v, i};
      read_text(values[i], member.emplace_back(), v);
    }
  } else if (values.empty()) {
    if constexpr (F::required) v.fail("missing", "is required");
    return;
  } else if constexpr (is_optional<M>) {
    read_text(values.front(), member.emplace(), v);
  } else {
    read_text(values.front(), member, v);
  }
  check_member(field, member, is_vector<M>, before, v);
}

/// A flat described struct read from text values (see read_text_field); throws
/// ValidationError listing every issue.
template <typename T, typename ValuesOf>
T read_text_fields(const ValuesOf& values_of) {
  static_assert(DescribedStruct<T>,
                "swoop: req.query<T>(), req.form<T>() and req.headers<T>() read a described "
                "struct");
  T out{};
  Validator v;
  std::apply([&](const auto&... f) { (read_text_field(values_of, f, out, v), ...); },
             describe<T>::fields);
  std::move(v).check();
  return out;
}

/// The values of a header for a typed field: a list field also splits each line at commas
/// (RFC 9110 5.3: repeated lines are one comma-separated list).
std::vector<std::string_view> header_values(const RequestHeaders& headers, std::string_view name,
                                            bool list);

}  // namespace swoop::detail

namespace swoop {

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
  const QueryArgs& query = args();
  return detail::read_text_fields<T>(
      [&](std::string_view name, bool) { return query.get_all(name); });
}

template <typename T>
T Request::form() const {
  const FormData& fields = form();
  return detail::read_text_fields<T>(
      [&](std::string_view name, bool) { return fields.get_all(name); });
}

template <typename T>
T Request::headers() const {
  return detail::read_text_fields<T>([&](std::string_view name, bool list) {
    return detail::header_values(headers_, name, list);
  });
}

}  // namespace swoop
