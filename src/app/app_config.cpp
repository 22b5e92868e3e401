// SPDX-License-Identifier: MIT
// AppConfig: parsing of typed values, the environment, and filling RunOptions from the
// built-in settings (settings_table.cpp).
#include "swoop/app_config.hpp"

#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <optional>
#include <stdexcept>

#include "app/service_links.hpp"
#include "app/settings_table.hpp"
#include "swoop/log.hpp"

namespace swoop {

namespace {

using std::chrono::milliseconds;

std::string lower(std::string_view s) {
  std::string out{s};
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

std::optional<std::uint64_t> parse_unsigned(std::string_view s) {
  std::uint64_t v = 0;
  const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (s.empty() || ec != std::errc{} || end != s.data() + s.size()) return std::nullopt;
  return v;
}

std::optional<std::uint64_t> parse_size(std::string_view s) {
  std::uint64_t unit = 1;
  if (!s.empty()) {
    switch (s.back()) {
      case 'k':
      case 'K':
        unit = 1024;
        break;
      case 'm':
      case 'M':
        unit = 1024 * 1024;
        break;
      case 'g':
      case 'G':
        unit = 1024 * 1024 * 1024;
        break;
      default:
        break;
    }
  }
  if (unit != 1) s.remove_suffix(1);
  const auto n = parse_unsigned(s);
  if (!n || *n > std::numeric_limits<std::uint64_t>::max() / unit) return std::nullopt;
  return *n * unit;
}

// "30" (seconds), "1.5s", "500ms", "2m": a non-negative decimal and an optional unit.
std::optional<milliseconds> parse_duration(std::string_view s) {
  double unit_ms = 1000;
  if (s.ends_with("ms")) {
    unit_ms = 1;
    s.remove_suffix(2);
  } else if (s.ends_with('s')) {
    s.remove_suffix(1);
  } else if (s.ends_with('m')) {
    unit_ms = 60'000;
    s.remove_suffix(1);
  }
  const std::size_t dot = s.find('.');
  const auto whole = parse_unsigned(s.substr(0, dot));
  if (!whole) return std::nullopt;
  double value = static_cast<double>(*whole);
  if (dot != std::string_view::npos) {
    const std::string_view frac = s.substr(dot + 1);
    if (!parse_unsigned(frac) || frac.size() > 9) return std::nullopt;
    value += static_cast<double>(*parse_unsigned(frac)) / std::pow(10.0, frac.size());
  }
  const double ms = std::round(value * unit_ms);
  if (ms > 1e15) return std::nullopt;  // beyond any sensible timeout, and far from overflow
  return milliseconds{static_cast<std::int64_t>(ms)};
}

std::optional<bool> parse_bool(std::string_view s) {
  const std::string v = lower(s);
  if (v == "true" || v == "1" || v == "yes" || v == "on") return true;
  if (v == "false" || v == "0" || v == "no" || v == "off") return false;
  return std::nullopt;
}

std::string expected(const ConfigEntry& e) {
  switch (e.type) {
    case ConfigType::boolean:
      return "a boolean (true/false, 1/0, yes/no, on/off)";
    case ConfigType::integer:
      return fmt::format("an integer from {} to {}", e.min, e.max);
    case ConfigType::size:
      return "a size in bytes, with an optional K, M or G suffix (e.g. 16M)";
    case ConfigType::duration:
      return "a duration: seconds, or a number with an ms, s or m suffix (e.g. 30, 500ms, 2m)";
    case ConfigType::string:
      return "text";
    case ConfigType::choice: {
      std::string words = e.choices;
      std::replace(words.begin(), words.end(), '|', ',');
      return "one of " + words;
    }
  }
  return "";
}

// text as an error message shows it: control characters as \xNN, so that a value can neither
// end what() early (NUL) nor break the one-line-per-variable list (CR, LF).
std::string shown(std::string_view text) {
  std::string out;
  for (const char c : text) {
    const auto byte = static_cast<unsigned char>(c);
    if (byte < 0x20 || byte == 0x7f)
      out += fmt::format("\\x{:02X}", byte);
    else
      out += c;
  }
  return out;
}

// One line of "configuration error in the environment:".
std::string malformed(std::string_view var, std::string_view text, const ConfigEntry& entry) {
  return fmt::format("\n  {}='{}': expected {}", var, shown(text), expected(entry));
}

// The value of text as entry's type, or nullopt when it does not parse.
std::optional<AppConfig::Value> parse(const ConfigEntry& e, std::string_view text) {
  switch (e.type) {
    case ConfigType::boolean:
      if (auto b = parse_bool(text)) return *b;
      break;
    case ConfigType::integer: {
      const bool negative = text.starts_with('-');
      const auto magnitude = parse_unsigned(negative ? text.substr(1) : text);
      if (!magnitude || *magnitude > static_cast<std::uint64_t>(e.max) + (negative ? 1 : 0)) break;
      const std::int64_t v = negative ? -static_cast<std::int64_t>(*magnitude - 1) - 1
                                      : static_cast<std::int64_t>(*magnitude);
      if (v >= e.min && v <= e.max) return v;
      break;
    }
    case ConfigType::size:
      if (auto n = parse_size(text)) return *n;
      break;
    case ConfigType::duration:
      if (auto d = parse_duration(text)) return *d;
      break;
    case ConfigType::string:
      return std::string{text};
    case ConfigType::choice: {
      const std::string v = lower(text);
      std::string_view rest = e.choices;
      while (!v.empty()) {
        const std::size_t bar = rest.find('|');
        if (rest.substr(0, bar) == v) return v;
        if (bar == std::string_view::npos) break;
        rest.remove_prefix(bar + 1);
      }
      break;
    }
  }
  return std::nullopt;
}

bool is_snake_case(std::string_view name) {
  if (name.empty() || name.front() < 'a' || name.front() > 'z') return false;
  return std::all_of(name.begin(), name.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
  });
}

// Levenshtein distance, for "did you mean" on a mistyped variable.
std::size_t distance(std::string_view a, std::string_view b) {
  std::vector<std::size_t> row(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    std::size_t diagonal = row[0];
    row[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      const std::size_t above = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] != b[j - 1] ? 1 : 0)});
      diagonal = above;
    }
  }
  return row[b.size()];
}

