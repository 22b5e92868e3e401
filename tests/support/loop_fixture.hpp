// SPDX-License-Identifier: MIT
// LoopFixture: a Loop per test that must end with no handle left open.
#pragma once

#include <doctest/doctest.h>
#include <uv.h>

#include "swoop/loop.hpp"

namespace swoop::test {

/// Counts the handles on a loop that are not closing (the loop's own internals included).
inline int open_handles(Loop& loop) {
  int n = 0;
  uv_walk(
      loop.native(),
      [](uv_handle_t* h, void* arg) {
        if (!uv_is_closing(h)) ++*static_cast<int*>(arg);
      },
      &n);
  return n;
}

/// Owns a Loop for one test; on destruction checks that only the loop's own handles remain.
struct LoopFixture {
  Loop loop;
  int baseline = open_handles(loop);
  ~LoopFixture() {
    uv_run(loop.native(), UV_RUN_NOWAIT);
    CHECK_MESSAGE(open_handles(loop) == baseline, "a test left a libuv handle open");
  }
};

}  // namespace swoop::test
