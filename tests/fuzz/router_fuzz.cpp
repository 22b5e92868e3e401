// SPDX-License-Identifier: MIT
// Fuzzes Router (swoop/router.hpp): patterns from the input, half raw text and half built from
// a menu of segments and parameter types, are added (std::invalid_argument is an expected
// outcome), then paths from the input are matched with several methods.
// Invariants: parameter values view into the matched path; a failed match leaves no
// parameters; an Allow list comes with 405/auto OPTIONS only; url_for() of a named route with
// the parameters it matched gives back the path (once decoded, trailing slash aside).
// Raw patterns holding a regular expression are skipped: std::regex on hostile expressions
// is documented as the user's responsibility, and the menu has one simple regex parameter.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "fuzz_support.hpp"
#include "swoop/router.hpp"
#include "swoop/url.hpp"

namespace {

using swoop_fuzz::check;

constexpr std::string_view segments[] = {
    "<p:str>",     "<p:int>",   "<p:float>", "<p:uuid>",
    "<p:slug>",    "<p:alpha>", "<p:path>",  "<p:^[a-z]{2}[0-9]$>",
    "<p>",         "a",         "b",         "users",
    "caf\xC3\xA9", "x y",       "%41",       ""};
constexpr std::string_view methods[] = {"GET", "POST",   "HEAD",  "OPTIONS",
                                        "PUT", "DELETE", "PURGE", "get"};

std::string menu_pattern(swoop_fuzz::Input& in) {
  std::string pattern;
  const int count = in.byte() % 5;
  for (int i = 0; i < count; ++i) {
    std::string segment{segments[in.byte() % std::size(segments)]};
    if (segment.starts_with("<p")) segment.insert(2, std::to_string(i));  // unique names
    pattern += '/';
    pattern += segment;
  }
  return pattern.empty() ? "/" : pattern;
}

std::string strip_slash(std::string s) {
  while (s.size() > 1 && s.back() == '/') s.pop_back();
  return s;
}

std::string url_for(const swoop::Router& router, const std::string& name,
                    const swoop::PathParams& p) {
  switch (p.size()) {
    case 0:
      return router.url_for(name);
    case 1:
      return router.url_for(name, {{p[0].first, p[0].second}});
    case 2:
      return router.url_for(name, {{p[0].first, p[0].second}, {p[1].first, p[1].second}});
    case 3:
      return router.url_for(
          name, {{p[0].first, p[0].second}, {p[1].first, p[1].second}, {p[2].first, p[2].second}});
    default:
      return router.url_for(name, {{p[0].first, p[0].second},
                                   {p[1].first, p[1].second},
                                   {p[2].first, p[2].second},
                                   {p[3].first, p[3].second}});
  }
}

void check_match(const swoop::Router& router, const std::vector<std::string>& names,
                 std::string_view method, std::string_view path) {
  swoop::PathParams params;
  const swoop::RouteMatch m = router.match(method, path, params);
  if (m.status != swoop::MatchStatus::found) {
    check(params.empty(), "a failed match left parameters");
    check(m.status == swoop::MatchStatus::not_found || !m.allow.empty(),
          "405 or auto OPTIONS without an Allow list");
    return;
  }
  check(m.route_id < router.size() && m.allow.empty(), "bad route id or stray Allow list");
  check(params.size() <= swoop::max_path_params, "too many parameters");
  for (const auto& [name, value] : params) {
    check(!value.empty(), "an empty parameter value");
    check(value.data() >= path.data() && value.data() + value.size() <= path.data() + path.size(),
          "a parameter value does not view into the path");
  }
  const std::string& name = names[m.route_id];
  if (name.empty() || params.size() > 4) return;
  std::string built;
  try {
    built = url_for(router, name, params);
  } catch (const std::invalid_argument&) {
    check(false, "url_for refused the parameters its route matched");
  }
  std::string decoded;
  check(swoop::percent_decode(built, decoded), "url_for wrote a malformed escape");
  check(strip_slash(decoded) == strip_slash(std::string{path}), "url_for(match(path)) != path");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  swoop_fuzz::Input in{data, size};
  const std::uint8_t flags = in.byte();
  swoop::Router router{(flags & 1) != 0};
  std::vector<std::string> names;  // by route id
  const int routes = 1 + (flags >> 1) % 6;
  for (int i = 0; i < routes; ++i) {
    const std::uint8_t how = in.byte();
    std::string pattern = (how & 1) ? std::string{in.until('\n')} : menu_pattern(in);
    if ((how & 1) && pattern.find('^') != std::string::npos) continue;
    std::vector<std::string> route_methods;
    if (how & 2) route_methods.emplace_back(methods[(how >> 2) % std::size(methods)]);
    if (how & 32) route_methods.emplace_back("POST");
    std::string name = (how & 64) ? "r" + std::to_string(i) : std::string{};
    const std::optional<bool> strict =
        (how & 128) ? std::optional<bool>{(how & 16) != 0} : std::nullopt;
    try {
      const std::uint32_t id = router.add(route_methods, pattern, name, strict);
      check(id == names.size(), "route ids do not count up");
      names.push_back(name);
    } catch (const std::invalid_argument&) {
    }
  }
  check(router.size() == names.size(), "size() differs from the routes added");
  while (!in.empty()) {
    const std::string_view method = methods[in.byte() % std::size(methods)];
    const std::string path{in.until('\n')};  // owned, so a stray view is caught by ASan
    check_match(router, names, method, path);
  }
  return 0;
}