// ", did you mean" text for a variable that names no setting: the closest setting's variable
// when it is a few edits away, else nothing.
std::string suggestion(std::string_view var, const std::vector<std::string>& names) {
  std::string_view best;
  std::size_t best_distance = 3;  // suggest only close spellings
  for (const std::string& candidate : names) {
    const std::size_t d = distance(var, candidate);
    if (d < best_distance) best_distance = d, best = candidate;
  }
  return best.empty() ? "" : fmt::format(" (did you mean {}?)", best);
}

}  // namespace

std::string_view type_name(ConfigType type) noexcept {
  switch (type) {
    case ConfigType::boolean:
      return "boolean";
    case ConfigType::integer:
      return "integer";
    case ConfigType::size:
      return "size";
    case ConfigType::duration:
      return "duration";
    case ConfigType::string:
      return "string";
    case ConfigType::choice:
      return "choice";
  }
  return "";
}

std::string env_name(std::string_view prefix, std::string_view name) {
  std::string out{prefix};
  for (char c : name) out += (c >= 'a' && c <= 'z') ? static_cast<char>(c - 'a' + 'A') : c;
  return out;
}

AppConfig::AppConfig() {
  for (const ConfigEntry& e : config_reference()) declare(e);
}

void AppConfig::declare(ConfigEntry entry) {
  if (!is_snake_case(entry.name)) {
    throw std::invalid_argument("config: setting name '" + entry.name +
                                "' must be lower snake_case (a-z, 0-9, _)");
  }
  for (const Slot& s : slots_) {
    if (s.entry.name == entry.name) {
      throw std::invalid_argument("config: setting '" + entry.name + "' is already declared");
    }
  }
  auto v = parse(entry, entry.default_value);
  if (!v) {
    throw std::invalid_argument(fmt::format("config: the default of '{}', '{}', is not {}",
                                            entry.name, entry.default_value, expected(entry)));
  }
  slots_.push_back({std::move(entry), std::move(*v)});
  if (!env_loaded_) return;
  Slot& s = slots_.back();
  const std::string var = env_name(env_prefix_, s.entry.name);
  const auto found =
      std::find_if(env_.begin(), env_.end(), [&](const auto& e) { return e.first == var; });
  if (found == env_.end() || detail::is_service_link_value(found->second)) return;
  if (auto from_env = parse(s.entry, found->second)) {
    s.value = std::move(*from_env);
    s.is_set = s.from_env = true;
    return;
  }
  const std::string error = malformed(var, found->second, s.entry);
  slots_.pop_back();
  throw std::invalid_argument("configuration error in the environment:" + error);
}

const AppConfig::Slot& AppConfig::slot(std::string_view name) const {
  for (const Slot& s : slots_) {
    if (s.entry.name == name) return s;
  }
  throw std::invalid_argument("config: no setting named '" + std::string{name} + "'");
}

AppConfig::Slot& AppConfig::slot(std::string_view name) {
  return const_cast<Slot&>(std::as_const(*this).slot(name));
}

void AppConfig::set(std::string_view name, std::string_view text) {
  Slot& s = slot(name);
  auto v = parse(s.entry, text);
  if (!v) {
    throw std::invalid_argument(
        fmt::format("config: {}: '{}' is not {}", name, shown(text), expected(s.entry)));
  }
  s.value = std::move(*v);
  s.is_set = true;
  s.from_env = false;
}

bool AppConfig::is_set(std::string_view name) const { return slot(name).is_set; }

const AppConfig::Value& AppConfig::value(std::string_view name) const { return slot(name).value; }

std::vector<ConfigEntry> AppConfig::entries() const {
  std::vector<ConfigEntry> out;
  for (const Slot& s : slots_) out.push_back(s.entry);
  return out;
}

