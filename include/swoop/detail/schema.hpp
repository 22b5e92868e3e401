// SPDX-License-Identifier: MIT
// The JSON Schema (2020-12, as OpenAPI 3.1 uses it) of a described type: what swoop reads and
// writes, with the description's constraints. Described structs, enums and variants become
// named components, referenced where they are used.
#pragma once

#include <cstdint>
#include <limits>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include "swoop/describe.hpp"
#include "swoop/json.hpp"

namespace swoop::detail {

class SchemaSet;

/// Builds the schema of one type into a SchemaSet. With `expand`, a described struct gives its
/// own object schema instead of a reference (query and header parameters list its fields).
using SchemaFn = JsonValue (*)(SchemaSet& set, bool expand);

/// The components a document's schemas refer to, by name, in the order they were first used.
///
/// Thread safety: a plain value, built by one thread.
class SchemaSet {
 public:
  /// The reference to the component of the type identified by id (built with build on its
  /// first use; a recursive type refers to itself). Throws std::logic_error when another type
  /// is already published under the same name.
  JsonValue ref(const void* id, std::string_view name, JsonValue (*build)(SchemaSet&));
  /// The components built so far, as `components/schemas` holds them.
  const JsonObject& components() const noexcept { return components_; }

 private:
  std::vector<std::pair<const void*, std::string>> owners_;  // id -> the name it took
  JsonObject components_;
};

/// A type's name as the compiler spells it ("shop::Item").
template <typename T>
constexpr std::string_view spelled_name() {
  return __PRETTY_FUNCTION__;
}
/// The component name of a type: what its description calls it (`name` in describe<T>, or a
/// `json_name` member), else its C++ name without namespaces ("Page<shop::Item>" -> "Page_Item").
std::string component_name(std::string_view pretty, std::string_view declared);
/// Parses JSON written by to_json (a field's default value).
JsonValue parse_default(std::string_view json);

template <typename T>
inline constexpr char type_id = 0;
template <typename T>
inline constexpr bool is_range = false;
template <typename N>
inline constexpr bool is_range<Range<N>> = true;
template <typename T>
inline constexpr bool is_one_of = false;
template <std::size_t N>
inline constexpr bool is_one_of<OneOf<N>> = true;

template <typename T>
std::string schema_name() {
  if constexpr (requires { std::string_view{describe<T>::name}; }) {
    return component_name({}, describe<T>::name);
  } else if constexpr (requires { std::string_view{T::json_name}; }) {
    return component_name({}, T::json_name);
  } else if constexpr (DescribedVariant<T>) {
    std::string name;  // "Card_or_Transfer"
    [&]<std::size_t... I>(std::index_sequence<I...>) {
      ((name += (I == 0 ? "" : "_or_") + schema_name<std::variant_alternative_t<I, T>>()), ...);
    }
    (std::make_index_sequence<std::variant_size_v<T>>{});
    return name;
  } else {
    return component_name(spelled_name<T>(), {});
  }
}

template <typename T>
JsonValue schema_of(SchemaSet& set);

/// Adds what a constraint says to the schema of the value it applies to.
template <typename Check>
void constrain(JsonObject& schema, const Check& check) {
  auto set = [&schema](std::string_view key, JsonValue value) {
    for (auto& [k, v] : schema) {
      if (k == key) return void(v = std::move(value));
    }
    schema.push_back({std::string{key}, std::move(value)});
  };
  if constexpr (is_range<Check>) {
    set("minimum", check.min);
    set("maximum", check.max);
  } else if constexpr (std::same_as<Check, Length>) {
    set("minLength", check.min);
    set("maxLength", check.max);
  } else if constexpr (std::same_as<Check, Pattern>) {
    set("pattern", check.regex);
  } else if constexpr (std::same_as<Check, MaxItems>) {
    const bool object = !schema.empty() && schema.front().value.is_string() &&
                        schema.front().value.as_string() == "object";
    set(object ? "maxProperties" : "maxItems", check.max);
  } else if constexpr (is_one_of<Check>) {
    JsonArray names;
    for (std::string_view c : check.choices) names.emplace_back(c);
    set("enum", std::move(names));
  }
}

template <typename T>
JsonObject integer_schema() {
  JsonObject s{{"type", "integer"}};
  if constexpr (std::same_as<T, std::int32_t>) {
    s.push_back({"format", "int32"});
  } else if constexpr (std::same_as<T, std::int64_t> || std::same_as<T, long long>) {
    s.push_back({"format", "int64"});
  } else if constexpr (sizeof(T) >= 8) {
    s.push_back({"minimum", 0});  // an unsigned 64-bit integer: its maximum is not portable
  } else {
    s.push_back({"minimum", std::numeric_limits<T>::min()});
    s.push_back({"maximum", std::numeric_limits<T>::max()});
  }
  return s;
}

/// Whether a field's checks add keywords to its schema (has_default does not).
template <typename Tuple>
inline constexpr bool says_more = false;
template <typename... Checks>
inline constexpr bool says_more<std::tuple<Checks...>> = (!std::same_as<Checks, HasDefault> || ...);

/// `T or null`: a type list when the schema has one type, else anyOf.
inline JsonValue nullable(JsonValue schema) {
  JsonObject& o = schema.as_object();
  if (!o.empty() && o.front().key == "type" && o.front().value.is_string()) {
    o.front().value = JsonArray{o.front().value, "null"};
    return schema;
  }
  return JsonObject{{"anyOf", JsonArray{std::move(schema), JsonObject{{"type", "null"}}}}};
}

/// The schema of one described member: its type's, with its constraints, nullable when the
/// member may be null, and its default when it has one.
template <typename C, typename F>
JsonValue field_schema(SchemaSet& set, const F& field) {
  using M = typename F::Member;
  JsonValue schema;
  if constexpr (is_optional<M> || is_patch<M>) {
    schema = schema_of<typename M::value_type>(set);
  } else {
    schema = schema_of<M>(set);
  }
  const bool constrained = says_more<decltype(field.checks)>;
  if (constrained && schema.find("$ref") != nullptr) {
    schema = JsonObject{{"allOf", JsonArray{std::move(schema)}}};
  }
  std::apply([&](const auto&... check) { (constrain(schema.as_object(), check), ...); },
             field.checks);
  if constexpr (is_optional<M> || is_patch<M>) schema = nullable(std::move(schema));
  if constexpr (std::is_default_constructible_v<C>) {
    if constexpr (!F::required && !is_patch<M>) {
      const C defaults{};
      schema.as_object().push_back({"default", parse_default(to_json(defaults.*field.member))});
    }
  }
  return schema;
}

template <typename T>
JsonObject struct_schema(SchemaSet& set, std::string_view tag = {}, std::string_view name = {}) {
  JsonObject properties;
  JsonArray required;
  if (!tag.empty()) {
    properties.push_back({std::string{tag}, JsonObject{{"const", name}}});
    required.emplace_back(tag);
  }
  auto add = [&](const auto& f) {
    properties.push_back({std::string{f.name}, field_schema<T>(set, f)});
    if (std::remove_cvref_t<decltype(f)>::required) required.emplace_back(f.name);
  };
  std::apply([&](const auto&... f) { (add(f), ...); }, describe<T>::fields);
  JsonObject s{{"type", "object"}, {"properties", std::move(properties)}};
  if (!required.empty()) s.push_back({"required", std::move(required)});
  if constexpr (requires { describe<T>::reject_unknown_fields; }) {
    if (describe<T>::reject_unknown_fields) s.push_back({"additionalProperties", false});
  }
  return s;
}

template <typename T>
JsonValue component(SchemaSet& set) {
  if constexpr (DescribedEnum<T>) {
    JsonArray names;
    for (std::string_view n : enum_names<T>) names.emplace_back(n);
    return JsonObject{{"type", "string"}, {"enum", std::move(names)}};
  } else if constexpr (DescribedVariant<T>) {
    JsonArray alternatives;
    [&]<std::size_t... I>(std::index_sequence<I...>) {
      (alternatives.emplace_back(struct_schema<std::variant_alternative_t<I, T>>(
           set, describe<T>::tag, describe<T>::names[I])),
       ...);
    }
    (std::make_index_sequence<std::variant_size_v<T>>{});
    return JsonObject{{"oneOf", std::move(alternatives)}};
  } else {
    return struct_schema<T>(set);
  }
}

/// The schema of T: inline for scalars and containers, a reference for described types.
template <typename T>
JsonValue schema_of(SchemaSet& set) {
  if constexpr (std::same_as<T, bool>) {
    return JsonObject{{"type", "boolean"}};
  } else if constexpr (std::same_as<T, std::string>) {
    return JsonObject{{"type", "string"}};
  } else if constexpr (std::integral<T>) {
    return integer_schema<T>();
  } else if constexpr (std::floating_point<T>) {
    return JsonObject{{"type", "number"}, {"format", std::same_as<T, float> ? "float" : "double"}};
  } else if constexpr (is_optional<T>) {
    return nullable(schema_of<typename T::value_type>(set));
  } else if constexpr (is_vector<T>) {
    return JsonObject{{"type", "array"}, {"items", schema_of<typename T::value_type>(set)}};
  } else if constexpr (is_string_map<T>) {
    return JsonObject{{"type", "object"},
                      {"additionalProperties", schema_of<typename T::mapped_type>(set)}};
  } else if constexpr (DescribedStruct<T> || DescribedEnum<T> || DescribedVariant<T>) {
    return set.ref(&type_id<T>, schema_name<T>(), [](SchemaSet& s) { return component<T>(s); });
  } else {
    static_assert(always_false<T>, "swoop: this type has no JSON schema; describe it");
  }
}

/// A SchemaFn for T.
template <typename T>
JsonValue build_schema(SchemaSet& set, bool expand) {
  if constexpr (DescribedStruct<T>) {
    if (expand) return struct_schema<T>(set);
  }
  return schema_of<T>(set);
}

}  // namespace swoop::detail
