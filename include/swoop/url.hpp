// SPDX-License-Identifier: MIT
// Percent coding (RFC 3986) and query-string parsing for request targets and generated URLs.
#pragma once

#include <cstddef>
#include <iterator>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "swoop/detail/text_value.hpp"

namespace swoop {

/// Decodes the percent escapes (`%XX`, either hex case) of `in` and appends the bytes to `out`.
///
/// With `plus_as_space`, `+` decodes to a space (form and query encoding); otherwise it is kept.
/// Every other byte is copied as is, including bytes a URL may not contain raw, and `%00`
/// decodes to a NUL byte: the caller decides what is acceptable in the result.
/// Returns false for a malformed escape (`%`, `%4`, `%zz`); `out` is then left as it was.
///
/// Example:
///     std::string out;
///     swoop::percent_decode("/caf%C3%A9", out);  // out == "/café", returns true
bool percent_decode(std::string_view in, std::string& out, bool plus_as_space = false);

/// Returns `in` with every byte except RFC 3986 unreserved characters (`A-Z a-z 0-9 - . _ ~`)
/// written as `%XX` with upper-case hex digits.
///
/// With `keep_slash`, `/` is kept too, so a multi-segment path stays readable.
///
/// Example:
///     swoop::percent_encode("a b/c");        // "a%20b%2Fc"
///     swoop::percent_encode("a b/c", true);  // "a%20b/c"
std::string percent_encode(std::string_view in, bool keep_slash = false);

/// The decoded (name, value) pairs of a query string, in their original order.
///
/// Parsing follows HTML form decoding (and Python's `parse_qsl` with blank values kept): pairs
/// are separated by `&`, empty pieces are skipped, a piece without `=` has the value "", `+`
/// is a space, and a malformed escape such as `%zz` is kept literally. Repeated names keep
/// every value, in order.
///
/// Lifetime: the object owns a copy of the decoded text; every view it returns stays valid
/// until the object is destroyed or assigned to, whatever happens to the original query.
/// Thread safety: const members may be called from several threads at once.
///
/// Example:
///     swoop::QueryArgs args{"tag=a&tag=b&q=hello+world"};
///     args.get("q");        // "hello world"
///     args.get_all("tag");  // {"a", "b"}
class QueryArgs {
 public:
  /// One (name, value) pair; both view into the QueryArgs.
  using value_type = std::pair<std::string_view, std::string_view>;

  /// Iterates over the pairs in query order; dereferencing yields a `value_type` by value.
  class Iterator;

  /// Makes an empty set of arguments.
  QueryArgs() = default;

  /// Parses a raw query string: the part of the target after `?`, without the `?` itself.
  explicit QueryArgs(std::string_view query);

  /// Returns the first value for `name`, or nothing when the name is absent.
  /// Lifetime: the view is valid as long as this object (see the class comment).
  std::optional<std::string_view> get(std::string_view name) const noexcept;

  /// Returns the first value for `name`, or `fallback` when the name is absent.
  /// Lifetime: the result views into this object or is `fallback` itself.
  std::string_view get(std::string_view name, std::string_view fallback) const noexcept;

  /// Returns the first value for `name` read as T (bool or a number: see
  /// detail::parse_text_value), or `fallback` when the name is absent. Throws HttpError 400
  /// naming the parameter when the value is not a T: `query parameter "limit" must be an
  /// integer from -2147483648 to 2147483647`.
  /// Example:
  ///     int limit = req.args().get<int>("limit", 10);
  template <typename T>
  requires std::is_arithmetic_v<T> T get(std::string_view name, T fallback)
  const {
    const std::optional<std::string_view> raw = get(name);
    if (!raw) return fallback;
    T value{};
    if (!detail::parse_text_value(*raw, value)) {
      throw_bad_value(name, detail::text_value_expectation<T>());
    }
    return value;
  }

  /// Returns every value for `name` in query order (empty when the name is absent).
  /// Lifetime: the views are valid as long as this object.
  std::vector<std::string_view> get_all(std::string_view name) const;
  /// The same as get_all() (Flask's and Sanic's name).
  std::vector<std::string_view> getlist(std::string_view name) const { return get_all(name); }

  /// Returns true when at least one pair has this name.
  bool contains(std::string_view name) const noexcept;

  /// Returns the number of pairs, repeated names counted each time.
  std::size_t size() const noexcept { return entries_.size(); }

  /// Returns true when there are no pairs.
  bool empty() const noexcept { return entries_.empty(); }

  /// Returns pair `i` in query order; an empty pair when `i >= size()`.
  /// Lifetime: the views are valid as long as this object.
  value_type operator[](std::size_t i) const noexcept;

  /// Returns an iterator to the first pair.
  Iterator begin() const noexcept;

  /// Returns the iterator past the last pair.
  Iterator end() const noexcept;

 private:
  [[noreturn]] static void throw_bad_value(std::string_view name, std::string_view expected);

  // Offsets rather than views into data_, so that copies and moves stay valid.
  struct Entry {
    std::size_t name_pos;
    std::size_t name_len;
    std::size_t value_pos;
    std::size_t value_len;
  };

  std::string data_;
  std::vector<Entry> entries_;
};

/// Iterates over a QueryArgs' pairs in query order (see QueryArgs::begin).
class QueryArgs::Iterator {
 public:
  /// The C++20 iterator concept this type models.
  using iterator_concept = std::forward_iterator_tag;
  /// The legacy category: dereferencing returns a value, not a reference.
  using iterator_category = std::input_iterator_tag;
  /// The pair type yielded by dereferencing.
  using value_type = QueryArgs::value_type;
  /// Signed distance between two iterators.
  using difference_type = std::ptrdiff_t;
  /// Dereferencing yields the pair by value.
  using reference = value_type;

  /// Makes a singular iterator, only fit to be assigned to.
  Iterator() = default;

  /// Returns the current pair.
  value_type operator*() const noexcept { return (*args_)[index_]; }

  /// Moves to the next pair.
  Iterator& operator++() noexcept {
    ++index_;
    return *this;
  }

  /// Moves to the next pair and returns the previous position.
  Iterator operator++(int) noexcept {
    Iterator old = *this;
    ++index_;
    return old;
  }

  /// Returns true when both iterators are at the same position of the same QueryArgs.
  friend bool operator==(const Iterator&, const Iterator&) = default;

 private:
  friend class QueryArgs;
  Iterator(const QueryArgs* args, std::size_t index) noexcept : args_(args), index_(index) {}

  const QueryArgs* args_ = nullptr;
  std::size_t index_ = 0;
};

inline QueryArgs::Iterator QueryArgs::begin() const noexcept { return Iterator{this, 0}; }

inline QueryArgs::Iterator QueryArgs::end() const noexcept {
  return Iterator{this, entries_.size()};
}

}  // namespace swoop
