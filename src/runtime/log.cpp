// SPDX-License-Identifier: MIT
// The stderr logger behind swoop::log.
#include "swoop/log.hpp"

#include <atomic>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <exception>
#include <string>
#include <utility>

#include "swoop/config.hpp"
#include "swoop/detail/root.hpp"

namespace swoop {

namespace {
std::atomic<LogLevel> current_level{LogLevel::info};
std::atomic<LogWriter> current_writer{nullptr};

void write_line(std::string_view line) noexcept {
  if (LogWriter w = current_writer.load(std::memory_order_acquire)) {
    w(line);
    return;
  }
  // One fwrite per line keeps lines from different threads whole (stdio locks the stream).
  std::fprintf(stderr, "%.*s\n", static_cast<int>(line.size()), line.data());
}

const char* level_name(LogLevel level) noexcept {
  switch (level) {
    case LogLevel::debug:
      return "DEBUG";
    case LogLevel::info:
      return "INFO";
    case LogLevel::warning:
      return "WARNING";
    case LogLevel::error:
      return "ERROR";
    case LogLevel::off:
      break;
  }
  return "";
}
}  // namespace

void set_log_level(LogLevel level) noexcept {
  current_level.store(level, std::memory_order_relaxed);
}

LogLevel log_level() noexcept { return current_level.load(std::memory_order_relaxed); }

std::optional<LogLevel> parse_log_level(std::string_view text) noexcept {
  static constexpr std::pair<std::string_view, LogLevel> names[] = {{"debug", LogLevel::debug},
                                                                    {"info", LogLevel::info},
                                                                    {"warning", LogLevel::warning},
                                                                    {"error", LogLevel::error},
                                                                    {"off", LogLevel::off}};
  for (const auto& [name, level] : names) {
    if (name.size() != text.size()) continue;
    bool same = true;
    for (std::size_t i = 0; i < name.size(); ++i) {
      const char c = text[i] >= 'A' && text[i] <= 'Z' ? static_cast<char>(text[i] + 32) : text[i];
      same = same && c == name[i];
    }
    if (same) return level;
  }
  return std::nullopt;
}

void set_log_writer(LogWriter writer) noexcept {
  current_writer.store(writer, std::memory_order_release);
}

void log_access(std::string_view line) noexcept { write_line(line); }

void log_line(LogLevel level, std::string_view message) noexcept {
  if (level < log_level() || level == LogLevel::off) return;
  using namespace std::chrono;
  const auto now = system_clock::now();
  const std::time_t t = system_clock::to_time_t(now);
  const auto ms = duration_cast<milliseconds>(now.time_since_epoch()).count() % 1000;
  std::tm tm{};
  gmtime_r(&t, &tm);
  char stamp[32];
  std::strftime(stamp, sizeof stamp, "%Y-%m-%dT%H:%M:%S", &tm);
  char head[64];
  const int n = std::snprintf(head, sizeof head, "%s.%03dZ [%s] ", stamp, static_cast<int>(ms),
                              level_name(level));
  std::string line;
  try {
    line.reserve(static_cast<std::size_t>(n) + message.size());
    line.append(head, static_cast<std::size_t>(n));
    line.append(message);
  } catch (...) {
    write_line(message);  // out of memory: the message alone
    return;
  }
  write_line(line);
}

namespace detail {

void assert_fail(const char* expr, const char* why, const char* file, int line) noexcept {
  std::fprintf(stderr, "swoop: assertion failed: %s (%s) at %s:%d\n", expr, why, file, line);
  std::abort();
}

void log_escaped(const char* where, std::exception_ptr e) noexcept {
  try {
    std::rethrow_exception(e);
  } catch (const std::exception& ex) {
    log(LogLevel::error, "exception escaped {}: {}", where, ex.what());
  } catch (...) {
    log(LogLevel::error, "non-standard exception escaped {}", where);
  }
}

}  // namespace detail
}  // namespace swoop
