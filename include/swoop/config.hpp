// SPDX-License-Identifier: MIT
// Version, assertion and export macros: the one place for swoop's configuration switches.
#pragma once

#define SWOOP_VERSION_MAJOR 0
#define SWOOP_VERSION_MINOR 1
#define SWOOP_VERSION_PATCH 0

namespace swoop::detail {
/// Reports a broken precondition and aborts; called by SWOOP_ASSERT only.
[[noreturn]] void assert_fail(const char* expr, const char* why, const char* file,
                              int line) noexcept;
}  // namespace swoop::detail

/// Checks a precondition (a bug if false). Active unless NDEBUG is defined; tests always keep it
/// on.
#ifdef NDEBUG
#define SWOOP_ASSERT(cond, why) static_cast<void>(0)
#else
#define SWOOP_ASSERT(cond, why) \
  ((cond) ? static_cast<void>(0) : ::swoop::detail::assert_fail(#cond, why, __FILE__, __LINE__))
#endif
