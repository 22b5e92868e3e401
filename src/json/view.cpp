// SPDX-License-Identifier: MIT
// JsonView: typed reads from simdjson's tape, with 400 errors that name the value's path.
#include <fmt/format.h>

#include <cmath>
#include <string>

#include "json/document.hpp"
#include "swoop/error.hpp"
#include "swoop/json_view.hpp"

namespace swoop {

namespace {

// simdjson's DOM is a tape of 64-bit words; dom::element is a tape_ref (document, index) with
// private access only, so views keep (document, index) and read the tape through tape_ref.
// Its layout is documented in simdjson's doc/tape.md; Debian 12 ships simdjson 3.0.1.
using Tape = simdjson::internal::tape_ref;
using simdjson::internal::tape_type;

Tape tape(const detail::JsonDocument* document, std::size_t index) noexcept {
  return Tape{document->dom, index};
}

// The index of the closing bracket of the array or object at `index`.
std::size_t close_index(const detail::JsonDocument* document, std::size_t index) noexcept {
  return tape(document, index).after_element() - 1;
}

}  // namespace

namespace detail {

const char* json_kind_name(JsonKind kind) noexcept {
  switch (kind) {
    case JsonKind::null:
      return "null";
    case JsonKind::boolean:
      return "a boolean";
    case JsonKind::int64:
    case JsonKind::uint64:
      return "an integer";
    case JsonKind::float64:
      return "a decimal number";
    case JsonKind::string:
      return "a string";
    case JsonKind::array:
      return "an array";
    case JsonKind::object:
      return "an object";
  }
  return "an unknown value";
}

namespace {

bool is_identifier(std::string_view key) noexcept {
  if (key.empty() || (key.front() >= '0' && key.front() <= '9')) return false;
  for (const char c : key) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '_' || c == '$';
    if (!ok) return false;
  }
  return true;
}

}  // namespace

// Keys are shown as `.name` when they are identifiers, else as `['any key']`, escaped and cut
// to about 64 bytes (at a UTF-8 boundary: simdjson validated the key) so that a client cannot
// make the message huge.
void append_path_key(std::string& path, std::string_view key) {
  if (is_identifier(key) && key.size() <= 64) {
    if (!path.empty()) path.push_back('.');
    path.append(key);
    return;
  }
  path.append("['");
  std::size_t shown = 0;
  for (; shown < key.size() && shown < 64; ++shown) {
    const auto c = static_cast<unsigned char>(key[shown]);
    if (c == '\'' || c == '\\') {
      path.push_back('\\');
      path.push_back(static_cast<char>(c));
    } else if (c < 0x20) {
      fmt::format_to(std::back_inserter(path), "\\u{:04x}", c);
    } else {
      path.push_back(static_cast<char>(c));
    }
  }
  while (shown < key.size() && (static_cast<unsigned char>(key[shown]) & 0xC0) == 0x80) {
    path.push_back(key[shown++]);
  }
  if (shown < key.size()) path.append("...");
  path.append("']");
}

void append_path_index(std::string& path, std::size_t index) {
  fmt::format_to(std::back_inserter(path), "[{}]", index);
}

}  // namespace detail

namespace {

// The path from the root to the value at `target`, found by walking down from the root: only
// error messages need it, so views do not carry it.
std::string path_to(const detail::JsonDocument* document, std::size_t target) {
  std::string path;
  std::size_t current = detail::json_root_index;
  while (current != target) {
    const tape_type type = tape(document, current).tape_ref_type();
    const std::size_t close = close_index(document, current);
    if (type == tape_type::START_ARRAY) {
      std::size_t child = current + 1, position = 0;
      for (; child < close; ++position) {
        const std::size_t next = tape(document, child).after_element();
        if (next > target) break;
        child = next;
      }
      if (child >= close) break;
      detail::append_path_index(path, position);
      current = child;
    } else if (type == tape_type::START_OBJECT) {
      std::size_t key = current + 1;
      for (; key < close;) {
        const std::size_t next = tape(document, key + 1).after_element();
        if (next > target) break;
        key = next;
      }
      if (key >= close) break;
      detail::append_path_key(path, tape(document, key).get_string_view());
      current = key + 1;
    } else {
      break;
    }
  }
  return path;
}

std::string subject(const detail::JsonDocument* document, std::size_t index) {
  if (index == detail::json_root_index) return "the JSON body";
  return fmt::format("field \"{}\"", path_to(document, index));
}

[[noreturn]] void throw_client_error(std::string message) {
  throw HttpError{400, std::move(message), {}, true};
}

[[noreturn]] void throw_missing(const detail::JsonDocument* document, std::size_t parent,
                                std::string_view key, std::size_t index, bool is_key) {
  std::string path = parent == detail::json_root_index ? std::string{} : path_to(document, parent);
  if (is_key) {
    detail::append_path_key(path, key);
  } else {
    detail::append_path_index(path, index);
  }
  throw_client_error(fmt::format("missing field \"{}\"", path));
}

}  // namespace

