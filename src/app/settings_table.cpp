// SPDX-License-Identifier: MIT
// The built-in settings: one row per RunOptions field (plus log_level), from which the
// reference's defaults and AppConfig::apply are derived; and the range check of Http2Options,
// whose bounds the table shares.
#include "app/settings_table.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <limits>
#include <type_traits>

namespace swoop {

namespace {

using std::chrono::milliseconds;

// HTTP/2 flow-control windows: 65535 is the protocol's initial window, which the connection's
// cannot shrink below (RFC 9113 section 6.9.2) and a smaller stream window only slows clients
// down; above 2^31-1 is a FLOW_CONTROL_ERROR (section 6.5.2).
constexpr std::int64_t min_http2_window = 65'535;
constexpr std::int64_t max_http2_window = 2'147'483'647;
constexpr std::int64_t max_http2_streams = std::numeric_limits<std::uint32_t>::max();

constexpr std::string_view access_log_names[] = {"off", "common", "json"};  // by AccessLog

// A built-in setting's default as the reference shows it (in the syntax of its variable).
std::string size_text(std::uint64_t bytes) {
  constexpr std::pair<std::uint64_t, char> units[] = {
      {1 << 30, 'G'}, {1 << 20, 'M'}, {1 << 10, 'K'}};
  for (const auto& [unit, suffix] : units) {
    if (bytes != 0 && bytes % unit == 0) return fmt::format("{}{}", bytes / unit, suffix);
  }
  return std::to_string(bytes);
}

template <typename T>
std::string default_text(ConfigType type, const T& value) {
  if constexpr (std::is_same_v<T, bool>) {
    return value ? "true" : "false";
  } else if constexpr (std::is_same_v<T, AccessLog>) {
    return std::string{access_log_names[static_cast<int>(value)]};
  } else if constexpr (std::is_integral_v<T>) {
    return type == ConfigType::size ? size_text(value) : std::to_string(value);
  } else if constexpr (std::is_same_v<T, milliseconds>) {
    const auto ms = value.count();
    return ms % 1000 == 0 ? fmt::format("{}s", ms / 1000) : fmt::format("{}ms", ms);
  } else {
    return value;
  }
}

template <typename T>
T config_value(const AppConfig& config, const std::string& name) {
  if constexpr (std::is_same_v<T, AccessLog>) {
    const std::string word = config.get<std::string>(name);  // one of the choices
    const auto* found = std::find(std::begin(access_log_names), std::end(access_log_names), word);
    return static_cast<AccessLog>(found - std::begin(access_log_names));
  } else {
    return config.get<T>(name);
  }
}

using detail::BuiltinSetting;

// The Setting that Path leads to from options: member pointers such as &RunOptions::port, or
// &RunOptions::tls, &TlsOptions::cert_file (a fold: options.*tls.*cert_file).
template <auto... Path, typename Options>
auto& field(Options& options) {
  return (options.*....*Path);
}

const RunOptions& default_options() {
  static const RunOptions defaults;
  return defaults;
}

// The row of the field that Path leads to, its default printed from RunOptions{}. With
// ZeroIsUnlimited, 0 in the config stands for the field's largest value ("no limit").
template <bool ZeroIsUnlimited, auto... Path>
BuiltinSetting make_builtin(ConfigEntry entry) {
  const auto& fallback = *field<Path...>(default_options());
  using T = std::remove_cvref_t<decltype(fallback)>;
  if constexpr (ZeroIsUnlimited) {
    entry.default_value =
        fallback == std::numeric_limits<T>::max() ? "0" : default_text(entry.type, fallback);
  } else {
    entry.default_value = default_text(entry.type, fallback);
  }
  if constexpr (std::is_same_v<T, AccessLog>) {
    for (const std::string_view word : access_log_names) {
      if (!entry.choices.empty()) entry.choices += '|';
      entry.choices += word;
    }
  }
  auto fill = [](const AppConfig& config, const std::string& name, RunOptions& options) {
    Setting<T>& setting = field<Path...>(options);
    if (setting.is_given()) return;
    T value = config_value<T>(config, name);
    if constexpr (ZeroIsUnlimited) {
      if (value == 0) value = std::numeric_limits<T>::max();
    }
    setting = defaults_to(std::move(value));  // still not given: the config's, not the caller's
  };
  return {std::move(entry), fill};
}

// A row: its name, type and meaning, and an integer's bounds.
template <auto... Path>
BuiltinSetting builtin(std::string name, ConfigType type, std::string meaning, std::int64_t min = 0,
                       std::int64_t max = std::numeric_limits<std::int64_t>::max()) {
  return make_builtin<false, Path...>({.name = std::move(name),
                                       .type = type,
                                       .meaning = std::move(meaning),
                                       .min = min,
                                       .max = max});
}

// A size whose 0 in the config means no limit of its own (the field's largest value).
template <auto... Path>
BuiltinSetting unlimited_at_zero(std::string name, std::string meaning) {
  return make_builtin<true, Path...>(
      {.name = std::move(name), .type = ConfigType::size, .meaning = std::move(meaning)});
}

}  // namespace

namespace detail {

// The built-in settings, in reference order. Each row names its RunOptions field and gives what
// the code cannot know: the name, the type, the meaning, and the bounds of an integer or the
// words of a choice; the default is the field's own.
const std::vector<BuiltinSetting>& builtin_settings() {
  using T = ConfigType;
  using R = RunOptions;
  using H = Http2Options;
  using F = FormLimits;
  static const std::vector<BuiltinSetting> table{
      builtin<&R::host>("host", T::string, "address to bind (an IPv4 or IPv6 literal)"),
      builtin<&R::port>("port", T::integer, "port to listen on; 0 picks a free one", 0, 65535),
      builtin<&R::workers>("workers", T::integer, "event-loop threads; 0 means one per core", 0,
                           1024),
      builtin<&R::backlog>("backlog", T::integer, "listen backlog", 1, 65535),
      builtin<&R::tls, &TlsOptions::cert_file>("tls_cert_file", T::string,
                                               "PEM certificate chain; with tls_key_file: HTTPS"),
      builtin<&R::tls, &TlsOptions::key_file>("tls_key_file", T::string,
                                              "PEM private key of the TLS certificate"),
      builtin<&R::http2, &H::enabled>(
          "http2", T::boolean,
          "offer HTTP/2: h2 through ALPN with TLS, h2c with prior knowledge without"),
      builtin<&R::http2, &H::max_concurrent_streams>(
          "http2_max_concurrent_streams", T::integer,
          "streams one HTTP/2 connection may have open at once", 1, max_http2_streams),
      builtin<&R::http2, &H::stream_window>(
          "http2_stream_window", T::integer,
          "request body bytes an HTTP/2 client may send ahead on one stream", min_http2_window,
          max_http2_window),
      builtin<&R::http2, &H::connection_window>("http2_connection_window", T::integer,
                                                "the same for a whole HTTP/2 connection",
                                                min_http2_window, max_http2_window),
      builtin<&R::max_connections>("max_connections", T::integer, "open connections per worker", 1),
      builtin<&R::max_target_size>("max_target_size", T::size, "request-target bytes (414 beyond)"),
      builtin<&R::max_header_size>("max_header_size", T::size,
                                   "request line and header bytes (431 beyond)"),
      builtin<&R::max_header_count>("max_header_count", T::integer,
                                    "header fields per request (431 beyond)", 1),
      builtin<&R::max_body_size>("max_body_size", T::size, "request body bytes (413 beyond)"),
      builtin<&R::buffered_body_budget>(
          "buffered_body_budget", T::size,
          "large request bodies one worker holds at once (reading pauses beyond)"),
      builtin<&R::request_timeout>("request_timeout", T::duration,
                                   "time for a whole request to arrive (408)"),
      builtin<&R::response_timeout>("response_timeout", T::duration,
                                    "time a handler may run (503 beyond)"),
      builtin<&R::keep_alive_timeout>("keep_alive_timeout", T::duration,
                                      "idle time before a keep-alive close"),
      builtin<&R::graceful_shutdown_timeout>("graceful_shutdown_timeout", T::duration,
                                             "time in-flight requests get to finish on shutdown"),
      builtin<&R::linger_timeout>("linger_timeout", T::duration,
                                  "time to drain a client after closing our side"),
      builtin<&R::drain_delay>(
          "drain_delay", T::duration,
          "on shutdown, time serving with /readyz at 503 before the listener closes"),
      builtin<&R::form_limits, &F::max_fields>("form_max_fields", T::integer,
                                               "non-file form fields (413 beyond)"),
      builtin<&R::form_limits, &F::max_files>("form_max_files", T::integer,
                                              "uploaded files in a form (413 beyond)"),
      builtin<&R::form_limits, &F::max_parts>("form_max_parts", T::integer,
                                              "multipart parts (413 beyond)"),
      builtin<&R::form_limits, &F::max_part_header_size>("form_max_part_header_size", T::size,
                                                         "bytes of one part's header lines"),
      builtin<&R::form_limits, &F::max_field_size>("form_max_field_size", T::size,
                                                   "bytes of one form field's value"),
      unlimited_at_zero<&R::form_limits, &F::max_file_size>(
          "form_max_file_size", "bytes of one uploaded file; 0: no own limit"),
      builtin<&R::json_any_content_type>("json_any_content_type", T::boolean,
                                         "req.json() parses bodies whatever their Content-Type"),
      builtin<&R::access_log>("access_log", T::choice, "one line per request on stderr"),
      // Not a RunOptions field: App::run sets the process's level (swoop/log.hpp) from it.
      BuiltinSetting{{.name = "log_level",
                      .type = T::choice,
                      .default_value = "info",
                      .meaning = "lowest level logged",
                      .choices = "debug|info|warning|error|off"}},
      builtin<&R::debug>("debug", T::boolean, "error responses show exception details"),
      builtin<&R::pubsub_url>(
          "pubsub_url", T::string,
          "topics beyond this process: redis://[:password@]host[:port]; empty: in-process"),
  };
  return table;
}

}  // namespace detail

const std::vector<ConfigEntry>& config_reference() {
  static const std::vector<ConfigEntry> entries = [] {
    std::vector<ConfigEntry> out;
    for (const detail::BuiltinSetting& b : detail::builtin_settings()) out.push_back(b.entry);
    return out;
  }();
  return entries;
}
namespace {
void check_range(std::string_view field, std::uint32_t value, std::int64_t min, std::int64_t max) {
  if (value >= min && value <= max) return;
  throw std::invalid_argument(
      fmt::format("RunOptions::http2.{} is {}: it must be from {} to {}", field, value, min, max));
}
}  // namespace

void Http2Options::check() const {
  check_range("max_concurrent_streams", max_concurrent_streams, 1, max_http2_streams);
  check_range("stream_window", stream_window, min_http2_window, max_http2_window);
  check_range("connection_window", connection_window, min_http2_window, max_http2_window);
}

}  // namespace swoop
