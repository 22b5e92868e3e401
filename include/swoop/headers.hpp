// SPDX-License-Identifier: MIT
// Header fields: case-insensitive, multi-valued, in wire order.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace swoop {

namespace detail {
struct Access;
}

/// Compares two header names ASCII case-insensitively.
bool iequals(std::string_view a, std::string_view b) noexcept;

/// Whether a header value contains a byte that could split or end a header (CR, LF or NUL).
bool has_header_breaking_char(std::string_view value) noexcept;

/// Whether name is a valid header field name (an RFC 9110 token).
bool is_token(std::string_view name) noexcept;

/// Header fields as (name, value) pairs, in order, names as written: the headers a Client
/// sends and receives, those an HttpError adds to its response, the extra headers of json(),
/// and those of a TestClient's requests and responses.
/// Example:
///     throw swoop::HttpError{401, "sign in", {{"WWW-Authenticate", "Bearer"}}};
using HeaderList = std::vector<std::pair<std::string, std::string>>;

/// Headers of a response (or of a request being built): owned, case-insensitive, multi-valued.
///
/// Order is kept as added. Names must be tokens and values free of CR, LF and NUL: anything
/// else throws std::invalid_argument, so a header can never be injected.
class Headers {
 public:
  /// One field, as written on the wire.
  struct Field {
    /// The field name, as given.
    std::string name;
    /// The field value.
    std::string value;
  };

  /// Replaces every field called name with one field.
  void set(std::string_view name, std::string_view value);
  /// Adds a field, keeping the ones already there (Set-Cookie, Vary, ...).
  void add(std::string_view name, std::string_view value);
  /// Removes every field called name; returns how many were removed.
  std::size_t remove(std::string_view name) noexcept;
  /// The first value of name.
  std::optional<std::string_view> get(std::string_view name) const noexcept;
  /// Every value of name, in order.
  std::vector<std::string_view> get_all(std::string_view name) const;
  /// The same as get_all() (Flask's and Sanic's name).
  std::vector<std::string_view> getlist(std::string_view name) const { return get_all(name); }
  /// Whether a field called name exists.
  bool contains(std::string_view name) const noexcept { return get(name).has_value(); }

  /// The number of fields.
  std::size_t size() const noexcept { return fields_.size(); }
  /// Whether there are no fields.
  bool empty() const noexcept { return fields_.empty(); }
  /// An iterator to the first Field, in the order added.
  auto begin() const noexcept { return fields_.begin(); }
  /// The iterator past the last Field.
  auto end() const noexcept { return fields_.end(); }

 private:
  friend class Response;
  // For Response's named constructors: a field known to be valid, appended unchecked.
  void append_trusted(std::string_view name, std::string_view value) {
    fields_.push_back({std::string{name}, std::string{value}});
  }
  std::vector<Field> fields_;
};

/// Headers of a received request: views into the connection's buffer, in wire order.
///
/// Lifetime: the views are valid while the request is (until its handler's Task completes);
/// copy what you keep.
class RequestHeaders {
 public:
  /// The first value of name (case-insensitive).
  std::optional<std::string_view> get(std::string_view name) const noexcept;
  /// The first value of name, or fallback.
  std::string_view get(std::string_view name, std::string_view fallback) const noexcept {
    return get(name).value_or(fallback);
  }
  /// Every value of name, in wire order.
  std::vector<std::string_view> get_all(std::string_view name) const;
  /// The same as get_all() (Flask's and Sanic's name).
  std::vector<std::string_view> getlist(std::string_view name) const { return get_all(name); }
  /// Whether a field called name exists.
  bool contains(std::string_view name) const noexcept { return get(name).has_value(); }
  /// The number of fields.
  std::size_t size() const noexcept { return fields_.size(); }
  /// The i-th field as (name, value).
  std::pair<std::string_view, std::string_view> operator[](std::size_t i) const noexcept {
    const Span& f = fields_[i];
    return {{base_ + f.name_off, f.name_len}, {base_ + f.value_off, f.value_len}};
  }

 private:
  friend struct detail::Access;  // the request parser fills the fields
  struct Span {
    std::uint32_t name_off, name_len, value_off, value_len;
  };
  const char* base_ = nullptr;
  std::vector<Span> fields_;
};

}  // namespace swoop
