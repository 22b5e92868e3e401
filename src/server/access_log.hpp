// SPDX-License-Identifier: MIT
// Internal: formats access-log lines (Common Log Format or JSON lines) for the connection.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "swoop/options.hpp"

namespace swoop::detail {

/// What one access-log line reports about a request.
struct AccessRecord {
  std::string_view remote;  // client address
  std::string_view method;  // empty when the request line could not be parsed
  std::string_view target;
  int version = 11;  // 10 or 11
  int status = 0;
  std::size_t bytes = 0;  // body bytes sent
  std::uint64_t duration_ms = 0;
  std::string_view error;  // why the request was refused, if it was
};

/// The line for record in format (not AccessLog::off), without a newline.
std::string format_access(AccessLog format, const AccessRecord& record);

/// Writes the line for record through log_access; never throws.
void write_access(AccessLog format, const AccessRecord& record) noexcept;

}  // namespace swoop::detail
