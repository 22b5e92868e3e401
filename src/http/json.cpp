// SPDX-License-Identifier: MIT
// JsonValue accessors, the compact JSON serializer (RFC 8259) with UTF-8 repair, and JsonWriter.
#include "swoop/json.hpp"

#include <fmt/compile.h>
#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstring>
#include <iterator>
#include <limits>
#include <stdexcept>
#include <utility>

#include "http/utf8.hpp"

namespace swoop {
namespace detail {

namespace {
const char* kind_name(JsonKind kind) noexcept {
  switch (kind) {
    case JsonKind::null:
      return "null";
    case JsonKind::boolean:
      return "a bool";
    case JsonKind::int64:
      return "a signed integer";
    case JsonKind::uint64:
      return "an unsigned integer";
    case JsonKind::float64:
      return "a double";
    case JsonKind::string:
      return "a string";
    case JsonKind::array:
      return "an array";
    case JsonKind::object:
      return "an object";
  }
  return "an unknown kind";
}
}  // namespace

void throw_json_kind_error(const char* operation, JsonKind actual) {
  throw std::logic_error(
      fmt::format("swoop::JsonValue::{}: the value is {}", operation, kind_name(actual)));
}

}  // namespace detail

// ---------------------------------------------------------------------------------------------
// Accessors

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
// Integers of either signedness compare by mathematical value.
bool integers_equal(const JsonValue& a, const JsonValue& b) noexcept {
  if (a.is_int64() && b.is_int64()) return a.as_int() == b.as_int();
  if (a.is_uint64() && b.is_uint64()) return a.as_uint() == b.as_uint();
  const JsonValue& s = a.is_int64() ? a : b;
  const JsonValue& u = a.is_int64() ? b : a;
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

// ---------------------------------------------------------------------------------------------
// Serializer

namespace {

// What a byte needs in a JSON string: 0 copy as is, 1 escape, 2 validate as UTF-8.
constexpr std::array<std::uint8_t, 256> byte_classes = [] {
  std::array<std::uint8_t, 256> table{};
  for (int c = 0; c < 0x20; ++c) table[c] = 1;
  table['"'] = 1;
  table['\\'] = 1;
  for (int c = 0x80; c < 0x100; ++c) table[c] = 2;
  return table;
}();

constexpr std::uint64_t repeat_byte(std::uint8_t b) noexcept { return 0x0101010101010101ULL * b; }

// True when one of the 8 bytes of `w` is a control character, '"', '\\' or non-ASCII: exact
// presence tests from "Bit Twiddling Hacks" (haszero / hasless with n <= 128).
constexpr bool needs_attention(std::uint64_t w) noexcept {
  constexpr std::uint64_t high = repeat_byte(0x80);
  const auto has_zero = [](std::uint64_t x) { return (x - repeat_byte(0x01)) & ~x & high; };
  const std::uint64_t below_space = (w - repeat_byte(0x20)) & ~w & high;
  const std::uint64_t quote = has_zero(w ^ repeat_byte('"'));
  const std::uint64_t backslash = has_zero(w ^ repeat_byte('\\'));
  return ((w & high) | below_space | quote | backslash) != 0;
}

// Returns the first byte in [p, end) that is not plain printable ASCII.
const char* skip_plain(const char* p, const char* end) noexcept {
  while (end - p >= 8) {
    std::uint64_t w;
    std::memcpy(&w, p, sizeof w);
    if (needs_attention(w)) break;
    p += 8;
  }
  while (p != end && byte_classes[static_cast<unsigned char>(*p)] == 0) ++p;
  return p;
}

// RFC 8259 section 7: the two-character escapes where they exist, else \u00XX.
void append_escape(std::string& out, unsigned char c) {
  switch (c) {
    case '"':
      out.append("\\\"", 2);
      return;
    case '\\':
      out.append("\\\\", 2);
      return;
    case '\b':
      out.append("\\b", 2);
      return;
    case '\t':
      out.append("\\t", 2);
      return;
    case '\n':
      out.append("\\n", 2);
      return;
    case '\f':
      out.append("\\f", 2);
      return;
    case '\r':
      out.append("\\r", 2);
      return;
    default:
      break;
  }
  constexpr char hex[] = "0123456789abcdef";
  const char escape[6] = {'\\', 'u', '0', '0', hex[c >> 4], hex[c & 0xF]};
  out.append(escape, sizeof escape);
}

void write_string(std::string& out, std::string_view s) {
  constexpr std::string_view replacement = "\xEF\xBF\xBD";  // U+FFFD
  out.push_back('"');
  const char* p = s.data();
  const char* const end = p + s.size();
  const char* run = p;  // start of the bytes not yet appended, all needing no change
  while ((p = skip_plain(p, end)) != end) {
    const auto c = static_cast<unsigned char>(*p);
    if (c >= 0x80) {
      if (const std::size_t n = detail::utf8_sequence_length(p, end); n != 0) {
        p += n;  // well-formed: stays in the run
        continue;
      }
    }
    out.append(run, static_cast<std::size_t>(p - run));
    if (c >= 0x80) {
      out.append(replacement);
    } else {
      append_escape(out, c);
    }
    run = ++p;
  }
  out.append(run, static_cast<std::size_t>(end - run));
  out.push_back('"');
}

// Doubles and floats: each in the shortest form that reads back to the same value of its type.
template <std::floating_point F>
void write_floating(std::string& out, F d) {
  if (std::isnan(d)) throw std::domain_error("swoop::write_json: NaN cannot be written as JSON");
  if (std::isinf(d)) {
    throw std::domain_error(d > 0 ? "swoop::write_json: +infinity cannot be written as JSON"
                                  : "swoop::write_json: -infinity cannot be written as JSON");
  }
  // The shortest form of a finite double takes at most 24 characters, as in
  // "-2.2250738585072014e-308" (17 significant digits, sign, point, "e-", 3 exponent digits).
  char text[32];
  const std::string_view shortest(text, fmt::format_to(text, FMT_COMPILE("{}"), d) - text);
  out.append(shortest);
  // An integral double prints as digits only; ".0" keeps it a floating-point number for
  // readers that distinguish (Python's json, for one).
  if (shortest.find_first_of(".eE") == std::string_view::npos) out.append(".0", 2);
}

void write_integer(std::string& out, auto i) {
  const fmt::format_int text(i);
  out.append(text.data(), text.size());
}

void write_value(std::string& out, const JsonValue& value);

void write_array(std::string& out, const JsonArray& array) {
  out.push_back('[');
  bool first = true;
  for (const JsonValue& element : array) {
    if (!first) out.push_back(',');
    first = false;
    write_value(out, element);
  }
  out.push_back(']');
}

void write_object(std::string& out, const JsonObject& object) {
  out.push_back('{');
  bool first = true;
  for (const JsonMember& member : object) {
    if (!first) out.push_back(',');
    first = false;
    write_string(out, member.key);
    out.push_back(':');
    write_value(out, member.value);
  }
  out.push_back('}');
}

void write_value(std::string& out, const JsonValue& value) {
  switch (value.kind()) {
    case JsonKind::null:
      out.append("null", 4);
      return;
    case JsonKind::boolean:
      value.as_bool() ? out.append("true", 4) : out.append("false", 5);
      return;
    case JsonKind::int64:
      write_integer(out, value.as_int());
      return;
    case JsonKind::uint64:
      write_integer(out, value.as_uint());
      return;
    case JsonKind::float64:
      write_floating(out, value.as_double());
      return;
    case JsonKind::string:
      write_string(out, value.as_string());
      return;
    case JsonKind::array:
      write_array(out, value.as_array());
      return;
    case JsonKind::object:
      write_object(out, value.as_object());
      return;
  }
}

}  // namespace

void write_json(std::string& out, const JsonValue& value) {
  const std::size_t old_size = out.size();
  try {
    write_value(out, value);
  } catch (...) {
    out.resize(old_size);  // strong guarantee: no partial document is left behind
    throw;
  }
}

std::string to_json(const JsonValue& value) {
  std::string out;
  write_value(out, value);
  return out;
}

// ---------------------------------------------------------------------------------------------
// JsonWriter

void JsonWriter::key(std::string_view name) {
  SWOOP_ASSERT(depth_ > 0 && !after_key_, "JsonWriter: a key outside an object or after a key");
  if (need_comma_) out_->push_back(',');
  swoop::write_string(*out_, name);
  out_->push_back(':');
  need_comma_ = false;
  after_key_ = true;
}

void JsonWriter::write_null() {
  separate();
  out_->append("null", 4);
  need_comma_ = true;
}

void JsonWriter::write_bool(bool b) {
  separate();
  b ? out_->append("true", 4) : out_->append("false", 5);
  need_comma_ = true;
}

void JsonWriter::write_int(std::int64_t i) {
  separate();
  write_integer(*out_, i);
  need_comma_ = true;
}

void JsonWriter::write_uint(std::uint64_t u) {
  separate();
  write_integer(*out_, u);
  need_comma_ = true;
}

void JsonWriter::write_double(double d) {
  separate();
  write_floating(*out_, d);
  need_comma_ = true;
}

void JsonWriter::write_float(float f) {
  separate();
  write_floating(*out_, f);
  need_comma_ = true;
}

void JsonWriter::write_string(std::string_view s) {
  separate();
  swoop::write_string(*out_, s);
  need_comma_ = true;
}

void JsonWriter::write_json_value(const JsonValue& v) {
  separate();
  write_value(*out_, v);
  need_comma_ = true;
}

void JsonWriter::write_json_object(const JsonObject& o) {
  separate();
  write_object(*out_, o);
  need_comma_ = true;
}

void JsonWriter::write_json_array(const JsonArray& a) {
  separate();
  write_array(*out_, a);
  need_comma_ = true;
}

// ---------------------------------------------------------------------------------------------
// Responses

namespace detail {
Response make_json_response(std::string body, int status, JsonResponseHeaders headers) {
  Response res = json_text(std::move(body), status);
  for (const auto& [name, value] : headers) {
    // Several headers of one name are kept (Link, Set-Cookie), but only one Content-Type.
    if (iequals(name, "Content-Type")) {
      res.set_header(name, value);
    } else {
      res.add_header(name, value);
    }
  }
  return res;
}
}  // namespace detail

Response json(const JsonValue& value, int status, JsonResponseHeaders headers) {
  return detail::make_json_response(to_json(value), status, headers);
}

}  // namespace swoop
