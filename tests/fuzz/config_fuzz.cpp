// SPDX-License-Identifier: MIT
// Fuzzes AppConfig::load (swoop/app_config.hpp) with environment-like name=value pairs, against
// a model of each setting type's syntax (boolean, integer, size, duration, string, choice)
// written here from the reference table's documentation.
// Input: byte 0 bits 0-1 pick the prefix ("SWOOP_", "SWOOP_", "MYSVC_", ""); bit 2 = the names
// in the input are given without the prefix (it is put in front of each); the rest is lines
// "NAME=VALUE" (a line without '=' is a name with an empty value).
// Invariants: load either returns or throws std::invalid_argument, nothing else; it throws
// exactly when some pair names a setting with a value the model calls malformed (and that is
// no Kubernetes service link such as tcp://10.0.0.1:80), and its message names every such
// variable; after a throw every setting is as before; after a return each setting named holds
// the model's value of its last pair (a duration within 1 ms: the model counts exactly),
// is_set says which were set, every value is within its documented range (integer bounds,
// durations not negative and at most 1e15 ms, choices among the words), each warning starts
// "config: ignoring" and every unknown variable with the prefix is in one; apply() succeeds
// and takes the values.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include "fuzz_support.hpp"
#include "swoop/app_config.hpp"

namespace {

using std::chrono::milliseconds;
using swoop::AppConfig;
using swoop::ConfigEntry;
using swoop::ConfigType;
using swoop_fuzz::check;

std::string lower(std::string_view s) {
  std::string out{s};
  for (char& c : out) c = c >= 'A' && c <= 'Z' ? static_cast<char>(c + 32) : c;
  return out;
}

bool all_digits(std::string_view s) {
  if (s.empty()) return false;
  for (const char c : s) {
    if (c < '0' || c > '9') return false;
  }
  return true;
}

// A decimal number that fits 64 bits.
std::optional<std::uint64_t> decimal(std::string_view s) {
  if (!all_digits(s)) return std::nullopt;
  std::uint64_t v = 0;
  for (const char c : s) {
    const auto d = static_cast<std::uint64_t>(c - '0');
    if (v > (UINT64_MAX - d) / 10) return std::nullopt;
    v = v * 10 + d;
  }
  return v;
}

std::optional<std::int64_t> integer(std::string_view s, std::int64_t min, std::int64_t max) {
  const bool negative = s.starts_with('-');
  const auto magnitude = decimal(negative ? s.substr(1) : s);
  if (!magnitude || *magnitude > (std::uint64_t{1} << 63) - (negative ? 0 : 1)) return {};
  const std::int64_t v =
      negative ? static_cast<std::int64_t>(0 - *magnitude) : static_cast<std::int64_t>(*magnitude);
  if (v < min || v > max) return {};
  return v;
}

std::optional<std::uint64_t> size(std::string_view s) {
  std::uint64_t unit = 1;
  if (!s.empty()) {
    const char last = static_cast<char>(lower(s.substr(s.size() - 1))[0]);
    unit = last == 'k' ? 1024 : last == 'm' ? 1024 * 1024 : last == 'g' ? 1024 * 1024 * 1024 : 1;
  }
  const auto n = decimal(unit == 1 ? s : s.substr(0, s.size() - 1));
  if (!n || *n > UINT64_MAX / unit) return std::nullopt;
  return *n * unit;
}

// A duration in exact milliseconds (rounded half up) as a long double; nothing when malformed.
std::optional<long double> duration_ms(std::string_view s) {
  long double unit = 1000;
  if (s.ends_with("ms")) {
    unit = 1;
    s.remove_suffix(2);
  } else if (s.ends_with('s')) {
    s.remove_suffix(1);
  } else if (s.ends_with('m')) {
    unit = 60'000;
    s.remove_suffix(1);
  }
  const std::size_t dot = s.find('.');
  const auto whole = decimal(s.substr(0, dot));
  if (!whole) return std::nullopt;
  long double value = static_cast<long double>(*whole) * unit;
  if (dot != std::string_view::npos) {
    const std::string_view frac = s.substr(dot + 1);
    if (!decimal(frac) || frac.size() > 9) return std::nullopt;
    value += static_cast<long double>(*decimal(frac)) * unit / std::pow(10.0L, frac.size());
  }
  return std::floor(value + 0.5L);
}

// The model's value of text for a setting: nothing when malformed. Durations are given as
// exact milliseconds (compared within 1 ms); a duration beyond 1e15 ms is malformed.
std::optional<AppConfig::Value> model(const ConfigEntry& e, std::string_view text) {
  switch (e.type) {
    case ConfigType::boolean: {
      const std::string v = lower(text);
      if (v == "true" || v == "1" || v == "yes" || v == "on") return true;
      if (v == "false" || v == "0" || v == "no" || v == "off") return false;
      return std::nullopt;
    }
    case ConfigType::integer:
      if (const auto v = integer(text, e.min, e.max)) return *v;
      return std::nullopt;
    case ConfigType::size:
      if (const auto v = size(text)) return *v;
      return std::nullopt;
    case ConfigType::duration: {
      const auto ms = duration_ms(text);
      if (!ms || *ms > 1e15L) return std::nullopt;
      return milliseconds{static_cast<std::int64_t>(*ms)};
    }
    case ConfigType::string:
      return std::string{text};
    case ConfigType::choice: {
      const std::string v = lower(text);
      std::string_view words = e.choices;
      while (!v.empty()) {
        const std::size_t bar = words.find('|');
        if (words.substr(0, bar) == v) return v;
        if (bar == std::string_view::npos) break;
        words.remove_prefix(bar + 1);
      }
      return std::nullopt;
    }
  }
  return std::nullopt;
}

// Whether the model's exact duration is so close to 1e15 ms that rounding decides.
bool at_duration_limit(std::string_view text) {
  const auto ms = duration_ms(text);
  return ms && std::fabs(*ms - 1e15L) <= 2;
}

// A Kubernetes service link's value: tcp|udp|sctp://<IPv4 or [IPv6]>:<port>.
bool is_link(std::string_view v) {
  const std::size_t scheme = v.find("://");
  if (scheme == std::string_view::npos) return false;
  const std::string_view proto = v.substr(0, scheme);
  if (proto != "tcp" && proto != "udp" && proto != "sctp") return false;
  v.remove_prefix(scheme + 3);
  const std::size_t colon = v.rfind(':');
  if (colon == std::string_view::npos || !decimal(v.substr(colon + 1))) return false;
  std::string_view host = v.substr(0, colon);
  std::string_view allowed = "0123456789.";
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') {
    host = host.substr(1, host.size() - 2);
    allowed = "0123456789abcdefABCDEF:.";
  }
  return !host.empty() && host.find_first_not_of(allowed) == std::string_view::npos;
}