// ---------------------------------------------------------------------------------------------
// Kinds

JsonKind JsonView::kind() const noexcept {
  switch (tape(document_, index_).tape_ref_type()) {
    case tape_type::TRUE_VALUE:
    case tape_type::FALSE_VALUE:
      return JsonKind::boolean;
    case tape_type::INT64:
      return JsonKind::int64;
    case tape_type::UINT64:
      return JsonKind::uint64;
    case tape_type::DOUBLE:
      return JsonKind::float64;
    case tape_type::STRING:
      return JsonKind::string;
    case tape_type::START_ARRAY:
      return JsonKind::array;
    case tape_type::START_OBJECT:
      return JsonKind::object;
    default:
      return JsonKind::null;
  }
}

bool JsonView::is_uint64() const noexcept {
  const Tape t = tape(document_, index_);
  if (t.is_uint64()) return true;
  return t.is_int64() && t.next_tape_value<std::int64_t>() >= 0;
}

void JsonView::reject(std::string_view requirement) const {
  throw_client_error(fmt::format("{} {}", subject(document_, index_), requirement));
}

std::string JsonView::path() const { return path_to(document_, index_); }

namespace {
[[noreturn]] void throw_kind(const JsonView& view, const char* expected) {
  view.reject(fmt::format("must be {}, not {}", expected, detail::json_kind_name(view.kind())));
}
}  // namespace

// ---------------------------------------------------------------------------------------------
// Scalars

bool JsonView::get_bool() const {
  const Tape t = tape(document_, index_);
  if (t.is_true()) return true;
  if (t.is_false()) return false;
  throw_kind(*this, "a boolean");
}

std::int64_t JsonView::get_int(std::int64_t min, std::int64_t max) const {
  const Tape t = tape(document_, index_);
  if (!t.is_int64() && !t.is_uint64()) throw_kind(*this, "an integer");
  if (t.is_int64()) {
    const auto i = t.next_tape_value<std::int64_t>();
    if (i >= min && i <= max) return i;
  }
  reject(fmt::format("must be an integer from {} to {}", min, max));
}

std::uint64_t JsonView::get_uint(std::uint64_t max) const {
  const Tape t = tape(document_, index_);
  if (!t.is_int64() && !t.is_uint64()) throw_kind(*this, "an integer");
  if (t.is_uint64()) {
    const auto u = t.next_tape_value<std::uint64_t>();
    if (u <= max) return u;
  } else if (const auto i = t.next_tape_value<std::int64_t>(); i >= 0) {
    if (static_cast<std::uint64_t>(i) <= max) return static_cast<std::uint64_t>(i);
  }
  reject(fmt::format("must be an integer from 0 to {}", max));
}

double JsonView::get_double() const {
  const Tape t = tape(document_, index_);
  if (t.is_double()) return t.next_tape_value<double>();
  if (t.is_int64()) return static_cast<double>(t.next_tape_value<std::int64_t>());
  if (t.is_uint64()) return static_cast<double>(t.next_tape_value<std::uint64_t>());
  throw_kind(*this, "a number");
}

float JsonView::get_float() const {
  const double d = get_double();
  if (std::fabs(d) > static_cast<double>(std::numeric_limits<float>::max())) {
    reject("must be a number within the range of a 32-bit float");
  }
  return static_cast<float>(d);
}

std::string_view JsonView::get_string() const {
  const Tape t = tape(document_, index_);
  if (t.tape_ref_type() != tape_type::STRING) throw_kind(*this, "a string");
  return t.get_string_view();
}

