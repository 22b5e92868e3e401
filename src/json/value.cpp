// SPDX-License-Identifier: MIT
// JsonValue: accessors, comparison, and the error a wrong-kind access throws.
#include <fmt/format.h>

#include <algorithm>
#include <cstdint>
#include <limits>
#include <stdexcept>
#include <utility>

#include "swoop/json.hpp"

namespace swoop {
namespace detail {

void throw_json_kind_error(const char* operation, JsonKind actual) {
  throw std::logic_error(
      fmt::format("swoop::JsonValue::{}: the value is {}", operation, json_kind_name(actual)));
}

}  // namespace detail

// ---------------------------------------------------------------------------------------------
// Accessors

bool JsonValue::is_int64() const noexcept {
  if (const auto* u = std::get_if<std::uint64_t>(&value_)) {
    return *u <= static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max());
  }
  return kind() == JsonKind::int64;
}

bool JsonValue::is_uint64() const noexcept {
  if (const auto* i = std::get_if<std::int64_t>(&value_)) return *i >= 0;
  return kind() == JsonKind::uint64;
}

std::int64_t JsonValue::as_int() const {
  if (const auto* i = std::get_if<std::int64_t>(&value_)) return *i;
  if (const auto* u = std::get_if<std::uint64_t>(&value_)) {
    if (*u > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())) {
      throw std::out_of_range(
          fmt::format("swoop::JsonValue::as_int: {} does not fit in int64", *u));
    }
    return static_cast<std::int64_t>(*u);
  }
  detail::throw_json_kind_error("as_int", kind());
}

std::uint64_t JsonValue::as_uint() const {
  if (const auto* u = std::get_if<std::uint64_t>(&value_)) return *u;
  if (const auto* i = std::get_if<std::int64_t>(&value_)) {
    if (*i < 0) {
      throw std::out_of_range(fmt::format("swoop::JsonValue::as_uint: {} is negative", *i));
    }
    return static_cast<std::uint64_t>(*i);
  }
  detail::throw_json_kind_error("as_uint", kind());
}

const JsonValue* JsonValue::find(std::string_view key) const {
  const auto* object = std::get_if<JsonObject>(&value_);
  if (object == nullptr) detail::throw_json_kind_error("find", kind());
  for (const JsonMember& member : *object) {
    if (member.key == key) return &member.value;
  }
  return nullptr;
}

JsonValue* JsonValue::find(std::string_view key) {
  return const_cast<JsonValue*>(std::as_const(*this).find(key));
}

const JsonValue& JsonValue::operator[](std::string_view key) const {
  const JsonValue* value = find(key);
  if (value == nullptr) {
    throw std::out_of_range(fmt::format("swoop::JsonValue: no member named \"{}\"", key));
  }
  return *value;
}

JsonValue& JsonValue::operator[](std::string_view key) {
  return const_cast<JsonValue&>(std::as_const(*this)[key]);
}

const JsonValue& JsonValue::operator[](std::size_t index) const {
  const auto* array = std::get_if<JsonArray>(&value_);
  if (array == nullptr) detail::throw_json_kind_error("operator[]", kind());
  if (index >= array->size()) {
    throw std::out_of_range(fmt::format(
        "swoop::JsonValue: index {} is past the end of an array of {}", index, array->size()));
  }
  return (*array)[index];
}

JsonValue& JsonValue::operator[](std::size_t index) {
  return const_cast<JsonValue&>(std::as_const(*this)[index]);
}

void JsonValue::push_back(JsonValue value) {
  auto* array = std::get_if<JsonArray>(&value_);
  if (array == nullptr) detail::throw_json_kind_error("push_back", kind());
  array->push_back(std::move(value));
}

JsonValue& JsonValue::set(std::string_view key, JsonValue value) {
  auto* object = std::get_if<JsonObject>(&value_);
  if (object == nullptr) detail::throw_json_kind_error("set", kind());
  for (JsonMember& member : *object) {
    if (member.key == key) {
      member.value = std::move(value);
      return member.value;
    }
  }
  object->push_back(JsonMember{std::string(key), std::move(value)});
  return object->back().value;
}

std::size_t JsonValue::size() const {
  if (const auto* array = std::get_if<JsonArray>(&value_)) return array->size();
  if (const auto* object = std::get_if<JsonObject>(&value_)) return object->size();
  detail::throw_json_kind_error("size", kind());
}

namespace {
// Integers of either kind compare by mathematical value.
bool integers_equal(const JsonValue& a, const JsonValue& b) noexcept {
  if (a.kind() == b.kind()) {
    return a.kind() == JsonKind::int64 ? a.as_int() == b.as_int() : a.as_uint() == b.as_uint();
  }
  const JsonValue& s = a.kind() == JsonKind::int64 ? a : b;
  const JsonValue& u = a.kind() == JsonKind::int64 ? b : a;
  return s.as_int() >= 0 && static_cast<std::uint64_t>(s.as_int()) == u.as_uint();
}
}  // namespace

bool operator==(const JsonValue& a, const JsonValue& b) noexcept {
  if (a.is_integer() && b.is_integer()) return integers_equal(a, b);
  if (a.kind() != b.kind()) return false;
  switch (a.kind()) {
    case JsonKind::null:
      return true;
    case JsonKind::boolean:
      return a.as_bool() == b.as_bool();
    case JsonKind::float64:
      return a.as_double() == b.as_double();
    case JsonKind::string:
      return a.as_string() == b.as_string();
    case JsonKind::array:
      return a.as_array() == b.as_array();
    case JsonKind::object: {
      const JsonObject& x = a.as_object();
      const JsonObject& y = b.as_object();
      return std::equal(x.begin(), x.end(), y.begin(), y.end(),
                        [](const JsonMember& m, const JsonMember& n) {
                          return m.key == n.key && m.value == n.value;
                        });
    }
    default:
      return false;  // int64 and uint64 are handled above.
  }
}

}  // namespace swoop
