// SPDX-License-Identifier: MIT
// Internal: the allocator nghttp2 sessions use.
#pragma once

#include <nghttp2/nghttp2.h>

namespace swoop::detail {

/// nghttp2's allocations (a stream, an outbound frame, a decoded field, a header list to send)
/// come and go with each request: this allocator keeps freed small blocks in a per-thread
/// cache of size classes and hands them out again without malloc. The cache holds at most
/// 1 MiB per thread, and is freed when the thread ends. nullptr (nghttp2's own malloc) in the
/// sanitizer builds, so that ASan sees every block.
nghttp2_mem* http2_memory() noexcept;

}  // namespace swoop::detail