bool same(const AppConfig::Value& a, const AppConfig::Value& b, bool near) {
  if (near) {
    const auto* x = std::get_if<milliseconds>(&a);
    const auto* y = std::get_if<milliseconds>(&b);
    return x && y && (*x - *y).count() >= -1 && (*x - *y).count() <= 1;
  }
  return a == b;
}

void check_ranges(const AppConfig& config) {
  for (const ConfigEntry& e : swoop::config_reference()) {
    const AppConfig::Value& v = config.value(e.name);
    switch (e.type) {
      case ConfigType::boolean:
        check(std::holds_alternative<bool>(v), "a boolean setting holds another type");
        break;
      case ConfigType::integer: {
        const auto* i = std::get_if<std::int64_t>(&v);
        check(i && *i >= e.min && *i <= e.max, "an integer setting out of its bounds");
        break;
      }
      case ConfigType::size:
        check(std::holds_alternative<std::uint64_t>(v), "a size setting holds another type");
        break;
      case ConfigType::duration: {
        const auto* d = std::get_if<milliseconds>(&v);
        check(d && d->count() >= 0 && d->count() <= 1'000'000'000'000'000,
              "a duration setting out of its range");
        break;
      }
      case ConfigType::string:
      case ConfigType::choice: {
        const auto* s = std::get_if<std::string>(&v);
        check(s != nullptr, "a text setting holds another type");
        if (e.type == ConfigType::choice) {
          check(!s->empty() && ("|" + e.choices + "|").find("|" + *s + "|") != std::string::npos,
                "a choice setting holds a word not among its choices");
        }
        break;
      }
    }
  }
}

void check_applied(const AppConfig& config) {
  swoop::RunOptions options;
  try {
    options = config.apply(swoop::RunOptions{});
  } catch (const std::exception& e) {
    std::fprintf(stderr, "apply: %s\n", e.what());
    check(false, "apply() threw on a loaded config");
  }
  check(options.port == config.get<std::uint16_t>("port") &&
            options.workers == config.get<int>("workers") &&
            options.max_body_size == config.get<std::size_t>("max_body_size") &&
            options.request_timeout == config.get<milliseconds>("request_timeout") &&
            options.host == config.get<std::string>("host"),
        "apply() did not take the config's values");
}