void AppConfig::wrong_type(std::string_view name, std::string_view wanted) const {
  throw std::invalid_argument(fmt::format("config: '{}' is a {} setting, not readable as {}", name,
                                          type_name(slot(name).entry.type), wanted));
}

void AppConfig::out_of_range(std::string_view name) const {
  throw std::invalid_argument(
      fmt::format("config: the value of '{}' does not fit the type asked", name));
}

struct AppConfig::Reading {
  std::vector<std::pair<std::size_t, Value>> updates;  // slot index, new value
  std::vector<std::string> warnings;                   // the service links' one first
  std::string errors;                                  // one line per malformed variable
};

AppConfig::Reading AppConfig::read(const std::vector<std::pair<std::string, std::string>>& vars,
                                   std::string_view prefix) const {
  std::vector<std::string> names;  // the variable of each slot
  for (const Slot& s : slots_) names.push_back(env_name(prefix, s.entry.name));
  Reading r;
  std::vector<std::string> links;
  for (const auto& [var, text] : vars) {
    if (!var.starts_with(prefix)) continue;
    const auto named = std::find(names.begin(), names.end(), var);
    if (named != names.end()) {
      const auto index = static_cast<std::size_t>(named - names.begin());
      const ConfigEntry& entry = slots_[index].entry;
      if (auto v = parse(entry, text)) {
        r.updates.emplace_back(index, std::move(*v));
      } else if (detail::is_service_link_value(text)) {  // SWOOP_PORT=tcp://10.96.0.17:80
        links.push_back(var);
      } else {
        r.errors += malformed(var, text, entry);
      }
    } else if (detail::is_service_link_name(std::string_view{var}.substr(prefix.size())) ||
               detail::is_service_link_value(text)) {
      links.push_back(var);
    } else {
      r.warnings.push_back(
          fmt::format("config: ignoring {}: no such setting{}", var, suggestion(var, names)));
    }
  }
  if (!links.empty())
    r.warnings.insert(r.warnings.begin(), detail::service_links_warning(prefix, links));
  return r;
}

std::vector<std::string> AppConfig::load(
    const std::vector<std::pair<std::string, std::string>>& vars, std::string_view prefix) {
  Reading r = read(vars, prefix);
  if (!r.errors.empty()) {
    throw std::invalid_argument("configuration error in the environment:" + r.errors);
  }
  for (auto& [index, v] : r.updates) {
    slots_[index].value = std::move(v);
    slots_[index].is_set = true;
  }
  return std::move(r.warnings);
}

std::vector<std::string> AppConfig::read_env(std::string_view prefix, bool strict) {
  if (prefix.empty()) throw std::invalid_argument("config: the environment prefix is empty");
  std::vector<std::pair<std::string, std::string>> vars;
  for (char** e = environ; *e != nullptr; ++e) {
    const std::string_view entry = *e;
    const std::size_t eq = entry.find('=');
    if (eq == std::string_view::npos || !entry.starts_with(prefix)) continue;
    vars.emplace_back(entry.substr(0, eq), entry.substr(eq + 1));
  }
  Reading r = read(vars, prefix);
  if (strict && !r.errors.empty()) {
    throw std::invalid_argument("configuration error in the environment:" + r.errors);
  }
  for (Slot& s : slots_) {
    if (!s.from_env) continue;
    s.value = *parse(s.entry, s.entry.default_value);  // parsed when declared
    s.is_set = s.from_env = false;
  }
  for (auto& [index, v] : r.updates) {
    slots_[index].value = std::move(v);
    slots_[index].is_set = slots_[index].from_env = true;
  }
  env_prefix_ = prefix;
  env_ = std::move(vars);
  env_loaded_ = true;
  env_warned_ = false;
  return std::move(r.warnings);
}

void AppConfig::load_env(std::string_view prefix) {
  const std::vector<std::string> warnings = read_env(prefix, true);
  env_warned_ = true;
  // App::run applies log_level only after loading: a level from the same environment
  // (SWOOP_LOG_LEVEL=error) must already silence these lines.
  const auto level = parse_log_level(get<std::string>("log_level"));
  if (is_set("log_level") && level && *level > LogLevel::warning) return;
  for (const std::string& w : warnings) log(LogLevel::warning, "{}", w);
}

void AppConfig::finish_env() {
  if (!env_loaded_) return;
  const Reading r = read(env_, env_prefix_);
  if (!r.errors.empty()) {
    throw std::invalid_argument("configuration error in the environment:" + r.errors);
  }
  if (env_warned_) return;
  env_warned_ = true;
  for (const std::string& w : r.warnings) log(LogLevel::warning, "{}", w);
}

RunOptions AppConfig::apply(RunOptions options) const {
  for (const detail::BuiltinSetting& b : detail::builtin_settings()) {
    if (b.fill != nullptr) b.fill(*this, b.entry.name, options);
  }
  return options;
}

}  // namespace swoop
