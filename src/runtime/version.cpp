// SPDX-License-Identifier: MIT
// swoop::version(): the version the library was compiled as, from config.hpp's macros.
#include "swoop/config.hpp"

// Two steps, so that the macros' values are turned into text and not their names (libuv's
// version.c does the same).
#define SWOOP_VERSION_TEXT_OF(major, minor, patch) #major "." #minor "." #patch
#define SWOOP_VERSION_TEXT(major, minor, patch) SWOOP_VERSION_TEXT_OF(major, minor, patch)

namespace swoop {

std::string_view version() noexcept {
  return SWOOP_VERSION_TEXT(SWOOP_VERSION_MAJOR, SWOOP_VERSION_MINOR, SWOOP_VERSION_PATCH);
}

}  // namespace swoop
