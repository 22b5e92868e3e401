// SPDX-License-Identifier: MIT
// Internal: formats access-log lines (Common Log Format or JSON lines) for the connection.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "swoop/detail/access.hpp"
#include "swoop/detail/body.hpp"
#include "swoop/options.hpp"
#include "swoop/request.hpp"
#include "swoop/response.hpp"

namespace swoop::detail {

/// What one access-log line reports about a request.
struct AccessRecord {
  std::string_view remote;  // client address
  std::string_view method;  // empty when the request line could not be parsed
  std::string_view target;
  int version = 11;  // 10, 11 or 20
  int status = 0;
  std::size_t bytes = 0;  // body bytes sent
  std::uint64_t duration_ms = 0;
  std::string_view error;  // why the request was refused, if it was
};

/// The record of req answered by res (body_sent: its body went out, as not for a HEAD), from
/// remote, after duration_ms.
inline AccessRecord answer_record(std::string_view remote, const Request& req, const Response& res,
                                  bool body_sent, std::uint64_t duration_ms) noexcept {
  const std::size_t size =
      res.is_streamed() ? detail::Access::body_source(res)->length.value_or(0) : res.body().size();
  return {.remote = remote,
          .method = req.method(),
          .target = req.target(),
          .version = req.version(),
          .status = res.status(),
          .bytes = body_sent ? size : 0,
          .duration_ms = duration_ms};
}

/// The line for record in format (not AccessLog::off), without a newline.
std::string format_access(AccessLog format, const AccessRecord& record);

/// Writes the line for record through log_access; never throws.
void write_access(AccessLog format, const AccessRecord& record) noexcept;

}  // namespace swoop::detail
