// SPDX-License-Identifier: MIT
// AppConfig: typed settings with defaults, read from SWOOP_* environment variables.
#pragma once

#include <chrono>
#include <cstdint>
#include <limits>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <variant>
#include <vector>

#include "swoop/options.hpp"

namespace swoop {

/// How a setting's text is parsed.
enum class ConfigType {
  boolean,   ///< true/false, 1/0, yes/no, on/off (any case)
  integer,   ///< a decimal integer within the setting's bounds
  size,      ///< bytes: a count with an optional K, M or G suffix (powers of 1024): "16M"
  duration,  ///< seconds, or a number with an ms, s or m suffix: "30", "500ms", "1.5s", "2m"
  string,    ///< any text
  choice,    ///< one of the words in ConfigEntry::choices (any case; stored in lower case)
};

/// The name of a type as the reference documentation shows it ("duration").
std::string_view type_name(ConfigType type) noexcept;

/// One setting: a row of the configuration reference.
struct ConfigEntry {
  std::string name;                      ///< lower snake_case key, e.g. "request_timeout"
  ConfigType type = ConfigType::string;  ///< how values are parsed and checked
  std::string default_value;             ///< as text, in the syntax of an environment variable
  std::string meaning;                   ///< one sentence for the reference
  std::string choices;   ///< ConfigType::choice: the allowed words, separated by '|'
  std::int64_t min = 0;  ///< ConfigType::integer: the smallest value allowed
  std::int64_t max = std::numeric_limits<std::int64_t>::max();  ///< and the largest
};

/// The built-in settings, in reference order: every limit and timeout of RunOptions, plus
/// log_level and drain_delay. The environment variable of each is the prefix ("SWOOP_")
/// followed by the name in upper case.
const std::vector<ConfigEntry>& config_reference();

/// The environment variable of a setting: env_name("SWOOP_", "request_timeout") is
/// "SWOOP_REQUEST_TIMEOUT".
std::string env_name(std::string_view prefix, std::string_view name);

/// The settings of one App (app.config()), like Sanic's app.config: each has a type and a
/// default; they can be set from text (set) and from environment variables (load_env), and
/// are read typed (get).
///
/// Where values come from: an App reads the environment into its config when it is made (the
/// prefix is AppOptions::env_prefix, "SWOOP_" by default), so the code that registers routes
/// can read its settings; a setting declared afterwards takes its variable when declared.
/// App::run reports what that read found wrong: a malformed value stops the start
/// (std::invalid_argument), an unknown variable is a warning, logged once every setting has
/// been declared. Then every RunOptions field the caller did not give (Setting::is_given)
/// takes the config's value. So an explicit run() argument wins over the environment, even
/// when it equals the default, and the environment wins over built-in defaults. A Server or
/// TestClient uses its RunOptions as given, ignoring the config.
///
/// The prefix is the app's choice (Sanic's env_prefix): `App app{"mysvc", {.env_prefix =
/// "MYSVC_"}}` reads MYSVC_PORT, MYSVC_REQUEST_TIMEOUT, ..., and SWOOP_* variables are not
/// looked at. load_env("MYSVC_") later does the same: it replaces what the environment set.
///
/// The environment is shared with other software, so a variable with the prefix that names no
/// setting is ignored with a warning, not an error: Kubernetes service links (for a Service
/// named "swoop", a pod gets SWOOP_SERVICE_HOST, SWOOP_PORT=tcp://10.96.0.17:80,
/// SWOOP_PORT_80_TCP_ADDR, ...) get one warning that says where they come from, and any other
/// unknown variable one warning each, naming the closest setting when one is close (a typo).
///
/// Errors: set, declare and load_env throw std::invalid_argument naming the setting (or the
/// environment variable), the text and what was expected; load_env reports every malformed
/// value at once. Unknown variables are warnings, which load returns and load_env logs.
/// Thread safety: set up before serving; read-only (and then safe to read anywhere) after.
/// Example:
///     app.config().declare({.name = "db_url", .default_value = "postgres://localhost/app",
///                           .meaning = "database to connect to"});
///     // SWOOP_DB_URL and SWOOP_REQUEST_TIMEOUT=30 were read when the App was made
///     auto url = app.config().get<std::string>("db_url");
///     auto timeout = app.config().get<std::chrono::milliseconds>("request_timeout");
class AppConfig {
 public:
  /// A setting's value: boolean, integer, size, duration, or text (string and choice).
  using Value =
      std::variant<bool, std::int64_t, std::uint64_t, std::chrono::milliseconds, std::string>;

  /// Every built-in setting at its default.
  AppConfig();

  /// Adds a setting of the service's own. Throws std::invalid_argument when the name is not
  /// lower snake_case, is taken, or the default does not parse as the type.
  void declare(ConfigEntry entry);
  /// Sets a setting from text, parsed as its type. Throws std::invalid_argument for an
  /// unknown name or a malformed value.
  void set(std::string_view name, std::string_view text);
  /// True when the setting was set (by set or from the environment), not left at default.
  bool is_set(std::string_view name) const;

