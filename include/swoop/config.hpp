// SPDX-License-Identifier: MIT
// Version, assertion and export macros: the one place for swoop's configuration switches.
#pragma once

#include <string_view>

// The version: CMakeLists.txt refuses to configure when project(swoop VERSION ...) differs.
/// The major version of these headers: 0 while the API may still change between minor versions.
#define SWOOP_VERSION_MAJOR 0
/// The minor version of these headers.
#define SWOOP_VERSION_MINOR 2
/// The patch version of these headers.
#define SWOOP_VERSION_PATCH 0

namespace swoop {
/// Returns the version of the compiled library, "MAJOR.MINOR.PATCH" (such as "0.2.0"). It
/// reports the library the program linked, which differs from the SWOOP_VERSION_* macros of
/// the headers it was compiled against only when headers and library come from different
/// installs.
/// Lifetime: the view points at static storage, valid for the whole program.
/// Thread safety: may be called from any thread.
/// Example:
///     fmt::print("built with swoop {}\n", swoop::version());
[[nodiscard]] std::string_view version() noexcept;
}  // namespace swoop

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