using Vars = std::vector<std::pair<std::string, std::string>>;

// What the model says of the pairs: the malformed ones, the unknown names, the last value of
// each setting named (and whether it is a duration, compared within 1 ms).
struct Expected {
  std::vector<std::string> malformed, unknown;
  std::map<std::string, std::pair<AppConfig::Value, bool>> values;
  bool undecided = false;  // a duration at the 1e15 ms limit, where rounding decides
};

Vars read_vars(swoop_fuzz::Input& in, std::string_view prefix, bool add_prefix) {
  Vars vars;
  while (!in.empty()) {
    const std::string_view line = in.until('\n');
    const std::size_t eq = line.find('=');
    std::string name{line.substr(0, eq)};
    if (add_prefix) name.insert(0, prefix);
    vars.emplace_back(std::move(name), eq == std::string_view::npos ? "" : line.substr(eq + 1));
  }
  return vars;
}

Expected expect(const Vars& vars, std::string_view prefix) {
  Expected x;
  for (const auto& [var, text] : vars) {
    if (!var.starts_with(prefix)) continue;
    const ConfigEntry* entry = nullptr;
    for (const ConfigEntry& e : swoop::config_reference()) {
      if (swoop::env_name(prefix, e.name) == var) entry = &e;
    }
    if (entry == nullptr) {
      x.unknown.push_back(var);
      continue;
    }
    x.undecided |= entry->type == ConfigType::duration && at_duration_limit(text);
    if (auto v = model(*entry, text)) {
      x.values.insert_or_assign(entry->name,
                                std::pair{std::move(*v), entry->type == ConfigType::duration});
    } else if (!is_link(text)) {
      x.malformed.push_back(var);
    }
  }
  return x;
}

void check_refused(std::string_view what, const Expected& x, const AppConfig& config) {
  check(x.undecided || !x.malformed.empty(), "load threw, but every value is well-formed");
  check(what.starts_with("configuration error in the environment:"),
        "load's error does not say what it is");
  for (const std::string& var : x.malformed) {
    check(what.find("\n  " + var + "='") != std::string_view::npos,
          "load's error does not name a malformed variable");
  }
  check(x.undecided || static_cast<std::size_t>(std::count(what.begin(), what.end(), '\n')) ==
                           x.malformed.size(),
        "load's error is not one line per malformed variable");
  static const AppConfig defaults;
  for (const ConfigEntry& e : swoop::config_reference()) {
    check(config.value(e.name) == defaults.value(e.name) && !config.is_set(e.name),
          "a failed load changed a setting");
  }
}

void check_loaded(const AppConfig& config, const Expected& x,
                  const std::vector<std::string>& warnings) {
  check(x.undecided || x.malformed.empty(), "load accepted a malformed value");
  for (const ConfigEntry& e : swoop::config_reference()) {
    const auto it = x.values.find(e.name);
    check(config.is_set(e.name) == (it != x.values.end()), "is_set disagrees with the input");
    if (it != x.values.end() && !x.undecided) {
      check(same(config.value(e.name), it->second.first, it->second.second),
            "a setting does not hold the value given");
    }
  }
  for (const std::string& w : warnings) {
    check(w.starts_with("config: ignoring "), "a warning that is not about an ignored variable");
  }
  for (const std::string& var : x.unknown) {
    bool named = false;
    for (const std::string& w : warnings) named |= w.find(var) != std::string::npos;
    check(named, "an unknown variable without a warning");
  }
  check_ranges(config);
  check_applied(config);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  swoop_fuzz::Input in{data, size};
  const std::uint8_t options = in.byte();
  static constexpr std::string_view prefixes[] = {"SWOOP_", "SWOOP_", "MYSVC_", ""};
  const std::string_view prefix = prefixes[options % 4];
  const Vars vars = read_vars(in, prefix, options & 4);
  const Expected expected = expect(vars, prefix);
  AppConfig config;
  std::vector<std::string> warnings;
  try {
    warnings = config.load(vars, prefix);
  } catch (const std::invalid_argument& e) {
    check_refused(e.what(), expected, config);
    return 0;
  } catch (...) {
    check(false, "load threw something other than std::invalid_argument");
  }
  check_loaded(config, expected, warnings);
  return 0;
}