  /// Reads every environment variable that starts with prefix (see load()) and logs load's
  /// warnings at LogLevel::warning, unless the same environment sets log_level above
  /// warning. The values an earlier read of the environment set (the App's, when it was
  /// made) are replaced: load_env("MYSVC_") before run() reads MYSVC_* instead of SWOOP_*.
  /// Settings declared afterwards take their variable with this prefix.
  /// Throws std::invalid_argument as load does (changing nothing), and for an empty prefix.
  void load_env(std::string_view prefix = "SWOOP_");
  /// Sets settings from (name, value) pairs such as the environment: a pair whose name is
  /// prefix followed by a setting's name in upper case must parse as that setting's type;
  /// pairs without the prefix are not looked at.
  ///
  /// Returns the warnings about the pairs with the prefix that it ignores: first a single one
  /// for all the Kubernetes service links of a Service named like the prefix (for "SWOOP_",
  /// the Service "swoop": SWOOP_SERVICE_HOST, SWOOP_SERVICE_PORT, SWOOP_SERVICE_PORT_HTTP,
  /// SWOOP_PORT_80_TCP and the same with any port number and UDP or SCTP, each also with
  /// _PROTO, _PORT or _ADDR appended, and any variable whose value is a link such as
  /// tcp://10.96.0.17:80 that its setting cannot take, as SWOOP_PORT); then one per
  /// variable that names no setting, with the closest setting's variable when one is close
  /// (a typo). Logs nothing itself.
  /// Throws std::invalid_argument listing every malformed value, one per line (unknown
  /// variables are not errors); on error nothing is changed and no warning is returned.
  /// Example:
  ///     config.load({{"SWOOP_PORT", "9000"}, {"SWOOP_PORTT", "1"}});
  ///     // port is 9000; returns {"config: ignoring SWOOP_PORTT: no such setting (did you
  ///     // mean SWOOP_PORT?)"}
  std::vector<std::string> load(const std::vector<std::pair<std::string, std::string>>& vars,
                                std::string_view prefix = "SWOOP_");
  /// Whether the environment was read (by the App when it was made, or by load_env).
  bool env_loaded() const noexcept { return env_loaded_; }

  /// The value of a setting as T: bool; an integer type (integer and size settings, checked
  /// to fit); a std::chrono::duration (duration settings); std::string (string and choice).
  /// Throws std::invalid_argument for an unknown name or a T that does not fit the type.
  template <typename T>
  T get(std::string_view name) const;
  /// The value of a setting as stored.
  const Value& value(std::string_view name) const;
  /// Every setting, built-in ones first, then the declared ones in order.
  std::vector<ConfigEntry> entries() const;

  /// Returns options with every field the caller did not give (Setting::is_given) taken from
  /// the config.
  RunOptions apply(RunOptions options) const;

 private:
  friend class App;  // reads the environment when made, reports what it found in run()
  struct Slot {
    ConfigEntry entry;
    Value value;
    bool is_set = false;
    bool from_env = false;  // set by the last read of the environment
  };
  struct Reading;  // what a list of variables would change, and what is wrong with it
  Reading read(const std::vector<std::pair<std::string, std::string>>& vars,
               std::string_view prefix) const;
  // Reads the process environment's variables with prefix, replacing what an earlier read set;
  // strict: throws for a malformed value (changing nothing), else sets the well-formed ones.
  std::vector<std::string> read_env(std::string_view prefix, bool strict);
  // Throws for a malformed variable of the last read, and logs its warnings unless load_env
  // already did (App::run, once every setting is declared).
  void finish_env();
  const Slot& slot(std::string_view name) const;
  Slot& slot(std::string_view name);
  [[noreturn]] void wrong_type(std::string_view name, std::string_view wanted) const;
  [[noreturn]] void out_of_range(std::string_view name) const;

  std::vector<Slot> slots_;
  std::string env_prefix_;                                // of the last read
  std::vector<std::pair<std::string, std::string>> env_;  // its variables with the prefix
  bool env_loaded_ = false;
  bool env_warned_ = false;  // load_env logged the warnings of the last read
};

namespace detail {
template <typename T>
struct IsDuration : std::false_type {};
template <typename Rep, typename Period>
struct IsDuration<std::chrono::duration<Rep, Period>> : std::true_type {};
}  // namespace detail

template <typename T>
T AppConfig::get(std::string_view name) const {
  const Value& v = value(name);
  if constexpr (std::is_same_v<T, bool>) {
    if (const bool* b = std::get_if<bool>(&v)) return *b;
    wrong_type(name, "bool");
  } else if constexpr (std::is_integral_v<T>) {
    if (const auto* i = std::get_if<std::int64_t>(&v)) {
      if (std::in_range<T>(*i)) return static_cast<T>(*i);
      out_of_range(name);
    }
    if (const auto* u = std::get_if<std::uint64_t>(&v)) {
      if (std::in_range<T>(*u)) return static_cast<T>(*u);
      out_of_range(name);
    }
    wrong_type(name, "an integer type");
  } else if constexpr (detail::IsDuration<T>::value) {
    if (const auto* d = std::get_if<std::chrono::milliseconds>(&v)) {
      return std::chrono::duration_cast<T>(*d);
    }
    wrong_type(name, "a std::chrono::duration");
  } else {
    static_assert(std::is_same_v<T, std::string>,
                  "get<T>: T is bool, an integer type, a std::chrono::duration or std::string");
    if (const auto* s = std::get_if<std::string>(&v)) return *s;
    wrong_type(name, "std::string");
  }
}

}  // namespace swoop
