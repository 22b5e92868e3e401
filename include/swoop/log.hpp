// SPDX-License-Identifier: MIT
// A small leveled logger (fmt) writing one line per call to stderr.
#pragma once

#include <fmt/format.h>

#include <string_view>

namespace swoop {

/// Severity of a log line; lines below the current level are dropped.
enum class LogLevel { debug, info, warning, error, off };

/// Sets the minimum level written (default: info). Thread-safe.
void set_log_level(LogLevel level) noexcept;
/// The minimum level written.
LogLevel log_level() noexcept;
/// Writes one line (with time and level) to stderr. Thread-safe; never throws.
void log_line(LogLevel level, std::string_view message) noexcept;

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
