// SPDX-License-Identifier: MIT
// Internal: one spare body string per thread, lent from the server's sent responses to json().
#pragma once

#include <string>

namespace swoop::detail {

/// A string to build a response body in: empty, but with the storage of a body this thread
/// sent earlier when there is one (see give_body_buffer). A worker answering json() then does
/// not allocate and free a body per request, nor grow one step by step to its size.
std::string take_body_buffer() noexcept;

/// For the server: keeps the storage of a body that has been sent, for this thread's next
/// take_body_buffer(). Kept only when larger than the spare already held and at most 16 KB.
void give_body_buffer(std::string&& body) noexcept;

}  // namespace swoop::detail
