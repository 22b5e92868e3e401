// SPDX-License-Identifier: MIT
// Route patterns, matching a method and path to a route, path parameters and url_for.
#pragma once

#include <array>
#include <concepts>
#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

namespace swoop {
namespace detail {
struct RouteTable;
class RequestBuilder;
}  // namespace detail

/// The largest number of parameters one route pattern may declare.
inline constexpr std::size_t max_path_params = 16;

/// The longest segment, in bytes, that a regex parameter is tried on; a longer one does not
/// fit. std::regex (libstdc++) recurses about once per input byte, so this bounds the stack a
/// request can make it use.
inline constexpr std::size_t max_regex_param_size = 1024;

/// Path parameters of a matched route: (name, value) pairs in pattern order, without heap memory.
///
/// Lifetime: names view into the Router and stay valid until its next `add()` or its
/// destruction; values view into the path passed to `Router::match()`, so they dangle once
/// that path's storage goes away. A new `match()` into the same object overwrites them.
/// Thread safety: as a plain value type; const members may be called concurrently.
class PathParams {
 public:
  /// One (name, value) pair.
  using value_type = std::pair<std::string_view, std::string_view>;

  /// Returns the value of the parameter called `name`, or nothing when the route has none.
  std::optional<std::string_view> get(std::string_view name) const noexcept;

  /// Returns the number of parameters.
  std::size_t size() const noexcept { return size_; }

  /// Returns true when there are no parameters.
  bool empty() const noexcept { return size_ == 0; }

  /// Returns parameter `i` in pattern order; an empty pair when `i >= size()`.
  value_type operator[](std::size_t i) const noexcept {
    return i < size_ ? items_[i] : value_type{};
  }

  /// Returns a pointer to the first pair, for range-for over the parameters.
  const value_type* begin() const noexcept { return items_.data(); }

  /// Returns a pointer past the last pair.
  const value_type* end() const noexcept { return items_.data() + size_; }

  /// Removes every parameter.
  void clear() noexcept { size_ = 0; }

 private:
  friend class Router;
  friend class detail::RequestBuilder;  // moves the values with the request's bytes

  std::array<value_type, max_path_params> items_{};
  std::size_t size_ = 0;
};

/// The outcome of `Router::match()`.
enum class MatchStatus {
  found,               ///< a route takes this method and path
  not_found,           ///< no route takes this path (404)
  method_not_allowed,  ///< routes take this path, but not this method (405 with `Allow`)
  auto_options,        ///< OPTIONS on a path without an OPTIONS route (answer 204 with `Allow`)
};

/// The result of `Router::match()`.
///
/// Lifetime: `allow` views into the Router and stays valid until its next `add()` or its
/// destruction.
struct RouteMatch {
  /// What the router found.
  MatchStatus status = MatchStatus::not_found;
  /// When `found`: the id that `Router::add()` returned for the route.
  std::uint32_t route_id = 0;
  /// When `found`: a HEAD request is answered by the path's GET route (send no body).
  bool head_from_get = false;
  /// When `method_not_allowed` or `auto_options`: the `Allow` header value, such as
  /// "GET, HEAD, OPTIONS" (sorted, comma and space separated).
  std::string_view allow;
};

/// A value given to `Router::url_for`: made implicitly from a string or an arithmetic value.
///
/// Integers are written in decimal, floating-point values in the shortest form that reads
/// back the same (`0.1`, `1e+300`), `bool` as `true`/`false`, `char` as that character.
/// The text is checked against the parameter's type by `url_for`, and percent-encoded there.
class UrlValue {
 public:
  /// Holds a copy of `text`.
  UrlValue(std::string_view text) : text_(text) {}  // NOLINT(google-explicit-constructor)

  /// Holds a copy of `text`.
  UrlValue(const char* text) : text_(text) {}  // NOLINT(google-explicit-constructor)

  /// Holds a copy of `text`.
  UrlValue(const std::string& text) : text_(text) {}  // NOLINT(google-explicit-constructor)

  /// Holds `text`.
  UrlValue(std::string&& text) noexcept : text_(std::move(text)) {}  // NOLINT

  /// Holds the text form of an arithmetic value (see the class comment).
  template <class T>
  UrlValue(T value)  // NOLINT(google-explicit-constructor)
      requires std::is_arithmetic_v<T> {
    if constexpr (std::same_as<T, bool>) {
      text_ = value ? "true" : "false";
    } else if constexpr (std::same_as<T, char>) {
      text_.assign(1, value);
    } else if constexpr (std::floating_point<T>) {
      assign_double(static_cast<double>(value));
    } else if constexpr (std::signed_integral<T>) {
      assign_signed(value);
    } else {
      assign_unsigned(value);
    }
  }

  /// Returns the text, not yet percent-encoded.
  /// Lifetime: the view is valid as long as this object.
  std::string_view text() const noexcept { return text_; }

 private:
  void assign_signed(long long value);
  void assign_unsigned(unsigned long long value);
  void assign_double(double value);

