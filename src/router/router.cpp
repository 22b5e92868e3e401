// SPDX-License-Identifier: MIT
// The router: route registration, the static table and segment trie, matching and url_for.
#include "swoop/router.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <cstring>
#include <functional>
#include <regex>
#include <stdexcept>
#include <unordered_map>

#include "pattern.hpp"
#include "swoop/url.hpp"

namespace swoop {
namespace detail {

struct StringHash {
  using is_transparent = void;
  std::size_t operator()(std::string_view s) const noexcept {
    return std::hash<std::string_view>{}(s);
  }
};

// Keyed by std::string, looked up by std::string_view without allocating.
template <class Value>
using StringMap = std::unordered_map<std::string, Value, StringHash, std::equal_to<>>;

// Parameter-free patterns, keyed without their trailing '/': looked up once per request, so
// open addressing with a cheap hash (the keys are ours, fixed before serving; a client's path
// only costs a probe or two).
class StaticPaths {
 public:
  const std::uint32_t* find(std::string_view key) const noexcept {
    if (slots_.empty()) return nullptr;
    const std::uint64_t h = hash(key);
    for (std::size_t i = h & (slots_.size() - 1);; i = (i + 1) & (slots_.size() - 1)) {
      const Slot& slot = slots_[i];
      if (slot.entry == empty) return nullptr;
      const auto& [text, leaf] = entries_[slot.entry];
      if (slot.hash == h && text.size() == key.size() &&
          std::memcmp(text.data(), key.data(), key.size()) == 0) {
        return &leaf;
      }
    }
  }

  void insert(std::string key, std::uint32_t leaf) {
    entries_.emplace_back(std::move(key), leaf);
    if (entries_.size() * 2 > slots_.size()) {
      slots_.assign(std::max<std::size_t>(16, slots_.size() * 2), Slot{});
      for (std::uint32_t e = 0; e < entries_.size(); ++e) place(e);
    } else {
      place(static_cast<std::uint32_t>(entries_.size() - 1));
    }
  }

 private:
  static constexpr std::uint32_t empty = ~std::uint32_t{0};
  struct Slot {
    std::uint64_t hash = 0;
    std::uint32_t entry = empty;
  };

  static std::uint64_t hash(std::string_view s) noexcept {
    constexpr std::uint64_t k = 0x9e3779b97f4a7c15;
    std::uint64_t h = s.size() * k;
    auto mix = [&h](std::uint64_t w) {
      h = (h ^ w) * k;
      h ^= h >> 29;
    };
    auto word = [](const char* at) {
      std::uint64_t w;
      std::memcpy(&w, at, sizeof w);
      return w;
    };
    const char* p = s.data();
    std::size_t n = s.size();
    if (n >= 8) {
      for (; n > 8; p += 8, n -= 8) mix(word(p));
      mix(word(s.data() + s.size() - 8));  // the last 8 bytes, overlapping what came before
    } else {
      std::uint64_t w = 0;
      std::memcpy(&w, p, n);
      mix(w);
    }
    return h;
  }

  void place(std::uint32_t e) noexcept {
    const std::uint64_t h = hash(entries_[e].first);
    std::size_t i = h & (slots_.size() - 1);
    while (slots_[i].entry != empty) i = (i + 1) & (slots_.size() - 1);
    slots_[i] = {h, e};
  }