JsonValue JsonView::to_value() const {
  switch (kind()) {
    case JsonKind::null:
      return nullptr;
    case JsonKind::boolean:
      return get_bool();
    case JsonKind::int64:
      return tape(document_, index_).next_tape_value<std::int64_t>();
    case JsonKind::uint64:
      return tape(document_, index_).next_tape_value<std::uint64_t>();
    case JsonKind::float64:
      return get_double();
    case JsonKind::string:
      return get_string();
    case JsonKind::array: {
      JsonArray array;
      for (const JsonView element : elements()) array.push_back(element.to_value());
      return array;
    }
    case JsonKind::object: {
      JsonObject object;
      for (const auto& [key, value] : members()) {
        object.push_back(JsonMember{std::string{key}, value.to_value()});
      }
      return object;
    }
  }
  return nullptr;
}

// ---------------------------------------------------------------------------------------------
// Arrays and objects

JsonView JsonView::operator[](std::string_view key) const {
  if (std::optional<JsonView> member = find(key)) return *member;
  throw_missing(document_, index_, key, 0, true);
}

JsonView JsonView::operator[](std::size_t index) const {
  std::size_t position = 0;
  for (const JsonView element : elements()) {
    if (position++ == index) return element;
  }
  throw_missing(document_, index_, {}, index, false);
}

std::optional<JsonView> JsonView::find(std::string_view key) const {
  for (const auto& member : members()) {
    if (member.key == key) return member.value;
  }
  return std::nullopt;
}

std::size_t JsonView::size() const {
  const Tape t = tape(document_, index_);
  const tape_type type = t.tape_ref_type();
  if (type != tape_type::START_ARRAY && type != tape_type::START_OBJECT) {
    throw_kind(*this, "an array or an object");
  }
  // The count saturates at 0xFFFFFF (simdjson's tape format); count larger ones.
  const std::size_t count = t.scope_count();
  if (count < simdjson::internal::JSON_COUNT_MASK) return count;
  std::size_t n = 0;
  if (type == tape_type::START_ARRAY) {
    for (auto it = elements().begin(); it != elements().end(); ++it) ++n;
  } else {
    for (auto it = members().begin(); it != members().end(); ++it) ++n;
  }
  return n;
}

JsonElements JsonView::elements() const {
  if (tape(document_, index_).tape_ref_type() != tape_type::START_ARRAY) {
    throw_kind(*this, "an array");
  }
  return JsonElements{document_, index_ + 1, close_index(document_, index_)};
}

JsonMembers JsonView::members() const {
  if (tape(document_, index_).tape_ref_type() != tape_type::START_OBJECT) {
    throw_kind(*this, "an object");
  }
  return JsonMembers{document_, index_ + 1, close_index(document_, index_)};
}

JsonElements::iterator& JsonElements::iterator::operator++() noexcept {
  index_ = tape(document_, index_).after_element();
  return *this;
}

JsonViewMember JsonMembers::iterator::operator*() const noexcept {
  return {tape(document_, index_).get_string_view(),
          detail::JsonViewAccess::make(document_, index_ + 1)};
}

JsonMembers::iterator& JsonMembers::iterator::operator++() noexcept {
  index_ = tape(document_, index_ + 1).after_element();
  return *this;
}

// ---------------------------------------------------------------------------------------------
// Writing

void to_json(JsonWriter& writer, const JsonView& view) {
  switch (view.kind()) {
    case JsonKind::null:
      writer.value(nullptr);
      return;
    case JsonKind::boolean:
      writer.value(view.get<bool>());
      return;
    case JsonKind::int64:
      writer.value(view.get<std::int64_t>());
      return;
    case JsonKind::uint64:
      writer.value(view.get<std::uint64_t>());
      return;
    case JsonKind::float64:
      writer.value(view.get<double>());
      return;
    case JsonKind::string:
      writer.value(view.get<std::string_view>());
      return;
    case JsonKind::array:
      writer.begin_array();
      for (const JsonView element : view.elements()) to_json(writer, element);
      writer.end_array();
      return;
    case JsonKind::object:
      writer.begin_object();
      for (const auto& [key, value] : view.members()) {
        writer.key(key);
        to_json(writer, value);
      }
      writer.end_object();
      return;
  }
}

}  // namespace swoop
