// SPDX-License-Identifier: MIT
// The version the code can read: swoop::version() and the SWOOP_VERSION_* macros (config.hpp).
#include "swoop/config.hpp"

#include <doctest/doctest.h>
#include <fmt/format.h>

#include <string>

TEST_SUITE("config") {
  TEST_CASE("version() is the SWOOP_VERSION_* macros joined with dots") {
    const std::string joined =
        fmt::format("{}.{}.{}", SWOOP_VERSION_MAJOR, SWOOP_VERSION_MINOR, SWOOP_VERSION_PATCH);
    CHECK(swoop::version() == joined);
  }

  TEST_CASE("version() is the version CMake builds and packages") {
    CHECK(swoop::version() == SWOOP_PROJECT_VERSION);
  }
}
