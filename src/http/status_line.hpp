// SPDX-License-Identifier: MIT
// Internal: whole HTTP/1.1 status lines, made once.
#pragma once

#include <string_view>

namespace swoop::detail {

/// "HTTP/1.1 200 OK\r\n" for a status in 100..599 (the reason from reason_phrase()).
std::string_view status_line(int status) noexcept;

}  // namespace swoop::detail