  std::vector<std::pair<std::string, std::uint32_t>> entries_;
  std::vector<Slot> slots_;  // a power of two in size, at most half full
};

struct StaticEdge {
  std::string text;
  std::uint32_t child = 0;
};

struct ParamEdge {
  SegmentKind kind = SegmentKind::str;
  std::uint32_t regex = 0;  // index into RouteTable::regexes when kind is regex
  std::uint32_t child = 0;
};

// A trie node: the segments seen so far are a prefix of one or more dynamic patterns.
struct Node {
  std::vector<StaticEdge> statics;  // sorted by text
  std::vector<ParamEdge> params;    // sorted by kind (precedence); regexes in insertion order
  std::int32_t leaf = -1;           // the leaf of the patterns that end here
};

// One method of one route, as seen from its leaf.
struct LeafRoute {
  std::string method;
  std::uint32_t route_id = 0;
  bool strict = false;
  bool trailing_slash = false;
};

// Every route whose pattern has one shape (equal segments and types, any parameter names and
// trailing slash), with the Allow values for paths without and with a trailing slash.
struct Leaf {
  std::vector<LeafRoute> routes;
  std::array<std::string, 2> allow;
};

struct Route {
  std::string pattern;
  std::string name;
  Pattern shape;
};

struct CompiledRegex {
  std::string source;
  std::regex re;
};

struct RouteTable {
  bool strict_default = false;
  std::vector<Route> routes;
  std::vector<Leaf> leaves;
  std::vector<Node> nodes = std::vector<Node>(1);  // nodes[0] is the trie's root
  std::vector<CompiledRegex> regexes;
  StaticPaths static_leaves;
  StringMap<std::uint32_t> names;
};

}  // namespace detail

namespace {

using detail::Leaf;
using detail::LeafRoute;
using detail::Node;
using detail::ParamEdge;
using detail::Pattern;
using detail::RouteTable;
using detail::Segment;
using detail::SegmentKind;
using detail::StaticEdge;

// ---- registration ----

// RFC 9110 section 5.6.2 token characters, upper case only.
bool is_method_token(std::string_view method) noexcept {
  constexpr std::string_view symbols = "!#$%&'*+-.^_`|~";
  return !method.empty() && std::all_of(method.begin(), method.end(), [&](char c) {
    return (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           symbols.find(c) != std::string_view::npos;
  });
}

void normalize_methods(std::vector<std::string>& methods, std::string_view pattern) {
  if (methods.empty()) methods.emplace_back("GET");
  for (const std::string& method : methods) {
    if (!is_method_token(method)) {
      throw std::invalid_argument(fmt::format(
          "swoop: route '{}': '{}' is not an upper-case method token", pattern, method));
    }
  }
  std::sort(methods.begin(), methods.end());
  methods.erase(std::unique(methods.begin(), methods.end()), methods.end());
}

std::string static_key(const Pattern& shape) {
  if (shape.segments.empty()) return "/";
  std::string key;
  for (const Segment& segment : shape.segments) {
    key.push_back('/');
    key += segment.text;
  }
  return key;
}

// Returns the child of `node` along `segment`, or -1.
std::int64_t find_child(const RouteTable& table, const Node& node, const Segment& segment) {
  if (segment.kind == SegmentKind::text) {
    const auto it = std::lower_bound(
        node.statics.begin(), node.statics.end(), segment.text,
        [](const StaticEdge& edge, const std::string& text) { return edge.text < text; });
    if (it != node.statics.end() && it->text == segment.text) return it->child;
    return -1;
  }
  for (const ParamEdge& edge : node.params) {
    if (edge.kind == segment.kind && (edge.kind != SegmentKind::regex ||
                                      table.regexes[edge.regex].source == segment.regex_source)) {
      return edge.child;
    }
  }
  return -1;
}

// Adds a child to `node` along `segment`, moving a compiled regex from `shape` into the table.
std::uint32_t add_child(RouteTable& table, std::uint32_t node, Segment& segment, Pattern& shape) {
  const auto child = static_cast<std::uint32_t>(table.nodes.size());
  table.nodes.emplace_back();
  Node& parent = table.nodes[node];
  if (segment.kind == SegmentKind::text) {
    const auto it = std::lower_bound(
        parent.statics.begin(), parent.statics.end(), segment.text,
        [](const StaticEdge& edge, const std::string& text) { return edge.text < text; });
    parent.statics.insert(it, StaticEdge{segment.text, child});
    return child;
  }
  ParamEdge edge{segment.kind, 0, child};
  if (segment.kind == SegmentKind::regex) {
    edge.regex = static_cast<std::uint32_t>(table.regexes.size());
    table.regexes.push_back({segment.regex_source, std::move(shape.regexes[segment.regex_index])});
  }
  // After every edge of the same kind, so regexes keep their registration order.
  const auto it = std::upper_bound(
      parent.params.begin(), parent.params.end(), segment.kind,
      [](SegmentKind kind, const ParamEdge& existing) { return kind < existing.kind; });
  parent.params.insert(it, edge);
  return child;
}

std::uint32_t new_leaf(RouteTable& table) {
  table.leaves.emplace_back();
  return static_cast<std::uint32_t>(table.leaves.size() - 1);
}

// Returns the leaf for the shape of `shape`, or -1 when there is none yet and `create` is false.
// With `create`, makes the missing nodes and leaf and points regex segments at the table.
std::int64_t locate_leaf(RouteTable& table, Pattern& shape, bool create) {
  if (shape.param_count == 0) {
    std::string key = static_key(shape);
    if (const std::uint32_t* leaf = table.static_leaves.find(key)) return *leaf;
    if (!create) return -1;
    const std::uint32_t leaf = new_leaf(table);
    table.static_leaves.insert(std::move(key), leaf);
    return leaf;
  }
  std::uint32_t node = 0;
  for (Segment& segment : shape.segments) {
    std::int64_t child = find_child(table, table.nodes[node], segment);
    if (child < 0) {
      if (!create) return -1;
      child = add_child(table, node, segment, shape);
    }
    if (create && segment.kind == SegmentKind::regex) {
      // From now on the segment refers to the table's copy of its regex (url_for uses it).
      for (const ParamEdge& edge : table.nodes[node].params) {
        if (edge.child == child) segment.regex_index = edge.regex;
      }
    }
    node = static_cast<std::uint32_t>(child);
  }
  if (table.nodes[node].leaf < 0) {
    if (!create) return -1;
    table.nodes[node].leaf = static_cast<std::int32_t>(new_leaf(table));
  }
  return table.nodes[node].leaf;
}

void check_conflicts(const RouteTable& table, const Leaf& leaf,
                     const std::vector<std::string>& methods, bool strict, bool trailing_slash,
                     std::string_view pattern) {
  for (const LeafRoute& other : leaf.routes) {
    // Two strict routes that differ by the trailing slash never take the same path.
    const bool disjoint = strict && other.strict && other.trailing_slash != trailing_slash;
    if (disjoint || !std::binary_search(methods.begin(), methods.end(), other.method)) continue;
    throw std::invalid_argument(fmt::format(
        "swoop: route {0} '{1}' conflicts with route {2} ({0} '{3}'): both take the same paths",
        other.method, pattern, other.route_id, table.routes[other.route_id].pattern));
  }
}

std::string allow_list(const Leaf& leaf, bool trailing_slash) {
  std::vector<std::string_view> methods{"OPTIONS"};
  for (const LeafRoute& route : leaf.routes) {
    if (route.strict && route.trailing_slash != trailing_slash) continue;
    methods.push_back(route.method);
    if (route.method == "GET") methods.push_back("HEAD");
  }
  std::sort(methods.begin(), methods.end());
  methods.erase(std::unique(methods.begin(), methods.end()), methods.end());
  std::string allow;
  for (const std::string_view method : methods) {
    if (!allow.empty()) allow += ", ";
    allow += method;
  }
  return allow;
}

// ---- matching ----

// The state of one match() call; lives on the caller's stack.
struct Walk {
  std::string_view method;
  std::string_view rest;  // the path without its leading and trailing '/'
  bool trailing_slash = false;
  struct Value {  // left uninitialized: only the first `count` are ever read
    const char* data;
    std::size_t size;
  };
  std::array<Value, max_path_params> values;
  std::uint32_t route_id = 0;
  bool head_from_get = false;
  std::int64_t first_leaf = -1;  // the first leaf that takes the path, for 405 and OPTIONS
};

// Methods are short: a byte loop is cheaper than a call to memcmp.
bool same_method(std::string_view a, std::string_view b) noexcept {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (a[i] != b[i]) return false;
  }
  return true;
}

bool takes_path(const LeafRoute& route, const Walk& walk) noexcept {
  return !route.strict || route.trailing_slash == walk.trailing_slash;
}

// Tries the routes of one leaf; on success records the route in `walk`.
bool try_leaf(const RouteTable& table, std::uint32_t leaf, Walk& walk) noexcept {
  const LeafRoute* get_route = nullptr;
  bool path_taken = false;
  for (const LeafRoute& route : table.leaves[leaf].routes) {
    if (!takes_path(route, walk)) continue;
    path_taken = true;
    if (same_method(route.method, walk.method)) {
      walk.route_id = route.route_id;
      return true;
    }
    if (same_method(route.method, "GET")) get_route = &route;
  }
  if (get_route != nullptr && same_method(walk.method, "HEAD")) {
    walk.route_id = get_route->route_id;
    walk.head_from_get = true;
    return true;
  }
  if (path_taken && walk.first_leaf < 0) walk.first_leaf = leaf;
  return false;
}

bool fits_edge(const RouteTable& table, const ParamEdge& edge, std::string_view value) noexcept {
  return edge.kind == SegmentKind::regex ? detail::fits_regex(table.regexes[edge.regex].re, value)
                                         : detail::fits(edge.kind, value);
}

// Depth-first search of the trie from `node`, with the segment starting at `pos` of walk.rest
// (past the end: the path is consumed) and `count` parameter values captured so far.
bool walk_trie(const RouteTable& table, std::uint32_t node, std::size_t pos, std::size_t count,
               Walk& walk) noexcept {
  const Node& here = table.nodes[node];
  if (pos > walk.rest.size()) return here.leaf >= 0 && try_leaf(table, here.leaf, walk);
  const std::size_t end = std::min(walk.rest.find('/', pos), walk.rest.size());
  const std::string_view segment = walk.rest.substr(pos, end - pos);

  const auto it = std::lower_bound(
      here.statics.begin(), here.statics.end(), segment,
      [](const StaticEdge& edge, std::string_view text) { return edge.text < text; });
  if (it != here.statics.end() && it->text == segment &&
      walk_trie(table, it->child, end + 1, count, walk)) {
    return true;
  }
  for (const ParamEdge& edge : here.params) {
    // A path parameter takes the rest of the path and always ends the pattern.
    const bool is_path = edge.kind == SegmentKind::path;
    const std::string_view value = is_path ? walk.rest.substr(pos) : segment;
    if (!fits_edge(table, edge, value)) continue;
    walk.values[count] = {value.data(), value.size()};
    const std::size_t next = is_path ? walk.rest.size() + 1 : end + 1;
    if (walk_trie(table, edge.child, next, count + 1, walk)) return true;
  }
  return false;
}

// ---- url_for ----

const UrlValue* find_value(UrlArgs values, std::string_view name) {
  for (const auto& [key, value] : values) {
    if (key == name) return &value;
  }
  return nullptr;
}

bool value_fits(const RouteTable& table, const Segment& segment, std::string_view value) {
  if (segment.kind == SegmentKind::path) return detail::fits(segment.kind, value);
  // Any other parameter is one segment: an encoded '/' would be decoded and split by the server.
  if (value.find('/') != std::string_view::npos) return false;
  if (segment.kind == SegmentKind::regex) {
    return detail::fits_regex(table.regexes[segment.regex_index].re, value);
  }
  return detail::fits(segment.kind, value);
}

void check_param_names(const detail::Route& route, UrlArgs params) {
  for (auto it = params.begin(); it != params.end(); ++it) {
    const auto& segments = route.shape.segments;
    const bool known = std::any_of(segments.begin(), segments.end(), [&](const Segment& s) {
      return s.kind != SegmentKind::text && s.text == it->first;
    });
    if (!known) {
      throw std::invalid_argument(
          fmt::format("swoop: url_for('{}'): route '{}' has no parameter '{}'", route.name,
                      route.pattern, it->first));
    }
    if (std::any_of(params.begin(), it, [&](const auto& p) { return p.first == it->first; })) {
      throw std::invalid_argument(
          fmt::format("swoop: url_for('{}'): parameter '{}' given twice", route.name, it->first));
    }
  }
}

std::string segment_text(const RouteTable& table, const detail::Route& route,
                         const Segment& segment, UrlArgs params) {
  if (segment.kind == SegmentKind::text) return percent_encode(segment.text);
  const UrlValue* value = find_value(params, segment.text);
  if (value == nullptr) {
    throw std::invalid_argument(fmt::format("swoop: url_for('{}'): missing parameter '{}' of '{}'",
                                            route.name, segment.text, route.pattern));
  }
  if (!value_fits(table, segment, value->text())) {
    const std::string_view type =
        segment.kind == SegmentKind::regex ? segment.regex_source : detail::kind_name(segment.kind);
    throw std::invalid_argument(
        fmt::format("swoop: url_for('{}'): value '{}' does not fit parameter <{}:{}> of '{}'",
                    route.name, value->text(), segment.text, type, route.pattern));
  }
  return percent_encode(value->text(), segment.kind == SegmentKind::path);
}

}  // namespace

// ---- UrlValue ----

void UrlValue::assign_signed(long long value) {
  char buffer[24];
  const auto result = std::to_chars(std::begin(buffer), std::end(buffer), value);
  text_.assign(buffer, result.ptr);
}

void UrlValue::assign_unsigned(unsigned long long value) {
  char buffer[24];
  const auto result = std::to_chars(std::begin(buffer), std::end(buffer), value);
  text_.assign(buffer, result.ptr);
}

void UrlValue::assign_double(double value) {
  // The shortest text that reads back to the same double; inf and nan fail the float check.
  char buffer[32];
  const auto result = std::to_chars(std::begin(buffer), std::end(buffer), value);
  text_.assign(buffer, result.ptr);
}

// ---- Router ----

std::optional<std::string_view> PathParams::get(std::string_view name) const noexcept {
  for (std::size_t i = 0; i < size_; ++i) {
    if (items_[i].first == name) return items_[i].second;
  }
  return std::nullopt;
}

Router::Router(bool strict_slashes) : table_(std::make_unique<detail::RouteTable>()) {
  table_->strict_default = strict_slashes;
}

Router::~Router() = default;
Router::Router(Router&& other) noexcept = default;
Router& Router::operator=(Router&& other) noexcept = default;

std::size_t Router::size() const noexcept { return table_ ? table_->routes.size() : 0; }

std::uint32_t Router::add(std::vector<std::string> methods, std::string_view pattern,
                          std::string name, std::optional<bool> strict_slashes) {
  RouteTable& table = *table_;
  // Everything that can fail is checked before the table changes.
  normalize_methods(methods, pattern);
  Pattern shape = detail::parse_pattern(pattern);
  if (const auto it = table.names.find(name); !name.empty() && it != table.names.end()) {
    throw std::invalid_argument(
        fmt::format("swoop: route '{}': the name '{}' is already used by route {} ('{}')", pattern,
                    name, it->second, table.routes[it->second].pattern));
  }
  const bool strict = strict_slashes.value_or(table.strict_default);
  if (const std::int64_t leaf = locate_leaf(table, shape, false); leaf >= 0) {
    check_conflicts(table, table.leaves[leaf], methods, strict, shape.trailing_slash, pattern);
  }

  const auto id = static_cast<std::uint32_t>(table.routes.size());
  Leaf& leaf = table.leaves[locate_leaf(table, shape, true)];
  for (std::string& method : methods) {
    leaf.routes.push_back(LeafRoute{std::move(method), id, strict, shape.trailing_slash});
  }
  leaf.allow[0] = allow_list(leaf, false);
  leaf.allow[1] = allow_list(leaf, true);
  shape.regexes.clear();
  table.routes.push_back(detail::Route{std::string(pattern), name, std::move(shape)});
  if (!name.empty()) table.names.emplace(std::move(name), id);
  return id;
}

RouteMatch Router::match(std::string_view method, std::string_view path,
                         PathParams& params) const noexcept {
  params.clear();
  RouteMatch result;
  if (!table_ || path.empty() || path[0] != '/') return result;
  const RouteTable& table = *table_;
  Walk walk;
  walk.method = method;
  std::string_view key = path;
  if (path.size() > 1 && path.back() == '/') {
    walk.trailing_slash = true;
    key.remove_suffix(1);
    if (key.size() == 1) return result;  // "//": an empty segment
  }
  walk.rest = key.substr(1);

  bool found = false;
  if (const std::uint32_t* leaf = table.static_leaves.find(key)) {
    found = try_leaf(table, *leaf, walk);
  }
  if (!found && !walk.rest.empty()) found = walk_trie(table, 0, 0, 0, walk);
  if (found) {
    result.status = MatchStatus::found;
    result.route_id = walk.route_id;
    result.head_from_get = walk.head_from_get;
    for (const Segment& segment : table.routes[walk.route_id].shape.segments) {
      if (segment.kind == SegmentKind::text) continue;
      const Walk::Value& value = walk.values[params.size_];
      params.items_[params.size_] = {segment.text, {value.data, value.size}};
      ++params.size_;
    }
  } else if (walk.first_leaf >= 0) {
    result.status =
        method == "OPTIONS" ? MatchStatus::auto_options : MatchStatus::method_not_allowed;
    result.allow = table.leaves[walk.first_leaf].allow[walk.trailing_slash ? 1 : 0];
  }
  return result;
}

std::string Router::url_for(std::string_view name, UrlArgs params, UrlArgs query) const {
  const RouteTable& table = *table_;
  const auto it = table.names.find(name);
  if (it == table.names.end()) {
    throw std::invalid_argument(fmt::format("swoop: url_for: no route is named '{}'", name));
  }
  const detail::Route& route = table.routes[it->second];
  check_param_names(route, params);
  std::string url;
  for (const Segment& segment : route.shape.segments) {
    url.push_back('/');
    url += segment_text(table, route, segment, params);
  }
  if (url.empty() || route.shape.trailing_slash) url.push_back('/');
  char separator = '?';
  for (const auto& [key, value] : query) {
    url.push_back(separator);
    url += percent_encode(key);
    url.push_back('=');
    url += percent_encode(value.text());
    separator = '&';
  }
  return url;
}

}  // namespace swoop
