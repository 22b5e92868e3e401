// SPDX-License-Identifier: MIT
// Tests of swoop/time.hpp: sleep and with_timeout.
#include <doctest/doctest.h>

#include <chrono>

#include "support/counted.hpp"
#include "support/loop_fixture.hpp"
#include "swoop/swoop.hpp"

using namespace std::chrono_literals;
using swoop::Task;
using swoop::test::Counted;

namespace {

Task<int> slow(int x, std::chrono::milliseconds d) {
  co_await swoop::sleep(d);
  co_return x;
}

}  // namespace

TEST_SUITE("time") {
  TEST_CASE_FIXTURE(swoop::test::LoopFixture, "sleep waits at least the duration") {
    auto start = std::chrono::steady_clock::now();
    swoop::sync_wait(loop, swoop::sleep(20ms));
    CHECK(std::chrono::steady_clock::now() - start >= 19ms);
  }

  TEST_CASE_FIXTURE(swoop::test::LoopFixture, "with_timeout returns the value of a quick task") {
    CHECK(swoop::sync_wait(loop, swoop::with_timeout(1s, slow(5, 1ms))) == 5);
  }

  TEST_CASE_FIXTURE(swoop::test::LoopFixture,
                    "with_timeout cancels a slow task and throws Timeout") {
    Counted::reset();
    auto start = std::chrono::steady_clock::now();
    CHECK_THROWS_AS(swoop::sync_wait(loop, swoop::with_timeout(20ms, slow(5, 10s))),
                    swoop::Timeout);
    CHECK(std::chrono::steady_clock::now() - start < 5s);
    CHECK(Counted::alive == 0);
  }
}
