// SPDX-License-Identifier: MIT
// A small leveled logger (fmt) writing one line per call to stderr.
#pragma once

#include <fmt/format.h>

#include <optional>
#include <string_view>

namespace swoop {

/// Severity of a log line; lines below the current level are dropped.
enum class LogLevel { debug, info, warning, error, off };

/// Sets the minimum level written (default: info). Thread-safe.
void set_log_level(LogLevel level) noexcept;
/// The minimum level written.
LogLevel log_level() noexcept;
/// The level named by text ("debug", "info", "warning", "error", "off"; any case), or
/// nullopt. SWOOP_LOG_LEVEL uses these names (see app_config.hpp).
std::optional<LogLevel> parse_log_level(std::string_view text) noexcept;
/// Writes one line (with time and level) to the log writer. Thread-safe; never throws.
void log_line(LogLevel level, std::string_view message) noexcept;
/// Writes one access-log line as it is (no time or level prefix: the line has its own
/// format) to the log writer, whatever the level. Thread-safe; never throws.
void log_access(std::string_view line) noexcept;

/// Where log lines go: a function given each whole line, newline excluded.
/// Must be thread-safe and must not throw.
using LogWriter = void (*)(std::string_view line) noexcept;
/// Sends log lines to writer instead of stderr; nullptr restores stderr. Thread-safe.
void set_log_writer(LogWriter writer) noexcept;

/// Formats and writes one line when level is enabled; formatting errors are logged, not thrown.
/// Example:
///     swoop::log(swoop::LogLevel::info, "listening on {}:{}", host, port);
template <typename... Args>
void log(LogLevel level, fmt::format_string<Args...> format, Args&&... args) noexcept {
  if (level < log_level()) return;
  try {
    log_line(level, fmt::format(format, std::forward<Args>(args)...));
  } catch (...) {
    log_line(LogLevel::error, "log line could not be formatted");
  }
}

}  // namespace swoop
