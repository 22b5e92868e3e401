// SPDX-License-Identifier: MIT
// The doctest main for every unit and integration test.
#define DOCTEST_CONFIG_IMPLEMENT_WITH_MAIN
#include <doctest/doctest.h>
