// SPDX-License-Identifier: MIT
// Tests of swoop/blocking.hpp: run_blocking on the thread pool.
#include <doctest/doctest.h>

#include <stdexcept>
#include <thread>
#include <utility>

#include "support/loop_fixture.hpp"
#include "swoop/swoop.hpp"

using namespace std::chrono_literals;
using swoop::Task;

TEST_SUITE("blocking") {
  TEST_CASE_FIXTURE(swoop::test::LoopFixture, "run_blocking returns the result from the pool") {
    auto loop_thread = std::this_thread::get_id();
    auto [id, n] = swoop::sync_wait(loop, swoop::run_blocking([] {
                                      return std::pair{std::this_thread::get_id(), 9};
                                    }));
    CHECK(id != loop_thread);
    CHECK(n == 9);
  }

  TEST_CASE_FIXTURE(swoop::test::LoopFixture, "run_blocking rethrows the function's exception") {
    CHECK_THROWS_WITH_AS(swoop::sync_wait(loop, swoop::run_blocking([]() -> int {
                                            throw std::out_of_range("pool");
                                          })),
                         "pool", std::out_of_range);
  }
}
