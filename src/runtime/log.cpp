// SPDX-License-Identifier: MIT
// The stderr logger behind swoop::log.
#include "swoop/log.hpp"

#include <atomic>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <exception>

#include "swoop/config.hpp"
#include "swoop/detail/root.hpp"

namespace swoop {

namespace {
std::atomic<LogLevel> current_level{LogLevel::info};

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
  // One fprintf per line keeps lines from different threads whole (stdio locks the stream).
  std::fprintf(stderr, "%s.%03dZ [%s] %.*s\n", stamp, static_cast<int>(ms), level_name(level),
               static_cast<int>(message.size()), message.data());
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