  std::string text_;
};

/// (name, value) pairs given to `Router::url_for`, such as `{{"id", 42}, {"tag", "new"}}`.
/// Lifetime: an initializer list; it lives until the end of the full expression of the call.
using UrlArgs = std::initializer_list<std::pair<std::string_view, UrlValue>>;

/// Maps a method and a percent-decoded path to a route, and builds URLs for named routes.
///
/// A pattern starts with `/` and is made of segments separated by `/`. A segment is static
/// text or one whole-segment parameter `<name>` or `<name:type>`:
///   - `str` (the default): one non-empty segment;
///   - `int`: an optional `-` then digits, within int64;
///   - `float`: a decimal number with optional sign, fraction and exponent (`-1.5e3`, `.5`,
///     `+2`) that std::from_chars reads without a range error (so no inf or nan);
///   - `uuid`: 8-4-4-4-12 hex digits, either case;
///   - `slug`: lower-case letters and digits in groups joined by single hyphens (`my-post-2`);
///   - `alpha`: ASCII letters only;
///   - `path`: the rest of the path, one or more non-empty segments, `/` included; only as the
///     last segment;
///   - a regular expression starting with `^`, such as `<code:^[A-Z]{3}$>`: std::regex
///     (ECMAScript) that must match the whole segment, of at most `max_regex_param_size`
///     bytes. std::regex backtracks: keep expressions simple (no nested repetition such as
///     `(a+)+`), since they run on client input.
///
/// A segment that does not fit a parameter's type does not match that route: the router
/// tries the next candidate and the outcome may be a 404, never an error. When several
/// routes fit, static segments beat parameters and, among parameters, int, float, uuid, regex
/// (in registration order), slug, alpha, str, then path, segment by segment from the left,
/// backtracking so that the first route that fits the whole path and takes the method wins.
/// Empty segments (`//`) match nothing. Static text is compared byte for byte with the
/// decoded path, so patterns are written decoded (`/café`, not `/caf%C3%A9`). Parameter-free
/// patterns are found with one hash look-up, the others through a segment trie.
///
/// Trailing slashes: a non-strict route matches its path with or without a trailing slash
/// (`/foo` takes `/foo/`, `/foo/` takes `/foo`); a strict one only as written. A parameter
/// value never includes the trailing slash. `/` matches only itself.
///
/// Methods: when routes take the path but none takes the method, the result is
/// `method_not_allowed`, with `allow` listing the methods of the most specific such route
/// pattern, HEAD (when GET is there) and OPTIONS. OPTIONS without an OPTIONS route gives
/// `auto_options` with the same list; HEAD without a HEAD route is answered by the GET route
/// (`head_from_get`).
///
/// Thread safety: `add()` is for setup only. Once routes are added, `match()`, `url_for()` and
/// `size()` may be called from any number of threads at once.
///
/// Example:
///     swoop::Router router;
///     auto show = router.add({"GET"}, "/items/<id:int>", "item");
///     swoop::PathParams params;
///     auto m = router.match("GET", "/items/42", params);  // m.route_id == show
///     params.get("id");                                   // "42"
///     router.url_for("item", {{"id", 7}}, {{"q", "a b"}});  // "/items/7?q=a%20b"
class Router {
 public:
  /// Makes an empty router; `strict_slashes` is the default for routes that do not say.
  explicit Router(bool strict_slashes = false);

  /// Releases every route.
  ~Router();

  /// Moves the routes out of `other`, which may then only be destroyed or assigned to.
  Router(Router&& other) noexcept;

  /// Replaces the routes with those of `other`, which may then only be destroyed or assigned to.
  Router& operator=(Router&& other) noexcept;

  /// Not copyable: a router is built once and then shared by reference.
  Router(const Router&) = delete;

  /// Not copyable.
  Router& operator=(const Router&) = delete;

  /// Adds a route and returns its id: 0, 1, 2, ... in the order of the calls.
  ///
  /// `methods` are upper-case method tokens, custom ones (`PURGE`) included, duplicates
  /// ignored; an empty list means `{"GET"}`. `name`, if not empty, is what `url_for` knows
  /// the route by. `strict_slashes` overrides the router's default for this route.
  /// Throws std::invalid_argument, with a message naming the pattern, for: a pattern that
  /// does not parse (no leading `/`, an empty segment, text around a parameter, a bad
  /// parameter name), an unknown type, a duplicate parameter name, a `path` parameter that is
  /// not last, more than `max_path_params` parameters, an invalid regular expression, a
  /// method that is not an upper-case token, a name already in use, and a route that takes
  /// one of the same methods on an equivalent pattern (same shape, whatever the parameter
  /// names: `/a/<x:int>` and `/a/<y:int>`); the message then names both routes. Two strict
  /// routes that differ only by a trailing slash do not conflict.
  /// Lifetime: invalidates the views held by earlier `RouteMatch` and `PathParams` results.
  std::uint32_t add(std::vector<std::string> methods, std::string_view pattern,
                    std::string name = {}, std::optional<bool> strict_slashes = std::nullopt);

  /// Finds the route for `method` (upper case) and `path` (percent-decoded, without the query).
  ///
  /// On `found`, `params` holds the route's parameters; otherwise it is left empty. Never
  /// throws; allocates nothing, except inside std::regex when a regex parameter is tried.
  /// Lifetime: see PathParams and RouteMatch; `params` values view into `path`.
  RouteMatch match(std::string_view method, std::string_view path,
                   PathParams& params) const noexcept;

  /// Builds the path of the route called `name`, with `params` as its parameter values
  /// (percent-encoded; a `path` value keeps its slashes) and `query`, when not empty, as
  /// `?k=v&...` in the given order (both sides percent-encoded).
  ///
  /// Throws std::invalid_argument for an unknown name, a missing, repeated or unknown
  /// parameter, or a value that does not fit its parameter's type.
  ///
  /// Example:
  ///     router.url_for("file", {{"rest", "css/site.css"}});  // "/static/css/site.css"
  std::string url_for(std::string_view name, UrlArgs params = {}, UrlArgs query = {}) const;

  /// Returns the number of routes added.
  std::size_t size() const noexcept;

 private:
  std::unique_ptr<detail::RouteTable> table_;
};

}  // namespace swoop
